"""Opening a SQLite store: WAL, the house pragmas, and every failure as one line in its group.

Every store (the archive, the run journal, the job queue, accounts, analytics, the llm call
log and cache) opens its file here, so they agree on durability (WAL with
``synchronous=NORMAL``: durable across a killed process, no fsync per commit), on foreign
keys, on how long to wait for a busy file, and on what a failure means for the caller:

* the file is damaged (bad header, ``SQLITE_CORRUPT``, ``SQLITE_NOTADB``) -> ``Corrupt``;
* it is busy or locked, or its environment refuses (disk full, read-only mount, no
  permission) -> ``Unavailable``, with the cause and "the file is not damaged".

Pragmas are set from constants and validated values only, never from input.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from altlas.errors import AltlasError
from altlas.storage._errors import ARCHIVE, DEFAULT, StoreErrors
from altlas.storage._held import HeldConnection
from altlas.storage.health import (
    header_problem,
    is_corruption,
    open_readonly,
    os_cause,
    sqlite_cause,
)

__all__ = ["ARCHIVE", "StoreErrors", "connect", "guard", "now_iso", "translate"]

IsolationLevel = Literal["DEFERRED", "IMMEDIATE", "EXCLUSIVE"] | None

_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_PRAGMA_NAME = re.compile(r"[a-z_]{1,40}")
_PRAGMA_WORD = re.compile(r"[A-Za-z0-9_-]{1,40}")
_FILE_FORMAT = frozenset({"page_size", "auto_vacuum"})
"""Pragmas that only take effect on a file without content: switching to WAL writes the
header, so they are set before ``journal_mode``."""


def now_iso() -> str:
    """The time as stored in TEXT columns: RFC 3339, UTC, microseconds, ``Z``."""
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _pragma_statement(name: str, value: str | int) -> str:
    """``PRAGMA name=value`` after checking both: PRAGMA takes no ``?`` parameters."""
    if not _PRAGMA_NAME.fullmatch(name):
        raise ValueError(f"not a pragma name: {name!r}")
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"pragma {name}: not an int or a word: {value!r}")
    if isinstance(value, str) and not _PRAGMA_WORD.fullmatch(value):
        raise ValueError(f"pragma {name}: not a plain word: {value!r}")
    return f"PRAGMA {name}={value}"


def _is_busy(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int) and code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED):
        return True
    text = str(exc).lower()
    return "database is locked" in text or "database is busy" in text


def _not_damaged(what: str, cause: str) -> str:
    return (
        f"{what} cannot be used: {cause}; the file is not damaged, so free space or fix "
        "the permissions or mount, then try again (do not repair it)"
    )


def translate(
    exc: sqlite3.Error | OSError,
    path: Path,
    *,
    what: str = "the database",
    doing: str = "open",
    repair_hint: str = "",
    errors: StoreErrors = DEFAULT,
) -> AltlasError:
    """The one-line error for a failed SQLite or file operation on ``path``.

    Damage, busy and environment get their groups; anything else is ``Unavailable`` with
    SQLite's own words, since the file itself was not found wanting.
    """
    file = str(path)
    unavailable = errors.unavailable
    if isinstance(exc, OSError):
        cause = os_cause(exc)
        return unavailable(_not_damaged(what, cause), file=file, reason=cause)
    if is_corruption(exc):
        hint = f": {repair_hint}" if repair_hint else ""
        return errors.corrupt(f"{what} is damaged ({exc}){hint}", file=file, reason=str(exc))
    if _is_busy(exc):
        return unavailable(
            f"{what} is busy ({exc}); another process holds it, try again",
            file=file,
            reason=str(exc),
        )
    environment = sqlite_cause(exc, path)
    if environment is not None:
        return unavailable(_not_damaged(what, environment), file=file, reason=environment)
    return unavailable(f"cannot {doing} {what}: {exc}", file=file, reason=str(exc))


@contextmanager
def guard(
    path: Path,
    *,
    what: str = "the database",
    doing: str = "write",
    repair_hint: str = "",
    errors: StoreErrors = DEFAULT,
) -> Iterator[None]:
    """Turn a ``sqlite3.Error`` raised inside into :func:`translate`'s one line."""
    try:
        yield
    except sqlite3.Error as exc:
        raise translate(
            exc, path, what=what, doing=doing, repair_hint=repair_hint, errors=errors
        ) from None


