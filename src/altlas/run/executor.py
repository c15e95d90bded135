"""One task, start to finish: templating, cache, circuit breaker, timeout and retries."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from altlas.config import Settings
from altlas.formats.common import TaskStatus, utcnow
from altlas.formats.plan import Plan, Task
from altlas.formats.result import ErrorInfo
from altlas.run.artifacts import describe_file
from altlas.run.cache import cache_key, usable_artifacts
from altlas.run.config import RunConfig
from altlas.run.events import Emitter, EventType
from altlas.run.handlers.base import Handler, HandlerContext, PermanentError, TransientError
from altlas.run.handlers.routing import Route
from altlas.run.handlers.vocabulary import handler_parameters
from altlas.run.journal import Journal
from altlas.run.planning import condition_holds
from altlas.run.resilience import BreakerRegistry, CircuitBreaker, retry_policy
from altlas.run.state import TaskState
from altlas.run.templating import render

__all__ = [
    "CONDITION_FALSE",
    "RunContext",
    "TaskTimeout",
    "effective_retries",
    "effective_timeout",
    "execute_task",
]

CONDITION_FALSE = "ConditionFalse"
"""The error type of a task skipped because its condition did not hold (not a failure)."""


class TaskTimeout(TransientError):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"timed out after {seconds:g} s", error_type="Timeout")


@dataclass(slots=True)
class RunContext:
    """What every task of one run shares."""

    run_id: str
    plan: Plan
    config: RunConfig
    settings: Settings
    workspace: Path
    emitter: Emitter
    breakers: BreakerRegistry
    states: dict[str, TaskState]
    journal: Journal | None = None
    external_outputs: dict[str, Any] = field(default_factory=dict)
    variables: dict[str, Any] = field(default_factory=dict)
    plan_fields: dict[str, Any] = field(default_factory=dict)


def _positive(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def effective_timeout(task: Task, plan: Plan, config: RunConfig) -> float:
    """task.timeout_seconds > parameters.timeout_seconds (runner dialect) > plan > config."""
    for value in (
        task.timeout_seconds,
        task.parameters.get("timeout_seconds"),
        plan.timeout_seconds,
    ):
        found = _positive(value)
        if found is not None:
            return found
    return config.timeout_seconds


def effective_retries(task: Task, config: RunConfig) -> int:
    return task.retry_count if task.retry_count is not None else config.retries


def _ancestors(rc: RunContext, task: Task) -> list[str]:
    seen: dict[str, None] = {}
    stack = list(reversed(task.dependencies))
    while stack:
        tid = stack.pop()
        if tid in seen:
            continue
        seen[tid] = None
        state = rc.states.get(tid)
        if state is not None:
            stack.extend(reversed(state.task.dependencies))
    return list(seen)


def _inputs(rc: RunContext, task: Task) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for dep in task.dependencies:
        state = rc.states.get(dep)
        if state is None:
            if dep in rc.external_outputs:
                out[dep] = rc.external_outputs[dep]
        elif state.status is TaskStatus.COMPLETED:
            out[dep] = state.output
    return out


def _templated(rc: RunContext, task: Task, params: dict[str, Any] | None = None) -> dict[str, Any]:
    params = handler_parameters(task) if params is None else params
    if "{{" not in orjson.dumps(params, default=str).decode():
        return params
    outputs: dict[str, Any] = {}
    statuses: dict[str, str] = {}
    for tid in _ancestors(rc, task):
        state = rc.states.get(tid)
        if state is None:
            if tid in rc.external_outputs:
                outputs[tid] = rc.external_outputs[tid]
                statuses[tid] = "completed"
            continue
        statuses[tid] = state.status.value
        if state.status is TaskStatus.COMPLETED:
            outputs[tid] = state.output
    return render(
        params, outputs=outputs, statuses=statuses, plan=rc.plan_fields, variables=rc.variables
    )


@dataclass(slots=True)
class _Call:
    """One task's handler call, the same for every attempt."""

    rc: RunContext
    state: TaskState
    handler: Handler
    params: dict[str, Any]
    inputs: dict[str, Any]
    timeout: float
    breaker: CircuitBreaker | None
    holder: list[HandlerContext]
    """Every context handed to the handler, to collect their artifacts afterwards."""


