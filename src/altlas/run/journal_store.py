"""The run journal's repository: every SQL statement on ``runs.db``, behind a Protocol.

:class:`~altlas.run.journal.Journal` (buffering, group commit, records) talks to a
:class:`JournalStore`; :class:`SqliteJournalStore` is the one implementation today, and a
Postgres one would sit behind the same Protocol. Callers get it from :func:`open_store`.

Statements are constant strings with ``?`` parameters; run field names are checked against
a fixed set before they reach an ``UPDATE``.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol

from altlas.errors import ConfigError, RunNotFoundError, UnavailableError
from altlas.run.journal_schema import (
    MIGRATIONS,
    REPAIR_HINT,
    WHAT,
    JournalDamaged,
    journal_damaged,
    refuse_damaged,
)

__all__ = ["RUN_FIELDS", "JournalStore", "SqliteJournalStore", "open_store"]

RUN_FIELDS = frozenset(
    {
        "title",
        "status",
        "started_at",
        "finished_at",
        "duration_ms",
        "success_rate",
        "counts",
        "options",
        "result_path",
        "report_path",
        "host",
        "pid",
        "altlas_version",
        "resumes",
    }
)
_TASK_UPDATE = (
    "UPDATE tasks SET status=?, handler=?, attempts=?, started_at=?, finished_at=?, "
    "duration_ms=?, output=?, error=?, cached=?, artifacts=?, metadata=? "
    "WHERE run_id=? AND task_id=?"
)
_TASK_COLUMNS = (
    "SELECT task_id, seq, status, handler, attempts, started_at, finished_at, "
    "duration_ms, output, error, cached, artifacts, metadata FROM tasks "
    "WHERE run_id=? ORDER BY seq"
)


class JournalStore(Protocol):
    """What the journal needs from its database. JSON columns travel as text."""

    path: Path
    readonly: bool

    def transaction(self) -> AbstractContextManager[None]: ...
    def insert_run(self, run: Mapping[str, Any], task_ids: Sequence[str]) -> None: ...
    def update_run(self, run_id: str, fields: Mapping[str, Any], updated_at: str) -> None: ...
    def update_tasks(self, rows: Iterable[tuple[Any, ...]]) -> None: ...
    def put_cache(self, rows: Iterable[tuple[Any, ...]]) -> None: ...
    def count_cache_hits(self, keys: Iterable[str]) -> None: ...
    def resolve_id(self, run_id: str) -> str: ...
    def run_row(self, run_id: str) -> dict[str, Any]: ...
    def run_rows(self, *, limit: int, status: str | None) -> list[dict[str, Any]]: ...
    def task_rows(self, run_id: str) -> Iterator[dict[str, Any]]: ...
    def latest_output(self, plan_id: str, task_id: str) -> str | None: ...
    def cache_row(self, key: str) -> tuple[str | None, str | None] | None: ...
    def count_runs(self) -> int: ...
    def reading(self) -> AbstractContextManager[None]: ...
    def close(self) -> None: ...


def open_store(path: Path, *, sync: str = "normal", readonly: bool = False) -> JournalStore:
    """The journal's repository at ``path`` (a read-only one lists and shows, never writes)."""
    return SqliteJournalStore(path, sync=sync, readonly=readonly)


