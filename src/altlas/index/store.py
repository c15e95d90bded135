"""``altlas.db``: opened in WAL mode, migrated, checked for damage; failures as one line.

This is the connection's life only; the statements are the repository's
(:mod:`altlas.index.repository`), which builds on :class:`Store`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from altlas.errors import (
    ArchiveConflictError,
    ArchiveCorruptError,
    ArchiveUnavailableError,
)
from altlas.index.lock import ArchiveLock

__all__ = ["DatabaseDamaged", "Store", "StoreUnavailable", "check_database_file", "unavailable"]

_REPAIR_HINT = "run 'altlas archive verify --repair' to rebuild it from the blobs"
_PRAGMAS: dict[str, str | int] = {"temp_store": "MEMORY", "cache_size": -32768}
"""On top of the house ones (WAL, synchronous=NORMAL, foreign keys, busy timeout)."""


class DatabaseDamaged(ArchiveCorruptError):
    """altlas.db is truncated, corrupt or not a database."""


class StoreUnavailable(ArchiveUnavailableError):
    """altlas.db cannot be used because of its environment (disk full, read-only, permission).

    The file is not damaged: the message says so and never advises a repair.
    """


def unavailable(path: Path, cause: str, what: str = "the archive database") -> StoreUnavailable:
    return StoreUnavailable(
        f"{what} cannot be used: {cause}; the file is not damaged, so free space or fix "
        "the permissions or mount, then try again (do not repair it)",
        file=str(path),
    )


def check_database_file(path: Path, what: str = "the archive database") -> str | None:
    """A reason the file is damaged, judged from its header and size; None if it looks sound.

    A file that cannot be read at all raises :class:`StoreUnavailable`: that is not damage.
    """
    from altlas.storage.health import header_problem, os_cause

    try:
        return header_problem(path)
    except OSError as exc:
        raise unavailable(path, os_cause(exc), what) from None


class Store:
    def __init__(
        self,
        path: Path,
        lock: ArchiveLock,
        *,
        busy_timeout: float = 30.0,
        check_on_open: bool = True,
    ) -> None:
        self.path = path
        self.lock = lock
        self.busy_timeout = busy_timeout
        self.check_on_open = check_on_open
        self.read_only = False
        self.read_only_cause = ""
        self._db: Any = None

    # -- opening -----------------------------------------------------------------------------
    def damaged(self, reason: str) -> DatabaseDamaged:
        return DatabaseDamaged(
            f"the archive database {reason}: {_REPAIR_HINT}", file=str(self.path)
        )

    def open(self) -> Any:
        """Open, migrate and check the database (``quick_check``: damage is found on open).

        Where the home cannot be written (read-only mount, no permission) an up-to-date
        database is opened read-only, so listing and searching still work; writes then fail
        with one line naming the cause.
        """
        if self._db is not None:
            return self._db
        reason = check_database_file(self.path)
        if reason:
            raise self.damaged(reason)
        try:
            db = self._open_writable()
        except StoreUnavailable as exc:
            db = self._open_fallback(exc)
        self._check(db)
        self._db = db
        return db

    def _open_writable(self) -> Any:
        from sqlite_utils import Database

        from altlas.storage.sqlite import connect, guard

        conn = connect(self.path, timeout=self.busy_timeout, pragmas=_PRAGMAS, **self._label())
        try:
            conn.row_factory = sqlite3.Row
            db = Database(conn, execute_plugins=False)
            with guard(self.path, doing="upgrade", **self._label()):
                self._migrate(db)
        except BaseException:
            conn.close()
            raise
        self.read_only = False
        return db

    def _label(self) -> dict[str, Any]:
        """How the storage layer names this store in its one-line errors."""
        from altlas.storage.sqlite import StoreErrors

        errors = StoreErrors(corrupt=DatabaseDamaged, unavailable=StoreUnavailable)
        return {"what": "the archive database", "repair_hint": _REPAIR_HINT, "errors": errors}

    def _open_fallback(self, exc: StoreUnavailable) -> Any:
        """After a failed open: read-only when only writing is impossible, else ``exc``."""
        from sqlite_utils import Database

        from altlas.storage.health import environment_cause, is_corruption, open_readonly

        cause = environment_cause(self.path)
        if cause is None:
            raise exc
        if not self.path.is_file() or self.path.stat().st_size == 0:
            raise unavailable(self.path, cause) from None
        try:
            conn = open_readonly(self.path, timeout=self.busy_timeout)
        except sqlite3.Error as again:
            if is_corruption(again):
                raise self.damaged(f"cannot be opened ({again})") from None
            raise unavailable(self.path, cause) from None
        conn.row_factory = sqlite3.Row
        db = Database(conn, execute_plugins=False)
        from altlas.index.migrations import MIGRATIONS
        from altlas.storage.migrations import pending

        with self.errors():
            behind = pending(db, MIGRATIONS)
        if behind:
            conn.close()
            raise unavailable(self.path, f"{cause}, and it needs an upgrade") from None
        self.read_only = True
        self.read_only_cause = cause
        return db

    def _check(self, db: Any) -> None:
        """``PRAGMA quick_check``: a damaged database is refused on open, with the way back."""
        from altlas.storage.health import integrity_problems, summarise_problems

        if not self.check_on_open:
            return
        problems = integrity_problems(db.conn)
        if problems:
            db.conn.close()
            raise self.damaged(f"failed its check: {summarise_problems(problems)}")

    def require_writable(self) -> None:
        """Before a write: one line naming the cause when the database was opened read-only."""
        self.open()
        if self.read_only:
            raise unavailable(self.path, self.read_only_cause)

    def _migrate(self, db: Any) -> None:
        from altlas.index.migrations import MIGRATION_NAMES, MIGRATIONS
        from altlas.storage.migrations import apply, pending

        applied = [m.name for m in MIGRATIONS.applied(db)]
        unknown = [name for name in applied if name not in MIGRATION_NAMES]
        if unknown:
            raise ArchiveConflictError(
                f"the archive database was written by a newer altlas (migration {unknown[0]} "
                "is unknown here): upgrade altlas",
                file=str(self.path),
            )
        if not pending(db, MIGRATIONS):
            return
        with self.lock.held("archive: migrate database"):
            apply(db, MIGRATIONS)

    def close(self) -> None:
        if self._db is not None:
            self._db.conn.close()
            self._db = None

    @property
    def conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection = self.open().conn
        return conn

    @contextmanager
    def errors(self) -> Iterator[None]:
        """SQLite errors as one clear line: busy, the environment, or damage with the way back.

        The storage layer words them (:func:`altlas.storage.sqlite.translate`); what only the
        archive knows comes first: a missing table is damage here (a repair rebuilds it), and a
        write to a store opened read-only names why it was.
        """
        from altlas.storage.sqlite import translate

        try:
            yield
        except sqlite3.Error as exc:
            text = str(exc)
            if "no such table" in text or "no such column" in text:
                raise self.damaged(f"has an unexpected schema ({text})") from None
            if self.read_only and "readonly" in text:
                raise unavailable(self.path, self.read_only_cause) from None
            raise translate(exc, self.path, doing="use", **self._label()) from None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        db = self.open()
        with self.errors(), db.atomic():
            yield db.conn

    # -- reading -----------------------------------------------------------------------------
    def query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self.errors():
            return list(self.conn.execute(sql, tuple(params)))

    def chunked(self, sql_prefix: str, values: Sequence[Any], size: int = 900) -> list[sqlite3.Row]:
        """``sql_prefix`` ends with ``IN``; runs it for each chunk of ``values``."""
        out: list[sqlite3.Row] = []
        for start in range(0, len(values), size):
            chunk = list(values[start : start + size])
            out.extend(self.query(f"{sql_prefix} ({', '.join('?' * len(chunk))})", chunk))
        return out
