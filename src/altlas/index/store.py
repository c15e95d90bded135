"""``altlas.db``: SQLite in WAL mode through sqlite-utils, migrated on open, checked for damage.

Every statement here is a constant string with ``?`` parameters; filters add constant
fragments and parameters, never user text.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from altlas.errors import (
    ArchiveConflictError,
    ArchiveCorruptError,
    ArchiveInputError,
    ArchiveUnavailableError,
)
from altlas.index.extract import RESULT_COLUMNS, TASK_COLUMNS
from altlas.index.filters import Filters, RecordSort
from altlas.index.lock import ArchiveLock
from altlas.index.models import ArchiveRecord
from altlas.index.timeparse import to_micros

__all__ = ["DatabaseDamaged", "Store", "StoreUnavailable", "check_database_file", "filter_sql"]

_HEADER = b"SQLite format 3\x00"
_REPAIR_HINT = "run 'altlas archive verify --repair' to rebuild it from the blobs"
_RESULT_INSERT = (
    f"INSERT INTO results ({', '.join(RESULT_COLUMNS)}) "  # noqa: S608  (constant column names)
    f"VALUES ({', '.join('?' * len(RESULT_COLUMNS))})"
)
_RESULT_INSERT_WITH_RID = (
    f"INSERT INTO results (rid, {', '.join(RESULT_COLUMNS)}) "  # noqa: S608  (constant names)
    f"VALUES (?, {', '.join('?' * len(RESULT_COLUMNS))})"
)
_TASK_INSERT = (
    f"INSERT INTO tasks ({', '.join(TASK_COLUMNS)}) "  # noqa: S608
    f"VALUES ({', '.join('?' * len(TASK_COLUMNS))})"
)
RECORD_COLUMNS = (
    "rid, id, sha256, result_id, run_id, plan_id, title, command, status, success_rate, "
    "started_at, finished_at, duration_ms, task_count, completed_count, mode, persona, "
    "language, tags, source, name, dialect, container, raw_size, stored_size, added_at, "
    "blob_state, indexed, dict_id"
)
_RECORD_ORDER = {RecordSort.TIME: "ts", RecordSort.SUCCESS: "success_rate", RecordSort.ADDED: "rid"}


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
    from altlas.index.health import os_cause

    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(100)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise unavailable(path, os_cause(exc), what) from None
    if size == 0:
        return None
    if len(head) < 100 or not head.startswith(_HEADER):
        return "is not a SQLite database (bad header)"
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    valid_for = int.from_bytes(head[92:96], "big")
    changes = int.from_bytes(head[24:28], "big")
    if pages and valid_for == changes and size < pages * page_size:
        return f"is truncated ({size} bytes, its header says {pages * page_size})"
    return None


def filter_sql(filters: Filters) -> tuple[str, list[Any]]:
    """A WHERE clause (without the keyword) and its parameters."""
    parts = ["state = 'active'"]
    params: list[Any] = []

    def any_of(column: str, values: Sequence[str]) -> None:
        if values:
            parts.append(f"{column} IN ({', '.join('?' * len(values))})")
            params.extend(values)

    any_of("status", filters.status)
    any_of("mode", filters.modes)
    any_of("persona", filters.personas)
    any_of("language", filters.languages)
    if filters.min_success is not None:
        parts.append("success_rate >= ?")
        params.append(filters.min_success)
    if filters.max_success is not None:
        parts.append("success_rate <= ?")
        params.append(filters.max_success)
    if filters.since is not None:
        parts.append("ts >= ?")
        params.append(to_micros(filters.since))
    if filters.until is not None:
        parts.append("ts <= ?")
        params.append(to_micros(filters.until))
    for tag in filters.tags:
        parts.append("rid IN (SELECT rid FROM tags WHERE tag = ?)")
        params.append(tag)
    for kind in filters.task_types:
        parts.append("rid IN (SELECT rid FROM tasks WHERE type = ?)")
        params.append(kind)
    return " AND ".join(parts), params


def _dt(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def row_to_record(row: sqlite3.Row) -> ArchiveRecord:
    return ArchiveRecord(
        id=row["id"],
        sha256=row["sha256"],
        result_id=row["result_id"],
        run_id=row["run_id"],
        plan_id=row["plan_id"],
        title=row["title"],
        command=row["command"],
        status=row["status"],
        success_rate=row["success_rate"],
        started_at=_dt(row["started_at"]),
        finished_at=_dt(row["finished_at"]),
        duration_ms=row["duration_ms"],
        task_count=row["task_count"],
        completed_count=row["completed_count"],
        mode=row["mode"],
        persona=row["persona"],
        language=row["language"],
        tags=orjson.loads(row["tags"] or "[]"),
        source=row["source"],
        name=row["name"],
        dialect=row["dialect"],
        container=row["container"],
        raw_size=row["raw_size"],
        stored_size=row["stored_size"],
        added_at=_dt(row["added_at"]) or datetime.fromtimestamp(0, UTC),
        blob_state=row["blob_state"],
        indexed=bool(row["indexed"]),
    )


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
        except sqlite3.Error as exc:
            db = self._open_fallback(exc)
        self._check(db)
        self._db = db
        return db

    def _open_writable(self) -> Any:
        from sqlite_utils import Database

        conn = sqlite3.connect(self.path, timeout=self.busy_timeout, check_same_thread=False)
        try:
            conn.row_factory = sqlite3.Row
            db = Database(conn, execute_plugins=False)
            if db.journal_mode != "wal":
                with self.lock.held("archive: enable WAL"):
                    db.enable_wal()
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA temp_store = MEMORY")
            conn.execute("PRAGMA cache_size = -32768")
            self._migrate(db)
        except BaseException:
            conn.close()
            raise
        self.read_only = False
        return db

    def _open_fallback(self, exc: sqlite3.Error) -> Any:
        """After a failed open: read-only when only writing is impossible, else one clear line."""
        from sqlite_utils import Database

        from altlas.index.health import is_corruption, open_readonly, sqlite_cause

        if is_corruption(exc):
            raise self.damaged(f"cannot be opened ({exc})") from None
        if "locked" in str(exc) or "busy" in str(exc):
            raise ArchiveUnavailableError(
                f"the archive database is busy ({exc}); another process holds it",
                file=str(self.path),
            ) from None
        cause = sqlite_cause(exc, self.path)
        if cause is None:
            raise ArchiveUnavailableError(
                f"the archive database cannot be opened ({exc}); run 'altlas archive verify' "
                "to check it",
                file=str(self.path),
            ) from None
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
        from altlas.index.migrations import MIGRATION_NAMES, MIGRATIONS

        with self.errors():
            applied = {m.name for m in MIGRATIONS.applied(db)}
        if not set(MIGRATION_NAMES) <= applied:
            conn.close()
            raise unavailable(self.path, f"{cause}, and it needs an upgrade") from None
        self.read_only = True
        self.read_only_cause = cause
        return db

    def _check(self, db: Any) -> None:
        """``PRAGMA quick_check``: a damaged database is refused on open, with the way back."""
        from altlas.index.health import integrity_problems, summarise_problems

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

        applied = [m.name for m in MIGRATIONS.applied(db)]
        unknown = [name for name in applied if name not in MIGRATION_NAMES]
        if unknown:
            raise ArchiveConflictError(
                f"the archive database was written by a newer altlas (migration {unknown[0]} "
                "is unknown here): upgrade altlas",
                file=str(self.path),
            )
        if len(applied) == len(MIGRATION_NAMES):
            return
        with self.lock.held("archive: migrate database"):
            MIGRATIONS.apply(db)

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
        """SQLite errors as one clear line: busy, the environment, or damage with the way back."""
        from altlas.index.health import is_corruption, sqlite_cause

        try:
            yield
        except sqlite3.Error as exc:
            text = str(exc)
            if "locked" in text or "busy" in text:
                raise ArchiveUnavailableError(
                    f"the archive database is busy ({text}); another process holds it",
                    file=str(self.path),
                ) from None
            if "no such table" in text or "no such column" in text:
                raise self.damaged(f"has an unexpected schema ({text})") from None
            if is_corruption(exc):
                raise self.damaged(f"is damaged ({text})") from None
            if self.read_only and "readonly" in text:
                raise unavailable(self.path, self.read_only_cause) from None
            cause = sqlite_cause(exc, self.path)
            if cause is not None:
                raise unavailable(self.path, cause) from None
            raise ArchiveUnavailableError(
                f"the archive database failed ({text}); run 'altlas archive verify' to check it",
                file=str(self.path),
            ) from None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        db = self.open()
        with self.errors(), db.atomic():
            yield db.conn

    # -- writing -----------------------------------------------------------------------------
    def insert_result(self, conn: sqlite3.Connection, row: Sequence[Any]) -> int:
        cur = conn.execute(_RESULT_INSERT, tuple(row))
        assert cur.lastrowid is not None
        return int(cur.lastrowid)

    def next_rid(self, conn: sqlite3.Connection) -> int:
        """The rid the next result gets, for a writer that inserts a batch at once (under the
        lock, in its transaction): past every rid ever used, as AUTOINCREMENT promises."""
        row = conn.execute(
            "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'results'), 0), "
            "coalesce((SELECT max(rid) FROM results), 0))"
        ).fetchone()
        return int(row[0]) + 1

    def insert_results(self, conn: sqlite3.Connection, rows: Sequence[Sequence[Any]]) -> None:
        """A batch of rows, each ``(rid, *RESULT_COLUMNS)`` with rids from :meth:`next_rid`."""
        conn.executemany(_RESULT_INSERT_WITH_RID, rows)

    def insert_tasks(self, conn: sqlite3.Connection, rows: Sequence[Sequence[Any]]) -> None:
        conn.executemany(_TASK_INSERT, rows)

    def insert_tags(self, conn: sqlite3.Connection, rid: int, tags: Sequence[str]) -> None:
        conn.executemany(
            "INSERT OR IGNORE INTO tags (rid, tag) VALUES (?, ?)", [(rid, t) for t in tags]
        )

    def insert_tag_rows(self, conn: sqlite3.Connection, rows: Sequence[tuple[int, str]]) -> None:
        conn.executemany("INSERT OR IGNORE INTO tags (rid, tag) VALUES (?, ?)", rows)

    def mark_indexed(self, rids: Sequence[int], value: int = 1) -> None:
        with self.transaction() as conn:
            conn.executemany(
                "UPDATE results SET indexed = ? WHERE rid = ?", [(value, r) for r in rids]
            )

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

    def count(self) -> int:
        return int(self.query("SELECT count(*) FROM results")[0][0])

    def records(
        self,
        filters: Filters,
        *,
        sort: RecordSort = RecordSort.TIME,
        ascending: bool = False,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[ArchiveRecord]:
        where, params = filter_sql(filters)
        column = _RECORD_ORDER[sort]
        direction = "ASC" if ascending else "DESC"
        sql = (
            f"SELECT {RECORD_COLUMNS} FROM results WHERE {where} "  # noqa: S608
            f"ORDER BY {column} {direction}, rid {direction} LIMIT ? OFFSET ?"
        )
        rows = self.query(sql, [*params, -1 if limit is None else limit, offset])
        return [row_to_record(r) for r in rows]

    def find(self, key: str) -> sqlite3.Row:
        """A record by archive id, full sha256, result id, or a unique id prefix (6+ chars)."""
        from altlas.errors import ArchiveNotFoundError

        key = key.strip()
        base = f"SELECT {RECORD_COLUMNS}, state FROM results WHERE "  # noqa: S608
        for clause in ("id = ?", "sha256 = ?", "result_id = ?"):
            rows = self.query(base + clause + " ORDER BY rid", [key])
            if rows:
                return rows[0]
        if len(key) >= 6 and all(c in "0123456789abcdef" for c in key.lower()):
            rows = self.query(base + "id LIKE ? ORDER BY rid LIMIT 3", [key.lower() + "%"])
            if len(rows) == 1:
                return rows[0]
            if len(rows) > 1:
                raise ArchiveInputError(f"id prefix {key!r} is ambiguous: give more characters")
        raise ArchiveNotFoundError(f"no archived result {key!r}")
