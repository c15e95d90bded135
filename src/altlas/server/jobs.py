"""Runs as queue jobs: the executor that calls ``altlas.run``, and the auto-archiver.

The executor runs in a queue worker thread with an event loop of its own, so a long run
never blocks the server's loop. Run events go to the job's event log (and from there to the
bus and to SSE clients); cancelling the job cancels the run's CancelToken, which wakes
the scheduler at once. A job that a dead worker left behind is resumed from the run
journal, keeping the tasks that had finished.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from altlas.config import Settings
from altlas.errors import RunNotFoundError
from altlas.events.bus import EventBus
from altlas.events.queue import Executor, JobContext, JobOutcome, JobQueue
from altlas.run.cancel import CancelToken
from altlas.server.config import ServerConfig
from altlas.server.workspaces import artifacts_between, space_root

if TYPE_CHECKING:
    from altlas.formats.plan import Plan
    from altlas.formats.result import Result
    from altlas.run.events import RunEvent
    from altlas.server.context import ArchiveHolder

__all__ = [
    "CLIENT_RUN_OPTIONS",
    "RUN_JOB",
    "archive_result",
    "make_run_executor",
    "prepare_journal",
    "reconcile_archive",
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
_FOLLOW_SECONDS = 0.5


def prepare_journal(settings: Settings) -> None:
    """Create and migrate the run journal before workers start: two runs opening a fresh
    journal at the same moment race on its first migration ("database is locked")."""
    from altlas.run.journal import Journal

    Journal.open(settings.home).close()


def make_run_executor(
    settings: Settings,
    config: ServerConfig,
    archive: ArchiveHolder | None = None,
    bus: EventBus | None = None,
) -> Executor:
    """The executor of ``run`` jobs. With ``archive``, a finished run's result is archived
    *before* the executor returns, so before the queue marks the job done: a crash in between
    leaves a job that is resumed, never a done job missing from the archive."""

    def execute(ctx: JobContext) -> JobOutcome:
        from altlas.formats.io import to_bytes
        from altlas.formats.plan import Plan

        job = ctx.job
        plan = Plan.model_validate(job.payload["plan"])
        options = _job_options(job.payload, job.id, settings, config)
        space_id = job.payload.get("workspace")
        before = _snapshot(options["workspace"]) if space_id else {}
        with _cancel_token(ctx) as token:
            result = asyncio.run(_run_job(ctx, plan, options, settings, token))
        wanted = bool(job.payload.get("archive", True)) and result.status.value != "cancelled"
        summary: dict[str, Any] = {
            "status": result.status.value,
            "success_rate": result.success_rate,
            "counts": result.counts(),
            "duration_ms": result.duration_ms,
            "plan_id": plan.id,
            "archive": wanted,
        }
        if space_id:
            after = _snapshot(options["workspace"])
            summary["workspace"] = space_id
            summary["artifacts"] = artifacts_between(before, after, str(space_id))
        if wanted and archive is not None and not ctx.cancelled.is_set():
            record = archive_result(archive, bus, result, job.id)
            if record is not None:
                summary["archived"] = record
        return JobOutcome(summary, result=to_bytes(result, pretty=False), payload=result)

    return execute


def _job_options(
    payload: Mapping[str, Any], job_id: str, settings: Settings, config: ServerConfig
) -> dict[str, Any]:
    """The server's own run options with the client's choices on top, and the workspace."""
    client = {k: v for k, v in dict(payload.get("options") or {}).items() if v is not None}
    options: dict[str, Any] = {**config.run_options, **client}
    space_id = payload.get("workspace")
    if space_id:
        options["workspace"] = str(space_root(settings.home, str(space_id)))
    options.setdefault("workspace", str(settings.home / "workspaces" / job_id))
    return options


async def _run_job(
    ctx: JobContext, plan: Plan, options: dict[str, Any], settings: Settings, token: CancelToken
) -> Result:
    """Run the job's plan; a second attempt resumes what the first one journaled."""
    from altlas.run.api import resume_async, run_async
    from altlas.run.options import RunOptions

    def sink(event: RunEvent) -> None:
        data = event.to_dict()
        data.pop("type", None)
        ctx.emit(event.type.value, data)

    job = ctx.job
    common = RunOptions(events=[sink], settings=settings, handle_signals=False, cancel=token)
    if job.attempts > 1:
        try:
            return await resume_async(job.id, common, force=True)
        except RunNotFoundError:
            pass  # the first attempt died before the journal knew the run
    return await run_async(plan, common.merged({**options, "run_id": job.id}))


@contextlib.contextmanager
def _cancel_token(ctx: JobContext) -> Iterator[CancelToken]:
    """The job's cancellation flag as the run's token. The embedded queue's flag already is a
    CancelToken (cancelling it wakes the scheduler at once). A plain Event from another queue
    is followed by a thread that ends with the run; it checks twice a second, the best a
    plain Event allows."""
    if isinstance(ctx.cancelled, CancelToken):
        yield ctx.cancelled
        return
    token, flag, finished = CancelToken(), ctx.cancelled, threading.Event()

    def follow() -> None:
        while not finished.is_set():
            if flag.wait(_FOLLOW_SECONDS):
                token.cancel()
                return

    follower = threading.Thread(target=follow, name="altlas-cancel-follow", daemon=True)
    follower.start()
    try:
        yield token
    finally:
        finished.set()
        follower.join()


def _snapshot(folder: str) -> dict[str, tuple[int, int]]:
    from pathlib import Path

    from altlas.server.workspaces import snapshot

    return snapshot(Path(folder))


def archive_result(
    holder: ArchiveHolder, bus: EventBus | None, result: Result, run_id: str
) -> str | None:
    """Add a run's result to the archive; its record id, or None if the archive failed
    (logged; :func:`reconcile_archive` tries again on the next start)."""
    try:
        with holder.lock:
            added = holder.get().add_result(result)
    except Exception:
        log.exception("run %s: cannot add its result to the archive", run_id)
        return None
    if added.status == "failed":
        log.error("run %s: the archive refused its result: %s", run_id, added.message)
        return None
    record = added.id or result.run_id
    if bus is not None:
        bus.publish("archive.added", {"id": record, "run_id": run_id, "source": "run"})
    return record


def reconcile_archive(queue: JobQueue, holder: ArchiveHolder, bus: EventBus | None) -> list[str]:
    """Archive every done run that asked for it and is not archived yet (a server that died
    between the two steps, or an archive that failed); the run ids it archived."""
    from altlas.formats.io import load_result

    done: list[str] = []
    for job_id in queue.done_needing(RUN_JOB, "archive", "archived"):
        body = queue.result(job_id)
        if body is None:
            continue
        try:
            result = load_result(body)
        except Exception:
            log.exception("run %s: its stored result cannot be read", job_id)
            continue
        record = archive_result(holder, bus, result, job_id)
        if record is not None:
            queue.merge_outcome(job_id, {"archived": record})
            done.append(job_id)
    if done:
        log.info("archived %d finished run(s) missing from the archive", len(done))
    return done
