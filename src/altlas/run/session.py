"""One run from its options to its Result: resolve the options (:func:`prepare`), then run
the scheduler with the journal, the events and the outputs around it (:func:`execute`).

:mod:`altlas.run.api` holds the public entry points; workers that bring their own journal
(``scale``) call these two directly.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import platform
import signal
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from altlas._version import __version__
from altlas.config import Settings, load_settings
from altlas.errors import ExecutionError, FormatError
from altlas.formats.common import TaskStatus, new_id, to_rfc3339, utcnow
from altlas.formats.plan import Plan
from altlas.formats.result import Result
from altlas.run.cancel import CancelToken
from altlas.run.events import Emitter, EventSink, EventType
from altlas.run.executor import RunContext
from altlas.run.handlers.base import PermanentError
from altlas.run.handlers.registry import HandlerRegistry, default_registry
from altlas.run.handlers.routing import Route, Router
from altlas.run.journal import Journal, RunRecord
from altlas.run.options import RunConfig, RunOptions
from altlas.run.planning import check_graph, route_all, select_tasks
from altlas.run.resilience import BreakerRegistry
from altlas.run.results import build_result
from altlas.run.scheduler import Scheduler
from altlas.run.state import TaskState

__all__ = ["PlanSource", "PreparedRun", "execute", "plan_of", "prepare"]

PlanSource = Plan | str | os.PathLike[str] | Mapping[str, Any]


def plan_of(source: PlanSource) -> tuple[Plan, str | None]:
    """A validated plan from a Plan, a path (any dialect) or a mapping (any dialect).

    A path or a mapping is read with every rule, the task graph's included; a Plan built in
    Python has passed its model only, so its graph is checked here."""
    if isinstance(source, Plan):
        check_graph(source)
        return source, None
    from altlas.formats.io import load_plan, read_bytes

    if isinstance(source, Mapping):
        try:
            raw = orjson.dumps(dict(source), default=str)
        except (TypeError, orjson.JSONEncodeError) as exc:
            # e.g. an integer wider than 64 bits: JSON cannot carry it faithfully
            raise FormatError(f"plan cannot be serialised as JSON: {exc}") from None
        loaded = read_bytes(raw, kind="alt")
        return loaded.document, None
    path = Path(source)
    return load_plan(path), str(path.resolve())


def _as_list(value: Any) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v) for v in value]


@dataclass(slots=True)
class PreparedRun:
    """One run, resolved: the plan, its config, the selection and where things go."""

    plan: Plan
    plan_path: str | None
    config: RunConfig
    settings: Settings
    router: Router
    selected: list[str]
    routes: dict[str, tuple[Route | None, PermanentError | None]]
    run_id: str
    workspace: Path
    only: list[str] | None
    from_task: str | None
    output: Path | None
    report: Path | None
    archive: bool = False
    sinks: list[EventSink] = field(default_factory=list)
    breakers: BreakerRegistry | None = None
    handle_signals: bool = False
    on_start: Callable[[Scheduler], object] | None = None
    cancel: CancelToken | None = None


def prepare(
    source: PlanSource, options: RunOptions, *, resolved_workspace: Path | None = None
) -> PreparedRun:
    """``resolved_workspace``: an absolute directory the caller resolved itself (a worker's
    root resolved once, plus a run token), used as it is; no plan or config value reaches it."""
    settings: Settings = options.settings or load_settings(options.home)
    config = settings.section("run", RunConfig, **options.config_overrides())
    plan, plan_path = plan_of(source)
    registry: HandlerRegistry = options.registry or default_registry()
    router = Router(registry, config.routing)
    only = _as_list(options.only)
    selected = select_tasks(plan, only, options.from_task)
    if resolved_workspace is None:
        workspace = Path(config.workspace or Path.cwd()).expanduser().resolve()
    elif resolved_workspace.is_absolute():
        workspace = resolved_workspace
    else:
        raise ExecutionError("a resolved workspace must be absolute", file=str(resolved_workspace))
    events = options.events
    sinks: list[EventSink] = [events] if callable(events) else list(events or ())
    return PreparedRun(
        plan=plan,
        plan_path=plan_path,
        config=config,
        settings=settings,
        router=router,
        selected=selected,
        routes=route_all(plan, router, selected),
        run_id=options.run_id or new_id("run"),
        workspace=workspace,
        only=only,
        from_task=options.from_task,
        output=_resolved(options.output),
        report=_resolved(options.report),
        archive=bool(options.archive),
        sinks=sinks,
        breakers=options.breakers,
        handle_signals=bool(options.handle_signals),
        on_start=options.on_start,
        cancel=options.cancel,
    )


def _resolved(path: str | os.PathLike[str] | None) -> Path | None:
    return Path(path).expanduser().resolve() if path else None


def _stored_options(prep: PreparedRun) -> dict[str, Any]:
    data = prep.config.model_dump(mode="json")
    data["workspace"] = str(prep.workspace)
    data.update(
        only=prep.only,
        from_task=prep.from_task,
        output=str(prep.output) if prep.output else None,
        report=str(prep.report) if prep.report else None,
        archive=prep.archive,
    )
    return data


@contextlib.contextmanager
def _signals(scheduler: Scheduler, enabled: bool) -> Iterator[None]:
    """SIGINT/SIGTERM cancel the run gracefully (a second one skips the grace period)."""
    if not enabled or threading.current_thread() is not threading.main_thread():
        yield
        return
    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, scheduler.request_cancel)
            installed.append(sig)
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


async def execute(prep: PreparedRun, record: RunRecord | None = None) -> Result:
    config = prep.config
    journal = Journal.open(prep.settings.home, sync=config.journal_sync) if config.journal else None
    try:
        return await _execute_with(prep, journal, record)
    finally:
        if journal is not None:
            journal.close()


def _states(prep: PreparedRun, record: RunRecord | None) -> tuple[dict[str, TaskState], int]:
    """A state per selected task; those an earlier process completed are restored (counted)."""
    index = {t.id: i for i, t in enumerate(prep.plan.tasks)}
    tasks = {t.id: t for t in prep.plan.tasks}
    states = {tid: TaskState(tasks[tid], index[tid]) for tid in prep.selected}
    already = 0
    if record is not None:
        for row in record.tasks:
            state = states.get(row["task_id"])
            if state is not None and row["status"] == TaskStatus.COMPLETED.value:
                state.restore(row)
                already += 1
    return states, already


def _journal_start(
    prep: PreparedRun, journal: Journal, record: RunRecord | None, states: dict[str, TaskState]
) -> None:
    run_id = prep.run_id
    host = {"host": platform.node(), "pid": os.getpid(), "altlas_version": __version__}
    if record is None:
        from altlas.formats.io import to_bytes

        journal.create_run(
            run_id=run_id,
            plan=to_bytes(prep.plan, pretty=False),
            plan_id=prep.plan.id,
            title=prep.plan.display_title,
            task_ids=prep.selected,
            options=_stored_options(prep),
            plan_path=prep.plan_path,
            status="running",
            started_at=to_rfc3339(utcnow()),
            **host,
        )
        return
    # what will run again starts from pending, in the same transaction as the run row
    for state in states.values():
        if not state.status.finished:
            journal.record(run_id, state.row(run_id))
    journal.update_run(run_id, status="running", resumes=record.resumes + 1, **host)


def _needs_workspace(prep: PreparedRun) -> bool:
    """Whether a selected task's handler may touch the workspace (a directory per run was
    ~15 % of a NATS worker's CPU per small plan); a report or a journaled run keeps it."""
    if prep.report is not None or prep.config.journal:
        return True
    for route, _error in prep.routes.values():
        if route is not None and getattr(route.handler, "uses_workspace", True):
            return True
    return False


