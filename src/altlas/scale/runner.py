"""One run job executed by the library's runner on the worker's event loop.

Many runs share the worker's loop as asyncio tasks: a small run is mostly waiting on NATS,
and blocking handler work already goes to threads (``asyncio.to_thread``), so the loop stays
free for heartbeats. A fresh loop per run cost more than the run itself.

Exactly-once effects and completions. Delivery is at least once, so a redelivered run resumes
from the task completions recorded in KV. What must be durable, and when:

* a task *with effects* (its handler says its output is not cacheable for these parameters)
  starts only after every earlier effectful completion of the run is durable, and its own
  completion is written the moment it finishes; so a crash re-runs at most the effect that
  was in flight, never an earlier one;
* a *pure* task's completion is kept in memory: re-running it after a crash changes nothing
  outside, so it is written only when a heartbeat comes (a long run keeps its progress) or
  an effectful task is about to start. A run of pure tasks that ends within one heartbeat
  writes no completion at all; its result commit is the one write that counts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

from altlas.config import Settings
from altlas.errors import MissingExtraError, UnavailableError
from altlas.formats.common import TaskStatus
from altlas.run.events import EventType, RunEvent

if TYPE_CHECKING:
    from altlas.formats.result import Result
    from altlas.run.handlers.base import Handler, HandlerContext
    from altlas.run.journal import RunRecord
    from altlas.run.scheduler import Scheduler

__all__ = ["JOB_OPTIONS", "Completions", "RunHooks", "execute_job", "retry_later", "warm_up"]

JOB_OPTIONS = frozenset(
    {"only", "from_task", "continue_on_error", "concurrency", "timeout_seconds", "retries"}
)
"""What a job may ask for; privileges (exec, network, routing) are the worker's own."""


def retry_later(exc: BaseException) -> bool:
    """A failure that waiting may cure (a locked store, a backend down): the job goes back to
    the queue. A missing extra is an ``UnavailableError`` too, but no wait installs it."""
    return isinstance(exc, UnavailableError) and not isinstance(exc, MissingExtraError)


class Completions(Protocol):
    """Where a run's task completions go (``RunState`` in KV)."""

    def note(self, task_id: str, row: dict[str, Any], *, effectful: bool) -> None: ...

    async def durable(self) -> None: ...


class _Unrecorded:
    def note(self, task_id: str, row: dict[str, Any], *, effectful: bool) -> None:
        return None

    async def durable(self) -> None:
        return None


class RunHooks:
    """The worker's view into one run: events out, completions recorded, cancel in."""

    def __init__(
        self,
        publish_event: Callable[[RunEvent], None],
        completions: Completions | None = None,
    ) -> None:
        self.publish_event = publish_event
        self.completions: Completions = completions or _Unrecorded()
        self.scheduler: Scheduler | None = None
        self.effectful: set[str] = set()
        self.unavailable: dict[str, str] = {}
        """Tasks whose last handler call raised a :func:`retry_later` error: why."""
        self._cancel_asked = False

    def on_start(self, scheduler: Scheduler) -> None:
        self.scheduler = scheduler
        if self._cancel_asked:
            scheduler.request_cancel()

    def cancel(self) -> None:
        """Ask the run to stop (lease lost, worker shutting down, cancel requested)."""
        self._cancel_asked = True
        if self.scheduler is not None:
            self.scheduler.request_cancel()

    async def before_task(self, task_id: str, effectful: bool) -> None:
        if effectful:
            self.effectful.add(task_id)
            await self.completions.durable()

    def transient_failure(self, result: Result) -> str | None:
        """Why the run should be handed back rather than committed: a task failed because
        something it needs is unavailable (after the task's own retries), else None."""
        for task in result.tasks:
            reason = self.unavailable.get(task.task_id)
            if reason is not None and task.status is TaskStatus.FAILED:
                return f"task {task.task_id}: {reason}"
        return None

    def __call__(self, event: RunEvent) -> None:
        if (
            event.type is EventType.TASK_FINISHED
            and event.task_id is not None
            and event.data.get("status") == TaskStatus.COMPLETED.value
            and self.scheduler is not None
        ):
            row = _row(self.scheduler, event.task_id)
            self.completions.note(event.task_id, row, effectful=event.task_id in self.effectful)
        self.publish_event(event)


