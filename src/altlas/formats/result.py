"""The canonical ``.last`` result model (format ``altlas.last``, version 1).

Designed from the original runner's ``LastFile`` (L1) with its bugs fixed: ``finished_at`` is
when the run finished (not when the file was generated), the execution graph's nodes are the
task ids, statuses are spelled one way everywhere, and every task of the plan has a result.

Status rules (compatible with the original thresholds):

* ``success_rate`` = completed tasks / tasks in the result (a cache hit counts as completed);
* run ``status`` = ``success`` when the rate is exactly 1, ``partial_success`` when above 0,
  ``failure`` otherwise or with no tasks, and ``cancelled`` when the run was interrupted.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from altlas.formats.common import (
    ArtifactKind,
    LooseEnum,
    Mode,
    Priority,
    StrictModel,
    TaskStatus,
    Timestamp,
    new_id,
)

__all__ = [
    "RESULT_FORMAT",
    "RESULT_FORMAT_VERSION",
    "Artifact",
    "ErrorInfo",
    "ExecutionGraph",
    "GraphEdge",
    "GraphNode",
    "Result",
    "RunStatus",
    "TaskResult",
    "run_status_for",
    "success_rate_of",
]

RESULT_FORMAT: Literal["altlas.last"] = "altlas.last"
RESULT_FORMAT_VERSION: Literal[1] = 1


class RunStatus(LooseEnum):
    SUCCESS = "success"
    PARTIAL_SUCCESS = "partial_success"
    FAILURE = "failure"
    CANCELLED = "cancelled"
    RUNNING = "running"

    @classmethod
    def _lookup_key(cls, text: str) -> str:
        key = text.strip().lower().replace("-", "_")
        return "partial_success" if key in ("partialsuccess", "partial") else key


class ErrorInfo(StrictModel):
    """Why a task did not complete."""

    type: str
    message: str
    details: dict[str, Any] | None = None


class TaskResult(StrictModel):
    task_id: str = Field(min_length=1)
    status: TaskStatus
    type: str | None = None
    description: str | None = None
    handler: str | None = None
    attempts: int = Field(default=0, ge=0)
    started_at: Timestamp | None = None
    finished_at: Timestamp | None = None
    duration_ms: float | None = Field(default=None, ge=0)
    output: Any = None
    error: ErrorInfo | None = None
    cached: bool = False
    metadata: dict[str, Any] = Field(default_factory=dict)


class Artifact(StrictModel):
    """A file a handler produced."""

    id: str = Field(default_factory=lambda: new_id("art"))
    name: str
    kind: ArtifactKind = ArtifactKind.FILE
    task_id: str | None = None
    path: str
    created_at: Timestamp | None = None
    size_bytes: int | None = Field(default=None, ge=0)
    mime_type: str | None = None
    sha256: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class GraphNode(StrictModel):
    task_id: str
    status: TaskStatus
    duration_ms: float | None = None
    started_at: Timestamp | None = None
    finished_at: Timestamp | None = None


class GraphEdge(StrictModel):
    """``source`` must finish before ``target``; both are task ids."""

    source: str
    target: str
    dependency_type: Literal["required", "optional", "conditional"] = "required"


class ExecutionGraph(StrictModel):
    nodes: list[GraphNode] = Field(default_factory=list)
    edges: list[GraphEdge] = Field(default_factory=list)


class Result(StrictModel):
    """The result of running one plan."""

    format: Literal["altlas.last"] = RESULT_FORMAT
    format_version: Literal[1] = RESULT_FORMAT_VERSION
    id: str = Field(default_factory=lambda: new_id("last"), min_length=1)
    run_id: str = Field(default_factory=lambda: new_id("run"), min_length=1)
    plan_id: str = ""
    title: str | None = None
    command: str | None = None
    language: str | None = None
    mode: Mode = Mode.NORMAL
    persona: str | None = None
    status: RunStatus = RunStatus.FAILURE
    success_rate: float = Field(default=0.0, ge=0, le=1)
    started_at: Timestamp | None = None
    finished_at: Timestamp | None = None
    duration_ms: float = Field(default=0, ge=0)
    tasks: list[TaskResult] = Field(default_factory=list)
    artifacts: list[Artifact] = Field(default_factory=list)
    graph: ExecutionGraph = Field(default_factory=ExecutionGraph)
    summary: str | None = None
    answer: str | None = None
    """What ``altlas do`` found or did, as a person reads it (the number, the files written)."""
    priority: Priority | None = None
    tags: list[str] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)

    def task(self, task_id: str) -> TaskResult:
        for result in self.tasks:
            if result.task_id == task_id:
                return result
        raise KeyError(task_id)

    def counts(self) -> dict[str, int]:
        """How many tasks ended in each status."""
        out: dict[str, int] = {}
        for result in self.tasks:
            out[result.status.value] = out.get(result.status.value, 0) + 1
        return out


def success_rate_of(tasks: list[TaskResult]) -> float:
    """Completed / all; 0 with no tasks."""
    if not tasks:
        return 0.0
    done = sum(1 for t in tasks if t.status is TaskStatus.COMPLETED)
    return done / len(tasks)


def run_status_for(rate: float, *, has_tasks: bool, cancelled: bool = False) -> RunStatus:
    """The original thresholds: 1.0 success, above 0 partial, else failure."""
    if cancelled:
        return RunStatus.CANCELLED
    if not has_tasks:
        return RunStatus.FAILURE
    if rate >= 1.0:
        return RunStatus.SUCCESS
    if rate > 0.0:
        return RunStatus.PARTIAL_SUCCESS
    return RunStatus.FAILURE
