"""The job queue interface: what the server needs from whatever executes runs.

The embedded implementation (:mod:`altlas.events.embedded`) keeps jobs in SQLite and runs
them on an in-process worker pool; a NATS JetStream implementation can sit behind the same
protocol. Executors are plain functions registered per job kind; they receive a
:class:`JobContext` and return a :class:`JobOutcome`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from altlas.errors import ConflictError, NotFoundError

__all__ = [
    "Executor",
    "Job",
    "JobContext",
    "JobEvent",
    "JobNotFoundError",
    "JobOutcome",
    "JobQueue",
    "JobState",
    "JobStateError",
]


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def terminal(self) -> bool:
        return self in (JobState.DONE, JobState.FAILED, JobState.CANCELLED)


class JobNotFoundError(NotFoundError):
    """No job with that id."""


class JobStateError(ConflictError):
    """The job is in a state that does not allow the operation (e.g. cancel after it ended)."""


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    kind: str
    payload: Mapping[str, Any]
    state: JobState
    owner: str | None
    attempts: int
    cancel_requested: bool
    created_at: str
    started_at: str | None
    finished_at: str | None
    updated_at: str
    error: str | None
    outcome: Mapping[str, Any] | None
    has_result: bool
    share: tuple[str, ...] = ()
    """Audiences besides the owner that may see the job (``role:viewer``, ``group:ops``)."""

    def visible_to(self, audience: Collection[str] | None) -> bool:
        """Whether a caller known by the names in ``audience`` may see the job (None: all)."""
        if audience is None:
            return True
        return self.owner in audience or any(name in audience for name in self.share)


@dataclass(frozen=True, slots=True)
class JobEvent:
    job_id: str
    seq: int
    type: str
    time: str
    data: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "type": self.type, "time": self.time, "data": dict(self.data)}


@dataclass(slots=True)
class JobOutcome:
    """What an executor returns: JSON-ready facts, and optionally one result document."""

    data: dict[str, Any] = field(default_factory=dict)
    result: bytes | None = None
    payload: Any = None
    """An in-process object (e.g. the Result model) handed to ``job.finished`` subscribers."""


@dataclass(slots=True)
class JobContext:
    """What an executor gets: the job, a cancellation flag, and a way to report progress."""

    job: Job
    cancelled: threading.Event
    emit: Callable[[str, Mapping[str, Any]], None]


Executor = Callable[[JobContext], JobOutcome]


class JobQueue(Protocol):
    """Submit, observe and cancel jobs; the executors run wherever the implementation says."""

    def register(self, kind: str, executor: Executor) -> None: ...

    def start(self) -> None: ...

    def stop(self, timeout: float = 10.0) -> None: ...

    def enqueue(
        self,
        kind: str,
        payload: Mapping[str, Any],
        *,
        job_id: str | None = None,
        owner: str | None = None,
        share: Sequence[str] = (),
    ) -> Job: ...

    def get(self, job_id: str) -> Job: ...

    def cancel(self, job_id: str) -> Job: ...

    def events(self, job_id: str, after: int = 0, limit: int = 1000) -> list[JobEvent]: ...

    def result(self, job_id: str) -> bytes | None: ...

    def event_counts(self, job_id: str) -> tuple[dict[str, int], str | None]: ...

    def list_jobs(
        self,
        *,
        state: JobState | None = None,
        limit: int = 100,
        kind: str | None = None,
        audience: Sequence[str] | None = None,
    ) -> list[Job]: ...

    def healthy(self) -> bool: ...

    def done_needing(self, kind: str, wanted: str, done: str) -> list[str]: ...

    def merge_outcome(self, job_id: str, facts: Mapping[str, Any]) -> None: ...
