"""The altlas error tree.

Every error the library raises on purpose derives from :class:`AltlasError`. The CLI and the
server turn these into exit codes and HTTP statuses; nothing inside the library knows about
either.

::

    AltlasError
    ├── ConfigError                  bad config file, env value or secret reference
    ├── MissingExtraError            (also ImportError) an optional extra is not installed
    ├── FormatError                  a file cannot be read as any known format
    │   └── DecodeError              container or syntax damage (zstd, gzip, zip, JSON, YAML)
    ├── ValidationError              the document parsed but breaks the rules; carries diagnostics
    ├── SegmentationError            a command cannot be turned into a plan
    ├── ExecutionError               a run cannot start or continue
    │   ├── HandlerError             a handler failed a task (carries the task id)
    │   └── RunNotFoundError
    ├── ArchiveError                 the archive store or index is unusable
    │   └── NotFoundError
    └── AuthError                    authentication or authorisation refused
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "AltlasError",
    "ArchiveError",
    "AuthError",
    "ConfigError",
    "DecodeError",
    "Diagnostic",
    "ExecutionError",
    "FormatError",
    "HandlerError",
    "MissingExtraError",
    "NotFoundError",
    "RunNotFoundError",
    "SegmentationError",
    "ValidationError",
]


class AltlasError(Exception):
    """Root of every deliberate altlas error.

    ``context`` holds what locates the problem: ``file``, ``path`` (a field path such as
    ``tasks[2].dependencies[0]``), ``task_id``, ``line``. :meth:`one_line` renders it.
    """

    exit_code = 1

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(message)
        self.message = message
        self.context: dict[str, Any] = {k: v for k, v in context.items() if v is not None}

    def one_line(self) -> str:
        """The error as one line: ``file: path: message``."""
        parts = []
        if "file" in self.context:
            loc = str(self.context["file"])
            if "line" in self.context:
                loc += f":{self.context['line']}"
            parts.append(loc)
        if "path" in self.context:
            parts.append(str(self.context["path"]))
        if "task_id" in self.context and "path" not in self.context:
            parts.append(f"task {self.context['task_id']}")
        parts.append(self.message)
        return ": ".join(parts)

    def __str__(self) -> str:
        return self.one_line()


class ConfigError(AltlasError):
    """Configuration could not be read or resolved."""


class MissingExtraError(AltlasError, ImportError):
    """An optional dependency group is needed and is not installed."""

    def __init__(self, extra: str, module: str) -> None:
        super().__init__(
            f"this needs the '{extra}' extra ({module} is not installed): "
            f"pip install 'altlas[{extra}]'",
        )
        self.extra = extra


class FormatError(AltlasError):
    """The bytes are not any format altlas knows."""


class DecodeError(FormatError):
    """The container or the text syntax is damaged."""


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding of validation: an error or a warning at a field path."""

    message: str
    path: str = ""
    severity: str = "error"
    code: str = "invalid"
    ids: tuple[str, ...] = field(default_factory=tuple)

    def render(self, file: str | None = None) -> str:
        head = [p for p in (file, self.path) if p]
        prefix = ": ".join(head)
        tag = "" if self.severity == "error" else f"{self.severity}: "
        return f"{prefix}: {tag}{self.message}" if prefix else f"{tag}{self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "code": self.code,
            "path": self.path,
            "message": self.message,
            "ids": list(self.ids),
        }


class ValidationError(AltlasError):
    """A document breaks the format's rules. ``diagnostics`` holds every error found."""

    def __init__(self, diagnostics: Iterable[Diagnostic], **context: Any) -> None:
        self.diagnostics = [d for d in diagnostics if d.severity == "error"]
        first = self.diagnostics[0] if self.diagnostics else Diagnostic("invalid document")
        more = len(self.diagnostics) - 1
        msg = first.message + (f" (and {more} more error{'s' * (more > 1)})" if more else "")
        if first.path:
            context.setdefault("path", first.path)
        super().__init__(msg, **context)

    def lines(self) -> list[str]:
        """Every error, one line each."""
        file = self.context.get("file")
        return [d.render(str(file) if file else None) for d in self.diagnostics]


class SegmentationError(AltlasError):
    """A command could not be segmented."""


class ExecutionError(AltlasError):
    """A run could not start, continue or finish."""


class HandlerError(ExecutionError):
    """A handler refused or failed a task."""

    def __init__(self, message: str, *, error_type: str = "HandlerError", **context: Any) -> None:
        super().__init__(message, **context)
        self.error_type = error_type


class RunNotFoundError(ExecutionError):
    """No run with that id in the journal."""

    exit_code = 1


class ArchiveError(AltlasError):
    """The archive cannot do what was asked."""


class NotFoundError(ArchiveError):
    """No such record."""


class AuthError(AltlasError):
    """Authentication or authorisation refused."""
