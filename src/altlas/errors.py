"""The altlas error tree.

Every error the library raises on purpose derives from :class:`AltlasError`, and every class
below it sits in exactly one *group*. A group says what the caller can do about the error (the
way httpx groups its exceptions), so code that wants to react catches a group, never a list of
leaf classes. The edges turn a group into a number, in one table each: the CLI's exit codes in
``altlas.cli._common`` and the server's HTTP statuses in ``altlas.server.errors``. Nothing inside
the library knows those numbers.

::

    AltlasError
    ├── InvalidInputError           fix the input                  exit 2   HTTP 400
    │   ├── ConfigError             bad config file, env value or secret reference
    │   ├── FormatError             a file cannot be read as any known format
    │   │   └── DecodeError         container or syntax damage (zstd, gzip, zip, JSON, YAML)
    │   ├── TooLargeError           over a size or count limit                         HTTP 413
    │   └── UnprocessableError      well formed, but cannot be done as asked          HTTP 422
    │       ├── ValidationError     parsed but breaks the rules; carries diagnostics
    │       └── SegmentationError   a command cannot be turned into a plan
    ├── NotFoundError               check the name or id           exit 3   HTTP 404
    │   └── RunNotFoundError        (and JobNotFoundError, WorkspaceNotFoundError)
    ├── ConflictError               re-read the state, then retry  exit 4   HTTP 409
    ├── NotAllowedError             get permission                 exit 5   HTTP 403
    │   ├── AuthError               authentication refused                             HTTP 401
    │   └── QuotaError              a budget or quota is spent                         HTTP 402
    ├── UnavailableError            retry later (transient)        exit 75  HTTP 503 + Retry-After
    │   └── MissingExtraError       (also ImportError) install the extra    exit 69  HTTP 501
    ├── CorruptError                repair or restore the store    exit 74  HTTP 500
    └── ExecutionError              a run failed                   exit 1   HTTP 400
        └── HandlerError            a handler failed a task (carries the task id)

    ArchiveError                    a tag, not a group: "the archive said so"
    ├── ArchiveInputError           (also InvalidInputError)
    ├── ArchiveNotFoundError        (also NotFoundError)
    ├── ArchiveConflictError        (also ConflictError)
    ├── ArchiveUnavailableError     (also UnavailableError): locked, busy, disk full, read-only
    └── ArchiveCorruptError         (also CorruptError): damaged altlas.db, blobs or index

``ArchiveError`` is kept as a tag because callers and tests catch "anything the archive
refused" with it, while its failures fall into five different groups; a tag lets both
questions be asked. It is never raised bare (tests/test_errors.py scans the source for that).

A missing extra sits under UnavailableError because the caller cannot fix it by changing the
input; it has its own exit code and status because waiting will not fix it either.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

__all__ = [
    "GROUPS",
    "AltlasError",
    "ArchiveConflictError",
    "ArchiveCorruptError",
    "ArchiveError",
    "ArchiveInputError",
    "ArchiveNotFoundError",
    "ArchiveUnavailableError",
    "AuthError",
    "ConfigError",
    "ConflictError",
    "CorruptError",
    "DecodeError",
    "Diagnostic",
    "ExecutionError",
    "FormatError",
    "HandlerError",
    "InvalidInputError",
    "MissingExtraError",
    "NotAllowedError",
    "NotFoundError",
    "QuotaError",
    "RunNotFoundError",
    "SegmentationError",
    "TooLargeError",
    "UnavailableError",
    "UnprocessableError",
    "ValidationError",
    "group_of",
    "lookup",
]

_V = TypeVar("_V")


class AltlasError(Exception):
    """Root of every deliberate altlas error.

    ``context`` holds what locates the problem: ``file``, ``path`` (a field path such as
    ``tasks[2].dependencies[0]``), ``task_id``, ``line``. :meth:`one_line` renders it.
    """

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(message)
        self.message = message
        self.context: dict[str, Any] = {k: v for k, v in context.items() if v is not None}

    def one_line(self, *, locate: bool = True) -> str:
        """The error as one line: ``file: path: message``, whatever the parts hold.

        ``locate=False`` leaves out the file and the field path (for a reader who must not
        see the server's paths).
        """
        parts = self._location() if locate else []
        parts.append(self.message)
        return _flat(": ".join(parts))

    def _location(self) -> list[str]:
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
        return parts

    def __str__(self) -> str:
        return self.one_line()


def _flat(text: str) -> str:
    """``text`` on one line.

    A message quoting a parser (YAML marks, a tantivy query) or a file name may hold line
    breaks; an error stays one line wherever it is printed or logged.
    """
    lines = text.splitlines()
    if len(lines) == 1 and lines[0] == text:
        return text
    return "; ".join(stripped for line in lines if (stripped := line.strip()))


# --- the groups: what the caller can do -------------------------------------------------


class InvalidInputError(AltlasError):
    """The input (a file, an option, a request, a config value) is wrong: fix it."""


class NotFoundError(AltlasError):
    """No record with that name or id: check it."""


class ConflictError(AltlasError):
    """The state does not allow this (it exists already, it ended, it moved on): re-read it."""


class NotAllowedError(AltlasError):
    """The caller may not do this: get the permission first."""


class UnavailableError(AltlasError):
    """Something needed is busy, locked or down; nothing is wrong with the request: retry later."""


class CorruptError(AltlasError):
    """A store is damaged (the archive, runs.db, the accounts): repair or restore it."""


class ExecutionError(AltlasError):
    """A run could not start, continue or finish."""


GROUPS: tuple[type[AltlasError], ...] = (
    InvalidInputError,
    NotFoundError,
    ConflictError,
    NotAllowedError,
    UnavailableError,
    CorruptError,
    ExecutionError,
)
"""Every group, in no particular order; each public error class reaches exactly one."""


def group_of(error: AltlasError | type[AltlasError]) -> type[AltlasError] | None:
    """The one group ``error`` belongs to, or None for a bare AltlasError (or a bare tag)."""
    cls = error if isinstance(error, type) else type(error)
    found = [g for g in GROUPS if issubclass(cls, g)]
    return found[0] if len(found) == 1 else None


def lookup(
    table: Mapping[type[BaseException], _V], error: BaseException | type[BaseException]
) -> _V | None:
    """The entry of ``table`` for the most specific class of ``error`` (walks its MRO)."""
    for cls in (error if isinstance(error, type) else type(error)).__mro__:
        if cls in table:
            return table[cls]
    return None


# --- invalid input ---------------------------------------------------------------------


class ConfigError(InvalidInputError):
    """Configuration could not be read or resolved."""


class FormatError(InvalidInputError):
    """The bytes are not any format altlas knows."""


class DecodeError(FormatError):
    """The container or the text syntax is damaged."""


class TooLargeError(InvalidInputError):
    """The input is over a size or count limit; a smaller one would be accepted."""


class UnprocessableError(InvalidInputError):
    """The input is well formed but cannot be done as asked (the message says why)."""


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
        return _flat(f"{prefix}: {tag}{self.message}" if prefix else f"{tag}{self.message}")

    def as_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "code": self.code,
            "path": self.path,
            "message": self.message,
            "ids": list(self.ids),
        }


class ValidationError(UnprocessableError):
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


class SegmentationError(UnprocessableError):
    """A command could not be segmented."""


# --- the others ----------------------------------------------------------------------------


class MissingExtraError(UnavailableError, ImportError):
    """An optional dependency group is needed and is not installed."""

    def __init__(self, extra: str, module: str) -> None:
        super().__init__(
            f"this needs the '{extra}' extra ({module} is not installed): "
            f"pip install 'altlas[{extra}]'",
        )
        self.extra = extra


class HandlerError(ExecutionError):
    """A handler refused or failed a task."""

    def __init__(self, message: str, *, error_type: str = "HandlerError", **context: Any) -> None:
        super().__init__(message, **context)
        self.error_type = error_type


class RunNotFoundError(NotFoundError):
    """No run with that id in the journal."""


class AuthError(NotAllowedError):
    """Authentication refused: no credentials, or ones that do not check out."""


class QuotaError(NotAllowedError):
    """A budget or quota would be exceeded; nothing was done."""


# --- the archive's tag -------------------------------------------------------------------


class ArchiveError(AltlasError):
    """Raised by the archive; a tag, not a group, so only its subclasses are raised."""


class ArchiveInputError(ArchiveError, InvalidInputError):
    """The archive cannot use this query, id prefix or bundle as given."""


class ArchiveNotFoundError(ArchiveError, NotFoundError):
    """No such archived result, atlas or bundle."""


class ArchiveConflictError(ArchiveError, ConflictError):
    """The target exists already, or the archive's state does not allow this yet."""


class ArchiveUnavailableError(ArchiveError, UnavailableError):
    """The archive is locked or busy, or its environment refuses (disk full, read-only)."""


class ArchiveCorruptError(ArchiveError, CorruptError):
    """altlas.db, a blob or the search index is damaged or missing."""
