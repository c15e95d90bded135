"""The run journal: every run and task state in SQLite (WAL) at ``ALTLAS_HOME/runs.db``.

Durability rule (see docs/runner.md): state changes are buffered and committed as one
transaction per scheduler tick (group commit), and the scheduler commits a task's completion
*before* any dependent of it starts. After a crash, a task is either recorded as completed,
with its output, or it runs again on resume; tasks that were running at the crash may thus
run twice (at-least-once), completed ones never do.

``journal_sync = "normal"`` (the default) survives a killed process; ``"full"`` also survives
power loss at the cost of an fsync per tick.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from sqlite_utils import Database

from altlas.errors import ExecutionError, RunNotFoundError
from altlas.formats.common import to_rfc3339, utcnow
from altlas.run.journal_schema import (
    MIGRATIONS,
    JournalDamaged,
    journal_damaged,
    refuse_damaged,
    refuse_damaged_file,
)

__all__ = [
    "JOURNAL_NAME",
    "MIGRATIONS",
    "Journal",
    "JournalDamaged",
    "RunRecord",
]

JOURNAL_NAME = "runs.db"
_TASK_UPDATE = (
    "UPDATE tasks SET status=?, handler=?, attempts=?, started_at=?, finished_at=?, "
    "duration_ms=?, output=?, error=?, cached=?, artifacts=?, metadata=? "
    "WHERE run_id=? AND task_id=?"
)
_RUN_FIELDS = {
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


def _loads(value: Any) -> Any:
    if value is None:
        return None
    return orjson.loads(value)


@dataclass(slots=True)
class RunRecord:
    """A run as the journal knows it."""

    id: str
    plan_id: str
    title: str | None
    status: str
    created_at: str
    started_at: str | None
    finished_at: str | None
    duration_ms: float | None
    success_rate: float | None
    task_count: int
    counts: dict[str, int]
    plan: dict[str, Any]
    plan_path: str | None
    options: dict[str, Any]
    result_path: str | None
    report_path: str | None
    host: str | None
    pid: int | None
    altlas_version: str | None
    resumes: int
    tasks: list[dict[str, Any]] = field(default_factory=list)

    def summary_row(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "title": self.title,
            "tasks": self.task_count,
            "success_rate": self.success_rate,
            "created_at": self.created_at,
            "duration_ms": self.duration_ms,
            "result_path": self.result_path,
        }


class Journal:
    """One connection to the journal. Not thread-safe: use it from the event loop thread."""

    def __init__(self, path: str | Path, *, sync: str = "normal", readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self.conn = self._connect_readonly() if readonly else self._connect(sync)
        self.db = Database(self.conn, execute_plugins=False)
        self._tasks: dict[tuple[str, str], tuple[Any, ...]] = {}
        self._cache: dict[str, tuple[Any, ...]] = {}
        self._hits: list[str] = []

    def _connect(self, sync: str) -> sqlite3.Connection:
        from altlas.config import ensure_home
        from altlas.index.lock import ArchiveLock

        ensure_home(self.path.parent)
        refuse_damaged_file(self.path)
        # Two processes opening a fresh journal at once would both try to upgrade a read lock to
        # a write lock inside the migration, and SQLite answers one of them "database is locked"
        # at once instead of waiting; an OS file lock makes set-up one process at a time.
        setup_lock = ArchiveLock(self.path.with_name(self.path.name + ".setup.lock"), timeout=60)
        conn = sqlite3.connect(str(self.path), timeout=30.0)
        try:
            with self.errors("open"):
                refuse_damaged(conn, self.path)
                with setup_lock.held("run journal set-up"):
                    conn.execute("PRAGMA journal_mode=WAL")
                    conn.execute(f"PRAGMA synchronous={sync.upper()}")
                    conn.execute("PRAGMA foreign_keys=ON")
                    MIGRATIONS.apply(Database(conn, execute_plugins=False))
        except BaseException:
            conn.close()
            raise
        return conn

    def _connect_readonly(self) -> sqlite3.Connection:
        """For listing and showing: works on a read-only home; no file yet means no runs."""
        from altlas.config import ensure_home
        from altlas.index.health import open_readonly

        ensure_home(self.path.parent)
        if not self.path.is_file():
            conn = sqlite3.connect(":memory:")
            MIGRATIONS.apply(Database(conn, execute_plugins=False))
            return conn
        refuse_damaged_file(self.path)
        with self.errors("open"):
            conn = open_readonly(self.path)
        try:
            with self.errors("open"):
                refuse_damaged(conn, self.path)
                if MIGRATIONS.pending(Database(conn, execute_plugins=False)):
                    raise ExecutionError(
                        "the run journal needs an upgrade, which a read-only command cannot "
                        "do: run 'altlas runs list' where the home is writable",
                        file=str(self.path),
                    )
        except BaseException:
            conn.close()
            raise
        return conn

    @contextmanager
    def errors(self, doing: str = "write") -> Iterator[None]:
        """SQLite errors as one line: damage (with the way back) or the environment's cause."""
        from altlas.index.health import is_corruption, sqlite_cause

        try:
            yield
        except sqlite3.Error as exc:
            if is_corruption(exc):
                raise journal_damaged(self.path, str(exc)) from None
            cause = sqlite_cause(exc, self.path)
            if cause is not None:
                raise ExecutionError(
                    f"cannot {doing} the run journal: {cause} (the journal is not damaged)",
                    file=str(self.path),
                ) from None
            raise ExecutionError(
                f"cannot {doing} the run journal: {exc}", file=str(self.path)
            ) from None

    @classmethod
    def open(cls, home: str | Path, *, sync: str = "normal", readonly: bool = False) -> Journal:
        return cls(Path(home) / JOURNAL_NAME, sync=sync, readonly=readonly)

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self.conn.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # writing -------------------------------------------------------------------------------

    def create_run(
        self,
        *,
        run_id: str,
        plan: bytes,
        plan_id: str,
        title: str | None,
        task_ids: Sequence[str],
        options: dict[str, Any],
        plan_path: str | None = None,
        **fields: Any,
    ) -> None:
        """The run and all its tasks (``pending``), in one transaction."""
        now = to_rfc3339(utcnow())
        with self.errors(), self.db.atomic():
            self.conn.execute(
                "INSERT INTO runs (id, plan_id, title, status, created_at, updated_at, "
                "task_count, plan, plan_path, options, resumes) VALUES (?,?,?,?,?,?,?,?,?,?,0)",
                (
                    run_id,
                    plan_id,
                    title,
                    "pending",
                    now,
                    now,
                    len(task_ids),
                    plan.decode(),
                    plan_path,
                    orjson.dumps(options, default=str).decode(),
                ),
            )
            self.conn.executemany(
                "INSERT INTO tasks (run_id, task_id, seq, status, attempts, cached) "
                "VALUES (?,?,?,'pending',0,0)",
                ((run_id, tid, i) for i, tid in enumerate(task_ids)),
            )
            self._update_run(run_id, fields)

    def _update_run(self, run_id: str, fields: dict[str, Any]) -> None:
        unknown = set(fields) - _RUN_FIELDS
        if unknown:
            raise ValueError(f"unknown run fields: {sorted(unknown)}")
        if not fields:
            return
        values = [
            orjson.dumps(v).decode() if isinstance(v, dict | list) else v for v in fields.values()
        ]
        sets = ", ".join(f"{k}=?" for k in fields)
        self.conn.execute(
            f"UPDATE runs SET {sets}, updated_at=? WHERE id=?",  # noqa: S608  (keys are checked)
            (*values, to_rfc3339(utcnow()), run_id),
        )

    def update_run(self, run_id: str, **fields: Any) -> None:
        """Change run fields now, together with any buffered task states."""
        with self.errors(), self.db.atomic():
            self._write_buffers()
            self._update_run(run_id, fields)

    def record(self, run_id: str, row: tuple[Any, ...]) -> None:
        """Buffer a task state (a :meth:`TaskState.row`); the latest per task wins."""
        self._tasks[(run_id, row[-1])] = row

    def cache_put(self, key: str, handler: str, output: bytes, artifacts: bytes | None) -> None:
        self._cache[key] = (key, handler, output.decode(), artifacts, to_rfc3339(utcnow()))

    def _write_buffers(self) -> None:
        if self._tasks:
            self.conn.executemany(_TASK_UPDATE, self._tasks.values())
            self._tasks.clear()
        if self._cache:
            self.conn.executemany(
                "INSERT OR REPLACE INTO cache (key, handler, output, artifacts, created_at, hits) "
                "VALUES (?,?,?,?,?,0)",
                self._cache.values(),
            )
            self._cache.clear()
        if self._hits:
            self.conn.executemany(
                "UPDATE cache SET hits = hits + 1 WHERE key=?", ((k,) for k in self._hits)
            )
            self._hits.clear()

    @property
    def dirty(self) -> bool:
        return bool(self._tasks or self._cache or self._hits)

    def flush(self) -> None:
        """Commit every buffered change in one transaction."""
        if not self.dirty:
            return
        with self.errors(), self.db.atomic():
            self._write_buffers()

    # reading -------------------------------------------------------------------------------

    def resolve_id(self, run_id: str) -> str:
        """The full id of a run from its id or a unique prefix of it."""
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

    def _record(self, row: sqlite3.Row | tuple[Any, ...], names: list[str]) -> RunRecord:
        data = dict(zip(names, row, strict=True))
        return RunRecord(
            id=data["id"],
            plan_id=data["plan_id"],
            title=data["title"],
            status=data["status"],
            created_at=data["created_at"],
            started_at=data["started_at"],
            finished_at=data["finished_at"],
            duration_ms=data["duration_ms"],
            success_rate=data["success_rate"],
            task_count=data["task_count"] or 0,
            counts=_loads(data["counts"]) or {},
            plan=_loads(data["plan"]) or {},
            plan_path=data["plan_path"],
            options=_loads(data["options"]) or {},
            result_path=data["result_path"],
            report_path=data["report_path"],
            host=data["host"],
            pid=data["pid"],
            altlas_version=data["altlas_version"],
            resumes=data["resumes"] or 0,
        )

    def load_run(self, run_id: str, *, tasks: bool = True) -> RunRecord:
        with self.errors("read"):
            return self._load_run(run_id, tasks=tasks)

    def _load_run(self, run_id: str, *, tasks: bool) -> RunRecord:
        full = self.resolve_id(run_id)
        cur = self.conn.execute("SELECT * FROM runs WHERE id=?", (full,))
        names = [d[0] for d in cur.description]
        record = self._record(cur.fetchone(), names)
        if tasks:
            record.tasks = list(self.task_rows(full))
        return record

    def task_rows(self, run_id: str) -> Iterator[dict[str, Any]]:
        cur = self.conn.execute(
            "SELECT task_id, seq, status, handler, attempts, started_at, finished_at, "
            "duration_ms, output, error, cached, artifacts, metadata FROM tasks "
            "WHERE run_id=? ORDER BY seq",
            (run_id,),
        )
        names = [d[0] for d in cur.description]
        for row in cur:
            data = dict(zip(names, row, strict=True))
            for key in ("output", "error", "artifacts", "metadata"):
                data[key] = _loads(data[key])
            data["cached"] = bool(data["cached"])
            yield data

    def list_runs(self, *, limit: int = 20, status: str | None = None) -> list[RunRecord]:
        sql = "SELECT * FROM runs"
        args: list[Any] = []
        if status:
            sql += " WHERE status=?"
            args.append(status)
        sql += " ORDER BY created_at DESC, rowid DESC LIMIT ?"
        args.append(limit)
        with self.errors("read"):
            cur = self.conn.execute(sql, args)
            names = [d[0] for d in cur.description]
            return [self._record(row, names) for row in cur.fetchall()]

    def latest_outputs(self, plan_id: str, task_ids: Sequence[str]) -> dict[str, Any]:
        """For each task id, its output in the latest run of ``plan_id`` that completed it."""
        found: dict[str, Any] = {}
        for tid in task_ids:
            row = self.conn.execute(
                "SELECT t.output FROM tasks t JOIN runs r ON r.id = t.run_id "
                "WHERE r.plan_id=? AND t.task_id=? AND t.status='completed' "
                "ORDER BY t.finished_at DESC LIMIT 1",
                (plan_id, tid),
            ).fetchone()
            if row is not None:
                found[tid] = _loads(row[0])
        return found

    def cache_get(self, key: str) -> tuple[Any, list[dict[str, Any]]] | None:
        row = self.conn.execute(
            "SELECT output, artifacts FROM cache WHERE key=?", (key,)
        ).fetchone()
        if row is None:
            return None
        return _loads(row[0]), _loads(row[1]) or []

    def cache_hit(self, key: str) -> None:
        self._hits.append(key)
