"""Events and jobs: the internal event bus and the job queue that executes runs.

The embedded queue (SQLite + an in-process worker pool) is the default; other brokers
implement :class:`~altlas.events.queue.JobQueue` too.
"""

from __future__ import annotations

from altlas.events.bus import Event, EventBus, EventStream, Subscription
from altlas.events.embedded import SqliteJobQueue
from altlas.events.queue import (
    Executor,
    Job,
    JobContext,
    JobEvent,
    JobNotFoundError,
    JobOutcome,
    JobQueue,
    JobState,
    JobStateError,
)

__all__ = [
    "Event",
    "EventBus",
    "EventStream",
    "Executor",
    "Job",
    "JobContext",
    "JobEvent",
    "JobNotFoundError",
    "JobOutcome",
    "JobQueue",
    "JobState",
    "JobStateError",
    "SqliteJobQueue",
    "Subscription",
]