class SqliteJournalStore:
    """``runs.db`` in WAL mode; one connection, used from one thread at a time."""

    def __init__(
        self,
        path: Path,
        *,
        sync: str = "normal",
        readonly: bool = False,
        conn: sqlite3.Connection | None = None,
    ) -> None:
        """``conn``: a connection already open on ``path``, taken as it is (``runs verify``
        reads a file that may be damaged or old, so it must neither check nor migrate it)."""
        self.path = Path(path)
        self.readonly = readonly
        if conn is not None:
            self.conn = conn
        else:
            self.conn = self._connect_readonly() if readonly else self._connect(sync)

    # opening -------------------------------------------------------------------------------

    def _connect(self, sync: str) -> sqlite3.Connection:
        from altlas.config import ensure_home
        from altlas.storage.lock import FileLock
        from altlas.storage.migrations import apply
        from altlas.storage.sqlite import connect

        ensure_home(self.path.parent)
        level = sync.upper()
        if level not in ("OFF", "NORMAL", "FULL"):
            raise ConfigError(f"unknown journal_sync {sync!r} (off, normal or full)")
        # Two processes opening a fresh journal at once: switching to WAL takes a lock SQLite
        # does not wait for, so the opening itself is one process at a time (an flock: cheap).
        lock = FileLock(self.path.with_name(self.path.name + ".setup.lock"), timeout=60, what=WHAT)
        with lock.held("run journal set-up"):
            conn = self._guarded_connect(connect, pragmas={"synchronous": level})
            try:
                with self.errors("open"):
                    refuse_damaged(conn, self.path)
                    apply(conn, MIGRATIONS)
            except BaseException:
                conn.close()
                raise
        return conn

    def _guarded_connect(self, connect: Any, **options: Any) -> sqlite3.Connection:
        from altlas.errors import CorruptError

        try:
            conn: sqlite3.Connection = connect(
                self.path, what=WHAT, repair_hint=REPAIR_HINT, **options
            )
        except CorruptError as exc:
            raise _as_journal_error(exc, self.path) from None
        return conn

    def _connect_readonly(self) -> sqlite3.Connection:
        """For listing and showing: works on a read-only home; no file yet means no runs."""
        from altlas.config import ensure_home
        from altlas.storage.migrations import apply, pending
        from altlas.storage.sqlite import connect

        ensure_home(self.path.parent)
        if not self.path.is_file():
            conn = sqlite3.connect(":memory:")
            apply(conn, MIGRATIONS)
            return conn
        conn = self._guarded_connect(connect, readonly=True)
        try:
            with self.errors("open"):
                refuse_damaged(conn, self.path)
                outdated = bool(pending(conn, MIGRATIONS))
        except BaseException:
            conn.close()
            raise
        if not outdated:
            return conn
        conn.close()
        if not (os.access(self.path, os.W_OK) and os.access(self.path.parent, os.W_OK)):
            raise UnavailableError(
                "the run journal needs an upgrade, which cannot be written here: run any "
                "altlas command once where the home is writable (altlas runs list will do)",
                file=str(self.path),
            )
        # Where it can be written, upgrade as every writing open would (after an altlas
        # upgrade, 'runs list' is often the first command; refusing it helped nobody).
        self._connect("NORMAL").close()
        return self._guarded_connect(connect, readonly=True)

    @contextmanager
    def errors(self, doing: str = "write") -> Iterator[None]:
        """SQLite errors as one line: damage (with the way back) or the environment's cause."""
        from altlas.storage.sqlite import translate

        try:
            yield
        except sqlite3.Error as exc:
            error = translate(exc, self.path, what=WHAT, doing=doing, repair_hint=REPAIR_HINT)
            raise _as_journal_error(error, self.path) from None

    def reading(self) -> AbstractContextManager[None]:
        return self.errors("read")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction: everything inside commits together, or nothing does."""
        with self.errors():
            if self.conn.in_transaction:
                yield
                return
            self.conn.execute("BEGIN")
            try:
                yield
            except BaseException:
                self.conn.rollback()
                raise
            self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()

    # writing -------------------------------------------------------------------------------

    def insert_run(self, run: Mapping[str, Any], task_ids: Sequence[str]) -> None:
        self.conn.execute(
            "INSERT INTO runs (id, plan_id, title, status, created_at, updated_at, "
            "task_count, plan, plan_path, options, resumes) VALUES (?,?,?,?,?,?,?,?,?,?,0)",
            (
                run["id"],
                run["plan_id"],
                run["title"],
                run["status"],
                run["created_at"],
                run["created_at"],
                len(task_ids),
                run["plan"],
                run["plan_path"],
                run["options"],
            ),
        )
        self.conn.executemany(
            "INSERT INTO tasks (run_id, task_id, seq, status, attempts, cached) "
            "VALUES (?,?,?,'pending',0,0)",
            ((run["id"], tid, i) for i, tid in enumerate(task_ids)),
        )

    def update_run(self, run_id: str, fields: Mapping[str, Any], updated_at: str) -> None:
        unknown = set(fields) - RUN_FIELDS
        if unknown:
            raise ValueError(f"unknown run fields: {sorted(unknown)}")
        if not fields:
            return
        sets = ", ".join(f"{k}=?" for k in fields)
        self.conn.execute(
            f"UPDATE runs SET {sets}, updated_at=? WHERE id=?",  # noqa: S608  (keys are checked)
            (*fields.values(), updated_at, run_id),
        )

    def update_tasks(self, rows: Iterable[tuple[Any, ...]]) -> None:
        self.conn.executemany(_TASK_UPDATE, rows)

    def put_cache(self, rows: Iterable[tuple[Any, ...]]) -> None:
        self.conn.executemany(
            "INSERT OR REPLACE INTO cache (key, handler, output, artifacts, created_at, hits) "
            "VALUES (?,?,?,?,?,0)",
            rows,
        )

    def count_cache_hits(self, keys: Iterable[str]) -> None:
        self.conn.executemany("UPDATE cache SET hits = hits + 1 WHERE key=?", ((k,) for k in keys))

    # reading -------------------------------------------------------------------------------

    def resolve_id(self, run_id: str) -> str:
        row = self.conn.execute("SELECT id FROM runs WHERE id=?", (run_id,)).fetchone()
        if row:
            return str(row[0])
        pattern = run_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self.conn.execute(
            "SELECT id FROM runs WHERE id LIKE ? ESCAPE '\\' LIMIT 3", (pattern,)
        ).fetchall()
        if len(rows) == 1:
            return str(rows[0][0])
        if len(rows) > 1:
            raise RunNotFoundError(
                f"run id '{run_id}' is ambiguous ({', '.join(r[0] for r in rows)}, ...)"
            )
        raise RunNotFoundError(f"no run '{run_id}' in the journal {self.path}")

    def _dicts(self, cur: sqlite3.Cursor) -> Iterator[dict[str, Any]]:
        names = [d[0] for d in cur.description]
        for row in cur:
            yield dict(zip(names, row, strict=True))

    def run_row(self, run_id: str) -> dict[str, Any]:
        cur = self.conn.execute("SELECT * FROM runs WHERE id=?", (run_id,))
        for row in self._dicts(cur):
            return row
        raise RunNotFoundError(f"no run '{run_id}' in the journal {self.path}")

    def run_rows(self, *, limit: int, status: str | None) -> list[dict[str, Any]]:
        if status:
            cur = self.conn.execute(
                "SELECT * FROM runs WHERE status=? ORDER BY created_at DESC, rowid DESC LIMIT ?",
                (status, limit),
            )
        else:
            cur = self.conn.execute(
                "SELECT * FROM runs ORDER BY created_at DESC, rowid DESC LIMIT ?", (limit,)
            )
        return list(self._dicts(cur))

    def task_rows(self, run_id: str) -> Iterator[dict[str, Any]]:
        return self._dicts(self.conn.execute(_TASK_COLUMNS, (run_id,)))

    def latest_output(self, plan_id: str, task_id: str) -> str | None:
        row = self.conn.execute(
            "SELECT t.output FROM tasks t JOIN runs r ON r.id = t.run_id "
            "WHERE r.plan_id=? AND t.task_id=? AND t.status='completed' "
            "ORDER BY t.finished_at DESC LIMIT 1",
            (plan_id, task_id),
        ).fetchone()
        return None if row is None else row[0]

    def cache_row(self, key: str) -> tuple[str | None, str | None] | None:
        row = self.conn.execute(
            "SELECT output, artifacts FROM cache WHERE key=?", (key,)
        ).fetchone()
        return None if row is None else (row[0], row[1])

    def count_runs(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM runs").fetchone()[0])


def _as_journal_error(error: Exception, path: Path) -> Exception:
    """Damage in the journal's own class, whose message says how to repair it."""
    from altlas.errors import CorruptError

    if isinstance(error, CorruptError) and not isinstance(error, JournalDamaged):
        return journal_damaged(path, str(error.context.get("reason", error.message)))
    return error
