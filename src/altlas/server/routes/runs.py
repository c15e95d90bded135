"""``/v1/runs``: submit (202 + Location), status, result, cancel, and progress as SSE."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any, ParamSpec, TypeVar

import orjson
from litestar import Request, Response, delete, get, post
from litestar.params import FromPath, HeaderParameter, QueryParameter
from litestar.response import ServerSentEvent, ServerSentEventMessage

from altlas.events.queue import Job, JobState
from altlas.formats.result import Result
from altlas.server.accounts import Principal
from altlas.server.caching import resource_response
from altlas.server.context import ServerContext, ctx_of
from altlas.server.documents import prepare_run
from altlas.server.jobs import RUN_JOB
from altlas.server.models import RunRequest
from altlas.server.responses import RunList, RunStatus
from altlas.server.roles import Permission
from altlas.server.routes._common import (
    PROTECTED,
    audience,
    errors,
    model_body_operation,
    ok,
    read_body,
    route_opt,
    visible_job,
)
from altlas.server.routes._times import parse_time

__all__ = ["ROUTES"]

_READ = route_opt(Permission.RUNS_READ, "runs")
_WRITE = route_opt(Permission.RUNS_WRITE, "runs")
_KEEPALIVE_SECONDS = 15.0
_POLL_SECONDS = 1.0

_P = ParamSpec("_P")
_T = TypeVar("_T")


async def _queue_call(
    ctx: ServerContext, read: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs
) -> _T:
    """``read(*args, **kwargs)``, in a worker thread when the queue waits on the network.

    A NATS queue answers each read after a round trip (1-4 ms), which on the event loop
    would stall every other request. The embedded SQLite queue answers in microseconds, less
    than the hop to a thread costs, so its reads stay on the loop.
    """
    if getattr(ctx.queue, "blocking_io", False):
        return await asyncio.to_thread(read, *args, **kwargs)
    return read(*args, **kwargs)


def _links(run_id: str) -> dict[str, str]:
    base = f"/v1/runs/{run_id}"
    return {"self": base, "result": f"{base}/result", "events": f"{base}/events"}


def _status(ctx: ServerContext, job: Job) -> tuple[dict[str, Any], str | None]:
    counts, last_event = ctx.queue.event_counts(job.id)
    outcome = dict(job.outcome or {})
    body = {
        "id": job.id,
        "state": job.state.value,
        "status": outcome.get("status"),
        "owner": job.owner,
        "share": list(job.share),
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "attempts": job.attempts,
        "cancel_requested": job.cancel_requested,
        "error": job.error,
        "progress": {
            "tasks_finished": counts.get("task.finished", 0),
            "tasks_started": counts.get("task.started", 0),
        },
        "summary": outcome or None,
        "has_result": job.has_result,
        "workspace": job.payload.get("workspace"),
        "artifacts": outcome.get("artifacts", []),
        "links": _links(job.id),
    }
    return body, max(filter(None, (job.updated_at, last_event)), default=None)


@post(
    "/runs",
    opt=_WRITE,
    status_code=202,
    tags=["runs"],
    responses={**ok(RunStatus, "Queued; follow Location", status=202), **errors(*PROTECTED)},
    operation_class=model_body_operation(RunRequest),
)
async def submit(request: Request[Principal, Any, Any]) -> Response[dict[str, Any]]:
    """Queue a plan to run. Answers at once (202); follow ``Location`` for the status.

    The body (:class:`RunRequest`) is parsed, checked and converted to the canonical plan
    in a document worker process, never on the event loop.
    """
    from altlas.formats.common import new_id

    ctx = ctx_of(request)
    raw = await read_body(request)
    prepared = await ctx.documents.call(
        prepare_run, raw, ctx.config.max_json_depth, ctx.read_limits
    )
    run_id = new_id("run")
    payload = {
        "plan": orjson.Fragment(prepared["plan"]),  # stored as is, never decoded here
        "options": prepared["options"],
        "archive": prepared["archive"],
    }
    if prepared.get("workspace"):
        from altlas.server.routes.workspaces import visible_space

        payload["workspace"] = (await visible_space(request, prepared["workspace"])).id

    def enqueue() -> dict[str, Any]:
        job = ctx.queue.enqueue(
            RUN_JOB, payload, job_id=run_id, owner=request.user.key, share=prepared["share"]
        )
        return _status(ctx, job)[0]

    body = await asyncio.to_thread(enqueue)
    return Response(body, status_code=202, headers={"Location": f"/v1/runs/{run_id}"})


@get(
    "/runs",
    opt=_READ,
    tags=["runs"],
    responses={**ok(RunList), **errors(*PROTECTED)},
)
async def list_runs(
    request: Request[Principal, Any, Any],
    run_state: Annotated[JobState | None, QueryParameter(name="state")] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 50,
) -> Response[bytes]:
    """The most recent runs the caller may see (its own, those shared with its role or
    groups; an admin sees all), newest first."""
    ctx = ctx_of(request)

    def read() -> tuple[list[dict[str, Any]], str | None]:
        jobs = ctx.queue.list_jobs(
            state=run_state, limit=limit, kind=RUN_JOB, audience=audience(ctx, request.user)
        )
        latest = max((j.updated_at for j in jobs), default=None)
        return [_status(ctx, j)[0] for j in jobs], latest

    rows, latest = await _queue_call(ctx, read)
    return resource_response({"runs": rows}, last_modified=parse_time(latest))


def _job(ctx: ServerContext, request: Request[Principal, Any, Any], run_id: str) -> Job:
    return visible_job(ctx, request.user, run_id, RUN_JOB, f"no run with id {run_id}")


@get(
    "/runs/{run_id:str}",
    opt=_READ,
    tags=["runs"],
    responses={**ok(RunStatus), **errors(*PROTECTED, 404)},
)
async def status(request: Request[Principal, Any, Any], run_id: FromPath[str]) -> Response[bytes]:
    """Where the run is: queued, running (with progress), done, failed or cancelled."""
    ctx = ctx_of(request)

    def read() -> tuple[dict[str, Any], str | None]:
        return _status(ctx, _job(ctx, request, run_id))

    body, changed = await _queue_call(ctx, read)
    return resource_response(body, last_modified=parse_time(changed))


@get(
    "/runs/{run_id:str}/result",
    opt=_READ,
    tags=["runs"],
    responses={**ok(Result, "The run's result (.last)"), **errors(*PROTECTED, 404, 409)},
)
async def result(request: Request[Principal, Any, Any], run_id: FromPath[str]) -> Response[bytes]:
    """The run's ``.last`` (canonical JSON). 409 while it is still queued or running."""
    from altlas.errors import NotFoundError
    from altlas.events.queue import JobStateError

    ctx = ctx_of(request)

    def read() -> tuple[Job, bytes | None]:
        job = _job(ctx, request, run_id)
        if not job.state.terminal:
            raise JobStateError(f"run {run_id} has not finished ({job.state.value})")
        return job, ctx.queue.result(run_id)

    job, body = await _queue_call(ctx, read)
    if body is None:
        raise NotFoundError(f"run {run_id} ended without a result ({job.error or job.state.value})")
    return resource_response(
        body,
        last_modified=parse_time(job.finished_at),
        headers={"Content-Disposition": f'attachment; filename="{run_id}.last"'},
    )