def _context(
    rc: RunContext,
    state: TaskState,
    params: dict[str, Any],
    inputs: dict[str, Any],
    **extra: Any,
) -> HandlerContext:
    return HandlerContext(
        task=state.task,
        params=params,
        inputs=inputs,
        workspace=rc.workspace,
        config=rc.config,
        settings=rc.settings,
        run_id=rc.run_id,
        plan=rc.plan,
        **extra,
    )


async def _attempt(call: _Call) -> Any:
    state, breaker, timeout, handler = call.state, call.breaker, call.timeout, call.handler
    state.attempts += 1
    if breaker is not None:
        breaker.before_call()
    ctx = _context(
        call.rc, state, call.params, call.inputs, attempt=state.attempts, timeout=timeout
    )
    call.holder.append(ctx)
    outcome = "none"
    try:
        async with asyncio.timeout(timeout) as scope:
            try:
                result = await handler.run(ctx)
            except TimeoutError:
                if scope.expired():
                    raise
                raise TransientError("the handler timed out", error_type="Timeout") from None
        outcome = "ok"
        return result
    except TimeoutError:
        outcome = "fail"
        raise TaskTimeout(timeout) from None
    except PermanentError:
        raise
    except Exception:
        outcome = "fail"
        raise
    finally:
        if breaker is not None:
            if outcome == "ok":
                breaker.record_success()
            elif outcome == "fail":
                breaker.record_failure()
            else:
                breaker.release()


def _fail(state: TaskState, exc: BaseException) -> None:
    if isinstance(exc, PermanentError | TransientError):
        state.error = ErrorInfo(type=exc.error_type, message=exc.message, details=exc.details)
        if exc.output is not None:
            state.set_output(exc.output)
    else:
        message = str(exc) or type(exc).__name__
        state.error = ErrorInfo(type=type(exc).__name__, message=message)
    state.status = TaskStatus.TIMEOUT if isinstance(exc, TaskTimeout) else TaskStatus.FAILED


def _collect_artifacts(rc: RunContext, state: TaskState, holder: list[HandlerContext]) -> None:
    seen: set[Path] = set()
    for ctx in holder:
        for path in ctx.artifacts:
            if path in seen or not path.is_file():
                continue
            seen.add(path)
            state.artifacts.append(describe_file(path, state.id, rc.workspace))


def _cache_key(
    rc: RunContext, handler: Handler, params: dict[str, Any], inputs: dict[str, Any]
) -> str | None:
    """The task's cache key when the run caches and the handler allows it, else None."""
    if not (rc.config.cache and rc.journal is not None and handler.is_cacheable(params)):
        return None
    salt = handler.cache_salt(params, rc.workspace)
    return cache_key(handler.name, handler.version, params, inputs, salt) or None


def _from_cache(journal: Journal, key: str, state: TaskState) -> bool:
    """Complete ``state`` from the cache; False when there is no usable entry."""
    hit = journal.cache_get(key)
    if hit is None:
        return False
    artifacts = usable_artifacts(hit[1])
    if artifacts is None:
        return False
    state.set_output(hit[0])
    state.artifacts = artifacts
    state.cached = True
    state.status = TaskStatus.COMPLETED
    journal.cache_hit(key)
    return True