def _check_header(path: Path, what: str, repair_hint: str, errors: StoreErrors) -> None:
    try:
        reason = header_problem(path)
    except OSError as exc:
        raise translate(exc, path, what=what, errors=errors) from None
    if reason:
        hint = f": {repair_hint}" if repair_hint else ""
        raise errors.corrupt(f"{what} {reason}{hint}", file=str(path), reason=f"it {reason}")


def connect(
    path: Path,
    *,
    readonly: bool = False,
    timeout: float = 30.0,
    check_same_thread: bool = False,
    pragmas: Mapping[str, str | int] | None = None,
    isolation_level: IsolationLevel = "DEFERRED",
    what: str = "the database",
    repair_hint: str = "",
    errors: StoreErrors = DEFAULT,
) -> sqlite3.Connection:
    """Open ``path`` (created when writable and missing) with the house pragmas.

    ``pragmas`` adds to or overrides ``journal_mode=WAL``, ``synchronous=NORMAL``,
    ``foreign_keys=ON`` and ``busy_timeout``. ``readonly`` opens ``file:...?mode=ro`` (falling
    back to ``immutable=1`` on a read-only file system) and never creates the file.
    ``isolation_level`` is the ``sqlite3`` one (None: autocommit, transactions by hand).
    ``what`` names the store in messages; ``repair_hint`` says how to repair damage;
    ``errors`` are the classes the store raises (the group classes unless it tags its own).
    """
    path = Path(path)
    label = _Label(what, repair_hint, errors)
    _check_header(path, what, repair_hint, errors)
    settings: dict[str, str | int] = {
        "journal_mode": "WAL",
        "synchronous": "NORMAL",
        "foreign_keys": "ON",
        "busy_timeout": max(0, int(timeout * 1000)),
    }
    settings.update(pragmas or {})
    ordered = sorted(settings.items(), key=lambda item: item[0] not in _FILE_FORMAT)
    statements = [_pragma_statement(name, value) for name, value in ordered]
    if readonly:
        return _connect_readonly(path, timeout, isolation_level, label, statements)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise translate(exc, path, what=what, errors=errors) from None
    try:
        conn = sqlite3.connect(
            path,
            timeout=timeout,
            isolation_level=isolation_level,
            check_same_thread=check_same_thread,
            factory=HeldConnection,
        )
    except sqlite3.Error as exc:
        raise translate(exc, path, what=what, repair_hint=repair_hint, errors=errors) from None
    try:
        with label.guard(path):
            _run_pragmas(conn, statements, timeout)
    except BaseException:
        conn.close()
        raise
    return conn


def _run_pragmas(conn: sqlite3.Connection, statements: list[str], timeout: float) -> None:
    """Run the house pragmas, waiting out a busy file for up to ``timeout``.

    Switching a new file to WAL needs it to itself, and SQLite answers "database is locked"
    at once, without its busy handler, while another process is doing the same: two
    ``archive add`` processes starting together on a fresh home failed that way.
    """
    from tenacity import Retrying, retry_if_exception, stop_after_delay, wait_random

    for statement in statements:
        for attempt in Retrying(
            retry=retry_if_exception(lambda exc: isinstance(exc, sqlite3.Error) and _is_busy(exc)),
            stop=stop_after_delay(max(timeout, 0.0)),
            wait=wait_random(0.005, 0.05),
            reraise=True,
        ):
            with attempt:
                conn.execute(statement).fetchall()


@dataclass(frozen=True, slots=True)
class _Label:
    """How one store names itself in errors."""

    what: str
    repair_hint: str
    errors: StoreErrors

    def guard(self, path: Path) -> AbstractContextManager[None]:
        return guard(
            path, what=self.what, doing="open", repair_hint=self.repair_hint, errors=self.errors
        )


def _connect_readonly(
    path: Path,
    timeout: float,
    isolation_level: IsolationLevel,
    label: _Label,
    statements: list[str],
) -> sqlite3.Connection:
    if not path.is_file():
        raise label.errors.unavailable(f"{label.what} does not exist yet", file=str(path))
    with label.guard(path):
        conn = open_readonly(path, timeout=timeout)
    conn.isolation_level = isolation_level
    try:
        with label.guard(path):
            for statement in statements:
                # A read-only connection cannot change the journal mode; the file keeps its own.
                if not statement.startswith("PRAGMA journal_mode="):
                    conn.execute(statement).fetchall()
            conn.execute("PRAGMA query_only=ON")
    except BaseException:
        conn.close()
        raise
    return conn
