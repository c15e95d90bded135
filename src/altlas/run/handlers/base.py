"""What a handler is and what it is given: :class:`Handler`, :class:`HandlerContext`.

A handler is an object with a ``name`` and an async ``run(ctx)`` returning JSON-able output.
Plain functions (sync or async) become handlers through :class:`FunctionHandler` or the
:func:`handler` decorator. Handlers raise :class:`PermanentError` for failures a retry cannot
fix (bad parameters, a refused permission); any other exception is treated as transient.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from altlas.errors import HandlerError
from altlas.formats.plan import Plan, Task

if TYPE_CHECKING:
    from altlas.config import Settings
    from altlas.run.config import RunConfig

__all__ = [
    "FunctionHandler",
    "Handler",
    "HandlerContext",
    "PermanentError",
    "TransientError",
    "file_stamp",
    "handler",
    "refusal",
    "shown",
    "text_of",
    "unknown_operation",
    "write_workspace_file",
]


class _TaskFailure(HandlerError):
    """A handler's failure: its error type, and any output or details worth keeping."""

    retryable = False
    default_type = "HandlerError"

    def __init__(
        self,
        message: str,
        *,
        error_type: str | None = None,
        output: Any = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, error_type=error_type or self.default_type)
        self.output = output
        self.details = details


class PermanentError(_TaskFailure):
    """A failure that retrying cannot fix; it does not count against the circuit breaker."""

    default_type = "InvalidParameters"


class TransientError(_TaskFailure):
    """A failure worth retrying (and counted by the circuit breaker); may carry output."""

    retryable = True


_TEXT_KEYS = ("text", "summary", "content", "stdout", "message", "body")


def text_of(value: Any) -> str:
    """The human text inside a handler output: ``text``, ``content``, ``stdout``... or JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        for key in _TEXT_KEYS:
            found = value.get(key)
            if isinstance(found, str) and found.strip():
                return found
    import orjson

    return orjson.dumps(value, option=orjson.OPT_INDENT_2, default=str).decode()


def shown(value: object, limit: int = 60) -> str:
    """``value`` for a one-line message: control characters escaped, long text cut."""
    text = value if isinstance(value, str) else repr(value)
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
    return text if len(text) <= limit else f"{text[:limit]}…"


def unknown_operation(op: str, operations: Sequence[str]) -> str | None:
    """For :meth:`Handler.check`: why ``op`` is refused, or None when it is one of ``operations``
    (:meth:`Handler.run` raises the same words, prefixed with ``parameters.``)."""
    if op in operations:
        return None
    return f"operation '{shown(op)}' is not one of {', '.join(operations)}"


def refusal(parse: Callable[[Mapping[str, Any]], object], params: Mapping[str, Any]) -> str | None:
    """For :meth:`Handler.check`: the message of the PermanentError ``parse(params)`` raises,
    or None when the parameters parse."""
    try:
        parse(params)
    except PermanentError as exc:
        return exc.message
    return None


def file_stamp(workspace: Path, value: Any) -> list[Any] | None:
    """``[path, size, mtime_ns]`` of a workspace file or directory, or None."""
    if not isinstance(value, str | Path):
        return None
    path = workspace / str(value)
    try:
        stat = path.stat()
    except OSError:
        return None
    return [str(value), stat.st_size, stat.st_mtime_ns]


@dataclass(slots=True)
class HandlerContext:
    """Everything a handler may use for one attempt of one task."""

    task: Task
    params: dict[str, Any]
    """The task's parameters with ``{{ ... }}`` references already filled in."""
    inputs: dict[str, Any]
    """Outputs of the task's finished dependencies, by task id (in dependency order)."""
    workspace: Path
    config: RunConfig
    settings: Settings
    run_id: str
    attempt: int = 1
    plan: Plan | None = None
    timeout: float = 60.0
    """The per-attempt timeout in seconds (the runner enforces it; handlers may pass it on)."""
    artifacts: list[Path] = field(default_factory=list)

    def param(self, *names: str, default: Any = None) -> Any:
        """The first of ``names`` present (and not None) in the parameters."""
        for name in names:
            value = self.params.get(name)
            if value is not None:
                return value
        return default

    def path(self, value: Any, *, what: str = "path") -> Path:
        """``value`` resolved inside the workspace; a path that escapes it is refused."""
        if not isinstance(value, str | Path) or not str(value).strip():
            raise PermanentError(f"parameters.{what} must be a non-empty path")
        root = self.workspace.resolve()
        candidate = Path(str(value)).expanduser()
        full = (candidate if candidate.is_absolute() else root / candidate).resolve()
        if not full.is_relative_to(root):
            raise PermanentError(
                f"parameters.{what} '{value}' is outside the workspace {root}",
                error_type="PathOutsideWorkspace",
            )
        return full

    def add_artifact(self, path: Path) -> None:
        """Record a file this task produced; it is listed (size, MIME, sha256) in the result."""
        if path not in self.artifacts:
            self.artifacts.append(path)

    def describe_input(self, task_id: str) -> str:
        """The description of dependency ``task_id`` (its id when unknown)."""
        if self.plan is not None:
            for task in self.plan.tasks:
                if task.id == task_id:
                    return task.description or task_id
        return task_id

    def input_text(self) -> str:
        """The text of every dependency output, in dependency order, blank-line separated."""
        parts = [text_of(v).strip() for v in self.inputs.values()]
        return "\n\n".join(p for p in parts if p)


