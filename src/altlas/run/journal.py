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

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from altlas.formats.common import to_rfc3339, utcnow
from altlas.run.journal_schema import MIGRATIONS, JournalDamaged
from altlas.run.journal_store import JournalStore, open_store

__all__ = [
    "JOURNAL_NAME",
    "MIGRATIONS",
    "Journal",
    "JournalDamaged",
    "RunRecord",
]

JOURNAL_NAME = "runs.db"


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
    """The run journal: buffered task states, group commit, and runs read back as records.

    All SQL lives in its repository (:mod:`altlas.run.journal_store`); this class decides
    what is written when. Not thread-safe: use it from the event loop thread.
    """

    def __init__(self, path: str | Path, *, sync: str = "normal", readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self.store: JournalStore = open_store(self.path, sync=sync, readonly=readonly)
        self._tasks: dict[tuple[str, str], tuple[Any, ...]] = {}
        self._cache: dict[str, tuple[Any, ...]] = {}
        self._hits: list[str] = []

    @classmethod
    def open(cls, home: str | Path, *, sync: str = "normal", readonly: bool = False) -> Journal:
        return cls(Path(home) / JOURNAL_NAME, sync=sync, readonly=readonly)

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self.store.close()

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
        run = {
            "id": run_id,
            "plan_id": plan_id,
            "title": title,
            "status": "pending",
            "created_at": to_rfc3339(utcnow()),
            "plan": plan.decode(),
            "plan_path": plan_path,
            "options": orjson.dumps(options, default=str).decode(),
        }
        with self.store.transaction():
            self.store.insert_run(run, task_ids)
            self._update_run(run_id, fields)

    def _update_run(self, run_id: str, fields: dict[str, Any]) -> None:
        values = {
            k: orjson.dumps(v).decode() if isinstance(v, dict | list) else v
            for k, v in fields.items()
        }
        self.store.update_run(run_id, values, to_rfc3339(utcnow()))

    def update_run(self, run_id: str, **fields: Any) -> None:
        """Change run fields now, together with any buffered task states."""
        with self.store.transaction():
            self._write_buffers()
            self._update_run(run_id, fields)

    def record(self, run_id: str, row: tuple[Any, ...]) -> None:
        """Buffer a task state (a :meth:`TaskState.row`); the latest per task wins."""
        self._tasks[(run_id, row[-1])] = row

    def cache_put(self, key: str, handler: str, output: bytes, artifacts: bytes | None) -> None:
        self._cache[key] = (key, handler, output.decode(), artifacts, to_rfc3339(utcnow()))

    def _write_buffers(self) -> None:
        if self._tasks:
            self.store.update_tasks(self._tasks.values())
            self._tasks.clear()
        if self._cache:
            self.store.put_cache(self._cache.values())
            self._cache.clear()
        if self._hits:
            self.store.count_cache_hits(self._hits)
            self._hits.clear()

    @property
    def dirty(self) -> bool:
        return bool(self._tasks or self._cache or self._hits)

    def flush(self) -> None:
        """Commit every buffered change in one transaction."""
        if not self.dirty:
            return
        with self.store.transaction():
            self._write_buffers()

    # reading -------------------------------------------------------------------------------

    def resolve_id(self, run_id: str) -> str:
        """The full id of a run from its id or a unique prefix of it."""
        with self.store.reading():
            return self.store.resolve_id(run_id)

    def _record(self, data: dict[str, Any]) -> RunRecord:
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
        with self.store.reading():
            full = self.store.resolve_id(run_id)
            record = self._record(self.store.run_row(full))
            if tasks:
                record.tasks = list(self._task_rows(full))
        return record

    def _task_rows(self, run_id: str) -> Iterator[dict[str, Any]]:
        for data in self.store.task_rows(run_id):
            for key in ("output", "error", "artifacts", "metadata"):
                data[key] = _loads(data[key])
            data["cached"] = bool(data["cached"])
            yield data

    def task_rows(self, run_id: str) -> Iterator[dict[str, Any]]:
        with self.store.reading():
            yield from self._task_rows(run_id)

    def list_runs(self, *, limit: int = 20, status: str | None = None) -> list[RunRecord]:
        with self.store.reading():
            rows = self.store.run_rows(limit=limit, status=status)
        return [self._record(row) for row in rows]

    def latest_outputs(self, plan_id: str, task_ids: Sequence[str]) -> dict[str, Any]:
        """For each task id, its output in the latest run of ``plan_id`` that completed it."""
        found: dict[str, Any] = {}
        with self.store.reading():
            for tid in task_ids:
                output = self.store.latest_output(plan_id, tid)
                if output is not None:
                    found[tid] = _loads(output)
        return found

    def cache_get(self, key: str) -> tuple[Any, list[dict[str, Any]]] | None:
        with self.store.reading():
            row = self.store.cache_row(key)
        if row is None:
            return None
        return _loads(row[0]), _loads(row[1]) or []

    def cache_hit(self, key: str) -> None:
        self._hits.append(key)