def _row(scheduler: Scheduler, task_id: str) -> dict[str, Any]:
    state = scheduler.rc.states[task_id]
    return {
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


class _Gated:
    """A handler that first tells the hooks whether this call has effects (and waits), and
    tells them when a call failed for a reason that waiting may cure."""

    def __init__(self, inner: Handler, hooks: RunHooks) -> None:
        self._inner = inner
        self._hooks = hooks

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def run(self, ctx: HandlerContext) -> Any:
        task_id = ctx.task.id
        effectful = not self._inner.is_cacheable(ctx.params)
        await self._hooks.before_task(task_id, effectful)
        self._hooks.unavailable.pop(task_id, None)  # only the task's last attempt counts
        try:
            return await self._inner.run(ctx)
        except UnavailableError as exc:
            if retry_later(exc):
                self._hooks.unavailable[task_id] = exc.one_line(locate=False)
            raise


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


async def execute_job(
    job: Mapping[str, Any],
    *,
    workspace: Path,
    settings: Settings,
    completed: list[dict[str, Any]],
    hooks: RunHooks,
) -> Result:
    """Run the job's plan to its Result; tasks in ``completed`` are restored, not run again.

    ``workspace`` must be resolved already (the worker's root is resolved once at start and
    a run's directory under it is a base64 token): the runner takes it as it is."""
    from altlas.run.handlers.routing import Route
    from altlas.run.options import RunOptions
    from altlas.run.session import execute, prepare

    plan = job["plan"]
    options = {k: v for k, v in dict(job.get("options") or {}).items() if k in JOB_OPTIONS}
    prep = prepare(
        plan,
        RunOptions.from_mapping(
            {
                **options,
                "run_id": job["run_id"],
                "settings": settings,
                "journal": False,
                "events": [hooks],
                "on_start": hooks.on_start,
                "handle_signals": False,
            }
        ),
        resolved_workspace=workspace,
    )
    for task_id, (route, error) in list(prep.routes.items()):
        if route is not None:
            gated = cast("Handler", _Gated(route.handler, hooks))
            prep.routes[task_id] = (Route(route.key, gated, route.how), error)
    record = _record(job["run_id"], plan, completed) if completed else None
    try:
        return await execute(prep, record)
    finally:
        # hooks -> scheduler -> its context -> emitter -> hooks is a cycle, and so is a
        # gated route -> hooks -> scheduler -> routes: cut it so that a run's objects go by
        # reference counting; left to the cyclic GC they cost a worker ~10 % of its CPU
        hooks.scheduler = None


_WARM_PLAN = {
    "format": "altlas.alt",
    "id": "altlas-worker-warm-up",
    "tasks": [{"id": "warm", "type": "echo", "parameters": {"message": "warm"}}],
}


async def warm_up(settings: Settings) -> None:
    """Run a one-task plan in a scratch workspace before the first job: the runner's lazy
    imports and model schemas cost a fresh worker ~0.2 s of CPU, which its first jobs paid
    (with several workers on one machine, each of them) and which a prefork pool's children
    inherit from their parent. Nothing is published or written outside the scratch directory;
    a failure here is left for the first real run to report."""
    import tempfile

    from altlas.errors import AltlasError
    from altlas.formats.io import to_bytes

    with tempfile.TemporaryDirectory(prefix="altlas-warm-") as scratch:
        job = {"run_id": "run_warm_up", "plan": _WARM_PLAN}
        hooks = RunHooks(lambda _event: None)
        try:
            result = await execute_job(
                job,
                workspace=Path(scratch).resolve() / "run",
                settings=settings,
                completed=[],
                hooks=hooks,
            )
            to_bytes(result, pretty=False)
        except AltlasError:
            return