@delete(
    "/runs/{run_id:str}",
    opt=_WRITE,
    status_code=202,
    # A write to queue.db, which another server process may hold for up to its busy
    # timeout: in a worker thread, never on the event loop, where that wait stops everyone.
    sync_to_thread=True,
    tags=["runs"],
    responses={**ok(RunStatus, status=202), **errors(*PROTECTED, 404, 409)},
)
def cancel(request: Request[Principal, Any, Any], run_id: FromPath[str]) -> dict[str, Any]:
    """Cancel: a queued run at once, a running one as soon as its tasks stop. 409 if ended."""
    ctx = ctx_of(request)
    _job(ctx, request, run_id)
    body, _ = _status(ctx, ctx.queue.cancel(run_id))
    return body


async def _event_stream(ctx: ServerContext, run_id: str, after: int) -> AsyncIterator[Any]:
    """Recorded events after ``after``, then live ones, until the job ends (or the limit)."""
    deadline = time.monotonic() + ctx.config.sse_max_seconds
    last = after
    quiet = 0.0
    with ctx.bus.stream(maxsize=256) as wake:
        while time.monotonic() < deadline:
            for event in await _queue_call(ctx, ctx.queue.events, run_id, after=last, limit=500):
                last = event.seq
                yield ServerSentEventMessage(
                    data=orjson.dumps(event.to_dict(), default=str).decode(),
                    event=event.type,
                    id=event.seq,
                )
                if event.type == "job.finished":
                    return
            # Woken by this process's bus at once; a worker in another process is seen by
            # the poll, so the wait is short either way.
            got = await wake.get(timeout=_POLL_SECONDS)
            if got is None:
                quiet += _POLL_SECONDS
                if quiet >= _KEEPALIVE_SECONDS:
                    quiet = 0.0
                    yield ServerSentEventMessage(comment="keep-alive")
            else:
                quiet = 0.0


@get(
    "/runs/{run_id:str}/events",
    opt=_READ,
    tags=["runs"],
    responses={
        **ok(str, "Server-sent events", media_type="text/event-stream"),
        **errors(*PROTECTED, 404),
    },
)
async def events(
    request: Request[Principal, Any, Any],
    run_id: FromPath[str],
    last_event_id: Annotated[
        int | None,
        HeaderParameter(name="Last-Event-ID", ge=0, required=False),
    ] = None,
) -> ServerSentEvent:
    """Progress as server-sent events (``run.started``, ``task.*``, ``run.finished``,
    ``job.finished``); ``Last-Event-ID`` resumes after the events already seen."""
    ctx = ctx_of(request)
    await _queue_call(ctx, _job, ctx, request, run_id)
    return ServerSentEvent(
        _event_stream(ctx, run_id, last_event_id or 0),
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


ROUTES = [submit, list_runs, status, result, cancel, events]