def write_workspace_file(
    ctx: HandlerContext, relpath: str | Path, data: bytes, overwrite: bool
) -> Path:
    """Write ``data`` to a workspace file under the overwrite rule; the written path.

    The path is confined to the workspace and its parent folders are created. An existing
    file with different bytes is kept unless ``overwrite``; identical bytes are a no-op.
    The write is atomic (a sibling temporary file renamed over the target) and the file is
    created ``0o644 & ~umask``, so nothing a plan writes is executable.
    """
    path = ctx.path(relpath)
    shown = str(relpath)
    if path.is_dir():
        raise PermanentError(f"{shown} is a directory", error_type="IsADirectory")
    if path.exists():
        if _same_bytes(path, data):
            ctx.add_artifact(path)
            return path
        if not overwrite:
            raise PermanentError(
                f"{shown} already exists with different content; use --overwrite to replace it",
                error_type="WouldOverwrite",
            )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(path, data)
    except NotADirectoryError:
        raise PermanentError(
            f"cannot write {shown}: a parent is a file", error_type="NotADirectory"
        ) from None
    except PermissionError as exc:
        raise PermanentError(f"{shown}: {exc.strerror}", error_type="PermissionDenied") from None
    ctx.add_artifact(path)
    return path


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _atomic_write(path: Path, data: bytes) -> None:
    # os.open applies the umask to 0o644 itself; mkstemp would leave the file 0o600
    temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        temp.replace(path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


class Handler:
    """Base class of handlers. Subclasses set ``name`` and implement :meth:`run`."""

    name: str = ""
    description: str = ""
    version: str = "1"
    """Part of the cache key: bump it when the output for the same input changes."""
    breaker: bool = False
    """Whether failures feed a circuit breaker keyed by handler and :meth:`target`."""
    cacheable: bool = True
    uses_workspace: bool = True
    """Whether a call may touch the workspace; a run none of whose handlers does (every
    handler of its selected tasks says False) leaves the workspace directory uncreated."""

    def check(self, task: Task, params: Mapping[str, Any]) -> str | None:
        """Why this handler cannot take ``task`` (routing tries the next), or None."""
        return None

    def target(self, params: Mapping[str, Any], ctx: HandlerContext | None = None) -> str | None:
        """What the circuit breaker is keyed on besides the handler (a host, a program)."""
        return None

    def is_cacheable(self, params: Mapping[str, Any]) -> bool:
        return self.cacheable

    def cache_salt(self, params: Mapping[str, Any], workspace: Path) -> Any:
        """Outside state the output depends on (a file's size and mtime), for the cache key."""
        return None

    def describe(self, task: Task, params: Mapping[str, Any]) -> str:
        """A short note for ``--dry-run`` (what this handler would do)."""
        return ""

    async def run(self, ctx: HandlerContext) -> Any:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<handler {self.name}>"


HandlerFunc = Callable[[HandlerContext], Any] | Callable[[HandlerContext], Awaitable[Any]]


class FunctionHandler(Handler):
    """A handler made from a function of a :class:`HandlerContext` (sync runs in a thread)."""

    def __init__(
        self,
        name: str,
        func: HandlerFunc,
        *,
        description: str = "",
        breaker: bool = False,
        cacheable: bool = True,
    ) -> None:
        self.name = name
        self.func = func
        self.description = description or (inspect.getdoc(func) or "").split("\n")[0]
        self.breaker = breaker
        self.cacheable = cacheable
        self._is_async = inspect.iscoroutinefunction(func)

    async def run(self, ctx: HandlerContext) -> Any:
        if self._is_async:
            return await self.func(ctx)
        result = await asyncio.to_thread(self.func, ctx)
        if inspect.isawaitable(result):
            return await result
        return result


def handler(
    name: str,
    *,
    description: str = "",
    breaker: bool = False,
    cacheable: bool = True,
) -> Callable[[HandlerFunc], FunctionHandler]:
    """Decorator: ``@handler("greet")`` turns a function into a :class:`FunctionHandler`."""

    def wrap(func: HandlerFunc) -> FunctionHandler:
        return FunctionHandler(
            name, func, description=description, breaker=breaker, cacheable=cacheable
        )

    return wrap
