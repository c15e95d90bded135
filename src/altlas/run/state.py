"""The mutable state of one task during a run, and how it becomes a ``TaskResult``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from altlas.formats.common import TaskStatus, to_rfc3339
from altlas.formats.plan import Task
from altlas.formats.result import Artifact, ErrorInfo, TaskResult

__all__ = ["TaskState", "normalise_output"]


def _default(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def _instant(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def normalise_output(output: Any) -> tuple[Any, bytes]:
    """Output as plain JSON data (what a reader of the journal or the .last gets back)."""
    raw = orjson.dumps(output, default=_default, option=orjson.OPT_NON_STR_KEYS)
    if output is None or isinstance(output, str | int | bool):
        return output, raw
    return orjson.loads(raw), raw


@dataclass(slots=True, eq=False)
class TaskState:
    task: Task
    index: int
    status: TaskStatus = TaskStatus.PENDING
    handler: str | None = None
    attempts: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None
    duration_ms: float | None = None
    output: Any = None
    output_json: bytes = b"null"
    error: ErrorInfo | None = None
    cached: bool = False
    artifacts: list[Artifact] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.task.id

    def set_output(self, output: Any) -> None:
        self.output, self.output_json = normalise_output(output)

    def restore(self, row: Mapping[str, Any]) -> None:
        """Completed by an earlier process, as its journal (or a worker's KV record) has it."""
        self.status = TaskStatus.COMPLETED
        self.handler = row["handler"]
        self.attempts = row["attempts"] or 0
        self.started_at = _instant(row["started_at"])
        self.finished_at = _instant(row["finished_at"])
        self.duration_ms = row["duration_ms"]
        self.set_output(row["output"])
        self.error = ErrorInfo.model_validate(row["error"]) if row["error"] else None
        self.cached = bool(row["cached"])
        self.artifacts = [Artifact.model_validate(a) for a in row["artifacts"] or []]
        self.metadata = dict(row["metadata"] or {})

    def row(self, run_id: str) -> tuple[Any, ...]:
        """Journal columns, in the order :mod:`altlas.run.journal` updates them."""
        return (
            self.status.value,
            self.handler,
            self.attempts,
            to_rfc3339(self.started_at) if self.started_at else None,
            to_rfc3339(self.finished_at) if self.finished_at else None,
            self.duration_ms,
            self.output_json if self.status.finished else None,
            orjson.dumps(self.error.model_dump(mode="json")) if self.error else None,
            int(self.cached),
            orjson.dumps([a.model_dump(mode="json") for a in self.artifacts])
            if self.artifacts
            else None,
            orjson.dumps(self.metadata, default=str) if self.metadata else None,
            run_id,
            self.task.id,
        )

    def to_result(self) -> TaskResult:
        return TaskResult.assembled(
            {
                "task_id": self.task.id,
                "status": self.status,
                "type": self.task.type,
                "description": self.task.description or None,
                "handler": self.handler,
                "attempts": self.attempts,
                "started_at": self.started_at,
                "finished_at": self.finished_at,
                "duration_ms": self.duration_ms,
                "output": self.output,
                "error": self.error,
                "cached": self.cached,
                "metadata": dict(self.metadata),
            }
        )