async def _execute_with(
    prep: PreparedRun, journal: Journal | None, record: RunRecord | None
) -> Result:
    plan, config, run_id = prep.plan, prep.config, prep.run_id
    if _needs_workspace(prep):
        try:
            prep.workspace.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ExecutionError(
                f"cannot create the workspace: {exc.strerror}", file=str(prep.workspace)
            ) from None
    states, already = _states(prep, record)
    outside = sorted({d for s in states.values() for d in s.task.dependencies if d not in states})
    external = journal.latest_outputs(plan.id, outside) if journal is not None and outside else {}
    if journal is not None:
        _journal_start(prep, journal, record, states)
    emitter = Emitter(run_id, prep.sinks)
    rc = RunContext(
        run_id=run_id,
        plan=plan,
        config=config,
        settings=prep.settings,
        workspace=prep.workspace,
        emitter=emitter,
        breakers=prep.breakers
        or BreakerRegistry(config.breaker_failures, config.breaker_reset_seconds),
        states=states,
        journal=journal,
        external_outputs=external,
        variables={v.name: v.value for v in plan.variables},
        plan_fields={
            "id": plan.id,
            "title": plan.display_title,
            "command": plan.command,
            "language": plan.language,
            "persona": plan.persona,
            "mode": plan.mode.value,
        },
    )
    scheduler = Scheduler(rc, prep.selected, prep.routes, cancel=prep.cancel)
    if emitter.active:
        emitter.send(
            emitter.make(
                EventType.RUN_STARTED,
                plan_id=plan.id,
                title=plan.display_title,
                task_count=len(states),
                already_completed=already,
                concurrency=config.concurrency,
                resumed=record is not None,
                workspace=str(prep.workspace),
            )
        )
    if prep.on_start is not None:
        prep.on_start(scheduler)
    try:
        with _signals(scheduler, prep.handle_signals):
            await scheduler.run()
    finally:
        result = _finish(prep, rc, scheduler, journal, record)
    return result


