"""``POST /v1/do``: a command in words and a workspace in; the answer out (or a job to follow).

The command is planned first, off the loop: a plan that must not run is refused at once
with the same reasons the CLI gives (422). Otherwise a queue worker runs it; the request
waits up to ``wait_seconds`` for the answer and else answers 202 with the job.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from litestar import Request, Response, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody

from altlas.errors import UnprocessableError
from altlas.events.queue import Job
from altlas.server.accounts import Principal
from altlas.server.context import ServerContext, ctx_of
from altlas.server.doing import DO_JOB, answer_of
from altlas.server.models import DoAnswer, DoRequest
from altlas.server.roles import Permission
from altlas.server.routes._common import PROTECTED, errors, route_opt, visible_job
from altlas.server.routes.workspaces import visible_space

__all__ = ["ROUTES"]

_READ = route_opt(Permission.RUNS_READ, "runs")
_WRITE = route_opt(Permission.RUNS_WRITE, "runs")
_POLL_SECONDS = 0.25


class RefusedError(UnprocessableError):
    """The command cannot be done as asked (the reason is the message)."""


def _check_permitted(ctx: ServerContext, data: DoRequest) -> None:
    if data.allow_exec and not ctx.config.allow_exec:
        raise RefusedError("allow_exec is not permitted on this server ([server] allow_exec)")
    if data.overwrite and not ctx.config.allow_overwrite:
        raise RefusedError("overwrite is not permitted on this server ([server] allow_overwrite)")


async def _wait(ctx: ServerContext, job_id: str, seconds: float) -> Job:
    deadline = time.monotonic() + seconds
    job = await asyncio.to_thread(ctx.queue.get, job_id)
    with ctx.bus.stream(maxsize=64) as wake:
        while not job.state.terminal and time.monotonic() < deadline:
            await wake.get(timeout=min(_POLL_SECONDS, max(0.0, deadline - time.monotonic())))
            job = await asyncio.to_thread(ctx.queue.get, job_id)
    return job


@post(
    "/do",
    opt=_WRITE,
    status_code=200,
    tags=["do"],
    responses={
        202: ResponseSpec(
            data_container=DoAnswer,
            description="Still working: follow Location (GET /v1/do/{id})",
            generate_examples=False,
        ),
        **errors(*PROTECTED, 404),
    },
)
async def do_command(
    request: Request[Principal, Any, Any], data: JSONBody[DoRequest]
) -> Response[DoAnswer]:
    """Do what ``command`` says in ``workspace`` and answer in words (200), or answer 202
    with a job when it takes longer than ``wait_seconds``. A command that cannot be done
    (unknown file, a program not allowed, an ambiguous request) is a 422 with the reason."""
    from altlas.do.api import plan_for, refusals
    from altlas.formats.common import new_id
    from altlas.server.workspaces import space_root

    ctx = ctx_of(request)
    _check_permitted(ctx, data)
    space = await visible_space(request, data.workspace)
    root = space_root(ctx.home, space.id)
    loop = asyncio.get_running_loop()
    plan, _ = await loop.run_in_executor(
        ctx.text_threads, lambda: plan_for(data.command, root, overwrite=data.overwrite)
    )
    refused = refusals(plan, allow_exec=data.allow_exec)
    if refused:
        raise RefusedError("Not done: " + " ".join(refused))
    payload = {
        "command": data.command,
        "workspace": space.id,
        "overwrite": data.overwrite,
        "allow_exec": data.allow_exec,
        "plan": plan.model_dump(mode="json", exclude_none=True),
    }
    job = await asyncio.to_thread(
        ctx.queue.enqueue,
        DO_JOB,
        payload,
        job_id=new_id("run"),
        owner=request.user.key,
        share=list(data.share),
    )
    wait = ctx.config.do_wait_seconds
    if data.wait_seconds is not None:
        wait = min(wait, data.wait_seconds)
    job = await _wait(ctx, job.id, wait)
    body = DoAnswer.model_validate(answer_of(job))
    if job.state.terminal:
        return Response(body, status_code=200)
    return Response(body, status_code=202, headers={"Location": f"/v1/do/{job.id}"})


def _job(ctx: ServerContext, request: Request[Principal, Any, Any], job_id: str) -> Job:
    return visible_job(ctx, request.user, job_id, DO_JOB, f"no do job with id {job_id[:80]}")


@get("/do/{job_id:str}", opt=_READ, tags=["do"], responses=errors(*PROTECTED, 404))
async def do_status(request: Request[Principal, Any, Any], job_id: FromPath[str]) -> DoAnswer:
    """A ``do`` job: its state, and the answer once it is done."""
    ctx = ctx_of(request)
    job = await asyncio.to_thread(_job, ctx, request, job_id)
    return DoAnswer.model_validate(answer_of(job))


@get(
    "/do/{job_id:str}/result",
    opt=_READ,
    tags=["do"],
    responses={
        200: ResponseSpec(
            data_container=dict[str, Any],
            description="The run's result (.last, canonical JSON)",
            generate_examples=False,
        ),
        **errors(*PROTECTED, 404, 409),
    },
)
async def do_result(
    request: Request[Principal, Any, Any], job_id: FromPath[str]
) -> Response[bytes]:
    """The result document (``.last``) of a finished ``do`` job."""
    from altlas.errors import NotFoundError
    from altlas.events.queue import JobStateError

    ctx = ctx_of(request)
    job = await asyncio.to_thread(_job, ctx, request, job_id)
    if not job.state.terminal:
        raise JobStateError(f"do job {job_id} has not finished ({job.state.value})")
    body = await asyncio.to_thread(ctx.queue.result, job_id)
    if body is None:
        why = job.error or "nothing ran"
        raise NotFoundError(f"do job {job_id} ended without a result ({why})")
    return Response(body, media_type="application/json")


ROUTES = [do_command, do_status, do_result]
