"""One run job executed by the library's runner on a thread of its own.

The worker's event loop talks to NATS; the run gets a private loop on a thread so that a
CPU-bound handler cannot stall heartbeats. Events cross back with ``call_soon_threadsafe``;
a completed task is recorded in KV (waited for) before the run moves on.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

from altlas.config import Settings
from altlas.formats.common import TaskStatus
from altlas.run.events import EventType, RunEvent

if TYPE_CHECKING:
    from altlas.formats.result import Result
    from altlas.run.journal import RunRecord
    from altlas.run.scheduler import Scheduler

__all__ = ["JOB_OPTIONS", "RunHooks", "execute_job"]

JOB_OPTIONS = frozenset(
    {"only", "from_task", "continue_on_error", "concurrency", "timeout_seconds", "retries"}
)
"""What a job may ask for; privileges (exec, network, routing) are the worker's own settings."""


class RunHooks:
    """The bridge from the run's thread to the worker's loop."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        publish_event: Callable[[RunEvent], None],
        record_task: Callable[[str, dict[str, Any]], Any],
    ) -> None:
        self.loop = loop
        self.publish_event = publish_event
        self.record_task = record_task
        self.scheduler: Scheduler | None = None
        self.run_loop: asyncio.AbstractEventLoop | None = None

    def on_start(self, scheduler: Scheduler) -> None:
        self.scheduler = scheduler
        self.run_loop = asyncio.get_running_loop()

    def cancel(self) -> None:
        """Thread-safe: ask the run to stop (lease lost, worker shutting down)."""
        if self.scheduler is not None and self.run_loop is not None:
            with contextlib.suppress(RuntimeError):
                self.run_loop.call_soon_threadsafe(self.scheduler.request_cancel)

    def __call__(self, event: RunEvent) -> None:
        if (
            event.type is EventType.TASK_FINISHED
            and event.task_id is not None
            and event.data.get("status") == TaskStatus.COMPLETED.value
            and self.scheduler is not None
        ):
            state = self.scheduler.rc.states[event.task_id]
            row = {
                "task_id": state.task.id,
                "status": state.status.value,
                "handler": state.handler,
                "attempts": state.attempts,
                "started_at": state.started_at.isoformat() if state.started_at else None,
                "finished_at": state.finished_at.isoformat() if state.finished_at else None,
                "duration_ms": state.duration_ms,
                "output": state.output,
                "error": None,
                "cached": state.cached,
                "artifacts": [a.model_dump(mode="json") for a in state.artifacts],
                "metadata": dict(state.metadata),
            }
            future: Future[Any] = asyncio.run_coroutine_threadsafe(
                self.record_task(event.task_id, row), self.loop
            )
            # the completion must be durable before a later task can depend on it
            future.result()
        self.loop.call_soon_threadsafe(self.publish_event, event)


def _record(run_id: str, plan: Mapping[str, Any], rows: list[dict[str, Any]]) -> RunRecord:
    from altlas.run.journal import RunRecord

    started = min((r["started_at"] for r in rows if r.get("started_at")), default=None)
    return RunRecord(
        id=run_id,
        plan_id=str(plan.get("id", "")),
        title=None,
        status="running",
        created_at=started or "",
        started_at=started,
        finished_at=None,
        duration_ms=None,
        success_rate=None,
        task_count=len(plan.get("tasks", ())),
        counts={},
        plan=dict(plan),
        plan_path=None,
        options={},
        result_path=None,
        report_path=None,
        host=None,
        pid=None,
        altlas_version=None,
        resumes=0,
        tasks=rows,
    )


def execute_job(
    job: Mapping[str, Any],
    *,
    workspace: Path,
    settings: Settings,
    completed: list[dict[str, Any]],
    hooks: RunHooks,
) -> Result:
    """Run the job's plan to its Result; tasks in ``completed`` are restored, not run again."""
    from altlas.run.api import _execute, _prepare

    plan = job["plan"]
    options = {k: v for k, v in dict(job.get("options") or {}).items() if k in JOB_OPTIONS}
    prep = _prepare(
        plan,
        {
            **options,
            "run_id": job["run_id"],
            "settings": settings,
            "workspace": str(workspace),
            "journal": False,
            "events": [hooks],
            "on_start": hooks.on_start,
            "handle_signals": False,
        },
    )
    record = _record(job["run_id"], plan, completed) if completed else None
    return asyncio.run(_execute(prep, record))