def _result_metadata(prep: PreparedRun, rc: RunContext) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "concurrency": prep.config.concurrency,
        "workspace": str(prep.workspace),
    }
    if prep.only or prep.from_task:
        meta["selection"] = {"only": prep.only, "from": prep.from_task}
    if prep.config.continue_on_error:
        meta["continue_on_error"] = True
    breakers = {k: b.snapshot() for k, b in rc.breakers.breakers.items() if b.times_opened}
    if breakers:
        meta["circuit_breakers"] = breakers
    return meta


def _finish(
    prep: PreparedRun,
    rc: RunContext,
    scheduler: Scheduler,
    journal: Journal | None,
    record: RunRecord | None,
) -> Result:
    meta = _result_metadata(prep, rc)
    started = None
    if record is not None and record.started_at:
        started = datetime.fromisoformat(record.started_at.replace("Z", "+00:00"))
    result = build_result(
        prep.plan,
        rc.states.values(),
        run_id=prep.run_id,
        started_at=started
        or min((s.started_at for s in rc.states.values() if s.started_at), default=None),
        cancelled=scheduler.cancelled,
        metadata=meta,
    )
    written = None
    if prep.output is not None:
        from altlas.formats.io import write

        written = write(result, prep.output)
    if prep.report is not None:
        from altlas.run.report import write_report

        write_report(result, prep.report, prep.plan, prep.workspace)
    archived = _archive(prep, result, written) if prep.archive else None
    if journal is not None:
        journal.update_run(
            prep.run_id,
            status=result.status.value,
            finished_at=to_rfc3339(result.finished_at) if result.finished_at else None,
            duration_ms=result.duration_ms,
            success_rate=result.success_rate,
            counts=result.counts(),
            result_path=str(written) if written else (record.result_path if record else None),
            report_path=str(prep.report) if prep.report else None,
        )
    emitter = rc.emitter
    if emitter.active:
        emitter.send(
            emitter.make(
                EventType.RUN_FINISHED,
                status=result.status.value,
                success_rate=result.success_rate,
                counts=result.counts(),
                duration_ms=result.duration_ms,
                result_path=str(written) if written else None,
                archive_id=archived,
            )
        )
    return result


def _archive(prep: PreparedRun, result: Result, written: Path | None) -> str:
    """Store the result in the archive under the same home, as the file written (if any)."""
    from altlas.index import Archive

    raw = written.read_bytes() if written is not None else None
    with Archive(prep.settings.home) as archive:
        outcome = archive.add_result(result, raw=raw, name=str(written) if written else None)
    return outcome.id or result.id