async def execute_task(
    rc: RunContext,
    state: TaskState,
    route: Route | None,
    route_error: PermanentError | None,
) -> TaskState:
    """Run ``state.task`` to a final status; never raises (a cancel becomes ``cancelled``)."""
    started = time.perf_counter()
    holder: list[HandlerContext] = []
    try:
        if route is None:
            raise route_error or PermanentError("no handler", error_type="NoHandler")
        handler = route.handler
        skip = _condition_skip(rc, state.task)
        if skip is not None:
            state.status = TaskStatus.SKIPPED
            state.error = ErrorInfo(type=CONDITION_FALSE, message=skip)
            state.set_output({"skipped": True, "reason": skip})
            return state
        params = _templated(rc, state.task)
        inputs = _inputs(rc, state.task)
        journal = rc.journal
        key = _cache_key(rc, handler, params, inputs)
        if key is not None and journal is not None and _from_cache(journal, key, state):
            return state
        breaker = None
        if handler.breaker:
            breaker = rc.breakers.get(
                handler.name, handler.target(params, _probe(rc, state, params))
            )
            state.metadata["breaker"] = breaker.key
        timeout = effective_timeout(state.task, rc.plan, rc.config)
        tries = 1 + effective_retries(state.task, rc.config)
        call = _Call(rc, state, handler, params, inputs, timeout, breaker, holder)
        output = await (_attempt(call) if tries == 1 else _with_retries(call, tries))
        state.set_output(output)
        _collect_artifacts(rc, state, holder)
        state.status = TaskStatus.COMPLETED
        if key is not None and journal is not None:
            arts = [a.model_dump(mode="json") for a in state.artifacts]
            journal.cache_put(
                key, handler.name, state.output_json, orjson.dumps(arts) if arts else None
            )
    except asyncio.CancelledError:
        state.status = TaskStatus.CANCELLED
        state.error = ErrorInfo(
            type="Cancelled", message="the run was cancelled while this task ran"
        )
        _collect_artifacts(rc, state, holder)
    except Exception as exc:  # every failure becomes the task's error
        _fail(state, exc)
        _collect_artifacts(rc, state, holder)
    finally:
        state.finished_at = utcnow()
        state.duration_ms = round((time.perf_counter() - started) * 1000, 3)
    return state


def _condition_skip(rc: RunContext, task: Task) -> str | None:
    """Why ``task`` must not run: its own condition is false, or it is another's else branch."""
    for dep in task.dependencies:
        carrier = rc.states.get(dep)
        branch = carrier.task.condition if carrier is not None else None
        in_else = bool(branch and branch.else_body and task.id in branch.else_body)
        if in_else and carrier is not None and carrier.status is TaskStatus.COMPLETED:
            return f"the condition of '{dep}' held, so its else branch did not run"
    branch = task.condition
    if branch is None:
        return None

    def value_of(operand: Any) -> Any:
        return _templated(rc, task, {"value": operand})["value"]

    if condition_holds(branch.condition, value_of):
        return None
    return str(task.metadata.get("condition_text") or "the condition did not hold")


def _probe(rc: RunContext, state: TaskState, params: dict[str, Any]) -> HandlerContext:
    """A context for :meth:`Handler.target`, which some handlers key on settings."""
    return _context(rc, state, params, {})


async def _with_retries(call: _Call, tries: int) -> Any:
    rc, state = call.rc, call.state
    errors: list[dict[str, Any]] = []

    def before_sleep(retry_state: Any) -> None:
        exc = retry_state.outcome.exception()
        error = {
            "attempt": retry_state.attempt_number,
            "type": getattr(exc, "error_type", type(exc).__name__),
            "message": getattr(exc, "message", str(exc)),
        }
        errors.append(error)
        state.metadata["attempt_errors"] = errors
        delay = retry_state.next_action.sleep if retry_state.next_action else 0.0
        if rc.emitter.active:
            rc.emitter.send(
                rc.emitter.make(
                    EventType.TASK_RETRYING,
                    state.id,
                    attempt=error["attempt"],
                    error={"type": error["type"], "message": error["message"]},
                    delay_seconds=round(delay, 3),
                )
            )

    cfg = rc.config
    policy = retry_policy(
        tries,
        initial=cfg.backoff_initial,
        maximum=cfg.backoff_max,
        jitter=cfg.backoff_jitter,
        before_sleep=before_sleep,
    )
    async for attempt in policy:
        with attempt:
            return await _attempt(call)
    raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover
