"""Runs as queue jobs: the executor that calls ``altlas.run``, and the auto-archiver.

The executor runs in a queue worker thread with an event loop of its own, so a long run
never blocks the server's loop. Run events go to the job's event log (and from there to the
bus and to SSE clients); cancelling the job asks the scheduler to stop. A job that a dead
worker left behind is resumed from the run journal, keeping the tasks that had finished.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from altlas.config import Settings
from altlas.errors import RunNotFoundError
from altlas.events.bus import Event, EventBus
from altlas.events.queue import JobContext, JobOutcome
from altlas.server.config import ServerConfig

__all__ = [
    "CLIENT_RUN_OPTIONS",
    "RUN_JOB",
    "ArchiveOnFinish",
    "make_run_executor",
    "prepare_journal",
]

log = logging.getLogger("altlas.server.jobs")

RUN_JOB = "run"
CLIENT_RUN_OPTIONS = frozenset(
    {
        "concurrency",
        "timeout_seconds",
        "retries",
        "continue_on_error",
        "cache",
        "only",
        "from_task",
    },
)
"""What an API client may choose; everything touching the host (workspace, exec, network)
comes from the server's own configuration."""
_CANCEL_POLL_SECONDS = 0.1


def prepare_journal(settings: Settings) -> None:
    """Create and migrate the run journal before workers start: two runs opening a fresh
    journal at the same moment race on its first migration ("database is locked")."""
    from altlas.run.journal import Journal

    Journal.open(settings.home).close()


def make_run_executor(settings: Settings, config: ServerConfig) -> Any:
    def execute(ctx: JobContext) -> JobOutcome:
        from altlas.formats.io import to_bytes
        from altlas.formats.plan import Plan
        from altlas.run.api import resume_async, run_async
        from altlas.run.events import RunEvent

        job = ctx.job
        plan = Plan.model_validate(job.payload["plan"])
        client = {k: v for k, v in dict(job.payload.get("options") or {}).items() if v is not None}
        options: dict[str, Any] = {**config.run_options, **client}
        options.setdefault("workspace", str(settings.home / "workspaces" / job.id))
        scheduler: list[Any] = []

        def on_start(sched: Any) -> None:
            scheduler.append(sched)

        def sink(event: RunEvent) -> None:
            data = event.to_dict()
            data.pop("type", None)
            ctx.emit(event.type.value, data)

        common: dict[str, Any] = {
            "events": [sink],
            "on_start": on_start,
            "settings": settings,
            "handle_signals": False,
        }

        async def watch_cancel() -> None:
            # Bounded by the run: the task is cancelled as soon as the run returns.
            while True:
                if ctx.cancelled.is_set() and scheduler:
                    scheduler[0].request_cancel()
                    return
                await asyncio.sleep(_CANCEL_POLL_SECONDS)

        async def main() -> Any:
            watcher = asyncio.create_task(watch_cancel())
            try:
                if job.attempts > 1:
                    try:
                        return await resume_async(job.id, force=True, **common)
                    except RunNotFoundError:
                        pass  # the first attempt died before the journal knew the run
                return await run_async(plan, run_id=job.id, **common, **options)
            finally:
                watcher.cancel()

        result = asyncio.run(main())
        summary = {
            "status": result.status.value,
            "success_rate": result.success_rate,
            "counts": result.counts(),
            "duration_ms": result.duration_ms,
            "plan_id": plan.id,
            "archive": bool(job.payload.get("archive", True)),
        }
        return JobOutcome(summary, result=to_bytes(result, pretty=False), payload=result)

    return execute


class ArchiveOnFinish:
    """Bus subscriber: adds every finished (not cancelled) run's result to the archive."""

    def __init__(self, archive: Any, bus: EventBus) -> None:
        self.archive = archive
        self.bus = bus

    def __call__(self, event: Event) -> None:
        data = event.data
        if data.get("kind") != RUN_JOB or data.get("state") != "done" or not data.get("archive"):
            return
        result = event.payload
        if result is None or data.get("status") == "cancelled":
            return
        holder = self.archive
        with holder.lock:
            added = holder.get().add_result(result)
        self.bus.publish(
            "archive.added",
            {"id": _record_id(added, result), "run_id": data.get("job_id"), "source": "run"},
        )


def _record_id(added: Any, result: Any) -> str:
    for candidate in (added, getattr(added, "id", None)):
        if isinstance(candidate, str):
            return candidate
    if isinstance(added, dict) and isinstance(added.get("id"), str):
        return str(added["id"])
    return str(getattr(result, "run_id", ""))
