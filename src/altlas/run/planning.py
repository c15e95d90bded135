"""Before running: graph checks, task selection (``--only``, ``--from``), order and dry runs."""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from altlas.errors import InvalidInputError, ValidationError
from altlas.formats.common import Priority
from altlas.formats.plan import Condition, ConditionOperator, Plan, Task
from altlas.formats.validation import graph_diagnostics
from altlas.run.handlers.base import PermanentError
from altlas.run.handlers.routing import Route, Router

__all__ = [
    "DryRunStep",
    "check_graph",
    "condition_holds",
    "dry_run",
    "execution_order",
    "priority_key",
    "route_all",
    "select_tasks",
]

_RANK = {Priority.CRITICAL: 0, Priority.HIGH: 1, Priority.MEDIUM: 2, Priority.LOW: 3}


def priority_key(task: Task, index: int) -> tuple[int, int]:
    """Ready tasks start by priority (critical first), then in plan order."""
    return (_RANK.get(task.priority, 2) if task.priority else 2, index)


def check_graph(plan: Plan) -> None:
    """Duplicate ids, unknown dependencies and cycles are errors before anything runs."""
    errors = [d for d in graph_diagnostics(plan.tasks) if d.severity == "error"]
    if errors:
        raise ValidationError(errors)


def _descendants(plan: Plan, roots: list[str]) -> set[str]:
    children: dict[str, list[str]] = {}
    for task in plan.tasks:
        for dep in task.dependencies:
            children.setdefault(dep, []).append(task.id)
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        tid = stack.pop()
        if tid in seen:
            continue
        seen.add(tid)
        stack.extend(children.get(tid, ()))
    return seen


def select_tasks(
    plan: Plan,
    only: list[str] | None = None,
    from_task: str | None = None,
) -> list[str]:
    """The ids to run, in plan order: all, ``only`` these, or ``from_task`` and its dependents."""
    ids = [t.id for t in plan.tasks]
    known = set(ids)
    wanted: set[str] | None = None
    if only:
        missing = [t for t in only if t not in known]
        if missing:
            raise InvalidInputError(
                f"--only: no task {', '.join(repr(m) for m in missing)} in the plan "
                f"(tasks: {', '.join(ids[:20])}{' ...' if len(ids) > 20 else ''})"
            )
        wanted = set(only)
    if from_task:
        if from_task not in known:
            raise InvalidInputError(f"--from: no task '{from_task}' in the plan")
        down = _descendants(plan, [from_task])
        wanted = down if wanted is None else wanted & down
    if wanted is None:
        return ids
    return [t for t in ids if t in wanted]


def execution_order(plan: Plan, selected: list[str]) -> list[str]:
    """The order a one-at-a-time run would take (Kahn's algorithm by priority)."""
    chosen = set(selected)
    index = {t.id: i for i, t in enumerate(plan.tasks)}
    tasks = {t.id: t for t in plan.tasks if t.id in chosen}
    remaining = {tid: sum(1 for d in t.dependencies if d in chosen) for tid, t in tasks.items()}
    children: dict[str, list[str]] = {}
    for tid, task in tasks.items():
        for dep in task.dependencies:
            if dep in chosen:
                children.setdefault(dep, []).append(tid)
    heap = [(priority_key(tasks[t], index[t]), t) for t, n in remaining.items() if n == 0]
    heapq.heapify(heap)
    order = []
    while heap:
        _, tid = heapq.heappop(heap)
        order.append(tid)
        for child in children.get(tid, ()):
            remaining[child] -= 1
            if remaining[child] == 0:
                heapq.heappush(heap, (priority_key(tasks[child], index[child]), child))
    return order


def route_all(
    plan: Plan, router: Router, selected: list[str]
) -> dict[str, tuple[Route | None, PermanentError | None]]:
    """The route of every selected task, or the error that will fail it."""
    tasks = {t.id: t for t in plan.tasks}
    out: dict[str, tuple[Route | None, PermanentError | None]] = {}
    for tid in selected:
        try:
            out[tid] = (router.route(tasks[tid]), None)
        except PermanentError as exc:
            out[tid] = (None, exc)
    return out


@dataclass(slots=True)
class DryRunStep:
    order: int
    task_id: str
    type: str
    handler: str | None
    depends_on: list[str] = field(default_factory=list)
    note: str = ""
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "order": self.order,
            "task_id": self.task_id,
            "type": self.type,
            "handler": self.handler,
            "depends_on": self.depends_on,
            "note": self.note,
            "error": self.error,
        }


def dry_run(
    plan: Plan, router: Router, selected: list[str], *, allow_exec: bool, allow_net: bool
) -> list[DryRunStep]:
    """What a run would do, task by task, without running anything."""
    tasks = {t.id: t for t in plan.tasks}
    routes = route_all(plan, router, selected)
    steps = []
    for i, tid in enumerate(execution_order(plan, selected), 1):
        task = tasks[tid]
        route, err = routes[tid]
        step = DryRunStep(
            i, tid, task.type, route.handler.name if route else None, list(task.dependencies)
        )
        if err is not None:
            step.error = err.message
        elif route is not None:
            try:
                step.note = route.handler.describe(task, task.parameters)
            except PermanentError as exc:
                step.note = exc.message
            name = route.handler.name
            if name == "command" and not allow_exec:
                step.note = (step.note + " " if step.note else "") + "(refused: needs --allow-exec)"
            if name == "http" and not allow_net:
                step.note = (step.note + " " if step.note else "") + "(refused: needs --allow-net)"
        steps.append(step)
    return steps


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    if isinstance(value, list | dict):
        return float(len(value))  # "has any lines": a list compares by its length
    return None


def _compare(op: ConditionOperator, left: Any, right: Any) -> bool:
    if op in (ConditionOperator.CONTAINS, ConditionOperator.NOT_CONTAINS):
        inside = (str(right) in left) if isinstance(left, str) else (right in (left or ()))
        return inside if op is ConditionOperator.CONTAINS else not inside
    if op is ConditionOperator.STARTS_WITH:
        return str(left).startswith(str(right))
    if op is ConditionOperator.ENDS_WITH:
        return str(left).endswith(str(right))
    a, b = _number(left), _number(right)
    if a is None or b is None:
        a_text, b_text = str(left), str(right)
        if op is ConditionOperator.EQ:
            return a_text == b_text
        if op is ConditionOperator.NEQ:
            return a_text != b_text
        raise PermanentError(
            f"condition {op.value}: cannot compare {left!r} and {right!r} as numbers",
            error_type="ConditionError",
        )
    checks: dict[ConditionOperator, Callable[[float, float], bool]] = {
        ConditionOperator.EQ: lambda x, y: x == y,
        ConditionOperator.NEQ: lambda x, y: x != y,
        ConditionOperator.GT: lambda x, y: x > y,
        ConditionOperator.LT: lambda x, y: x < y,
        ConditionOperator.GTE: lambda x, y: x >= y,
        ConditionOperator.LTE: lambda x, y: x <= y,
    }
    return checks[op](a, b)


def condition_holds(condition: Condition, value_of: Callable[[Any], Any]) -> bool:
    """Evaluate a v2 condition tree; ``value_of`` fills ``{{ ... }}`` references of operands."""
    op = condition.operator
    if op is ConditionOperator.NOT:
        assert isinstance(condition.left, Condition)  # the model's arity check guarantees it
        return not condition_holds(condition.left, value_of)
    if op in (ConditionOperator.AND, ConditionOperator.OR):
        assert isinstance(condition.left, Condition) and isinstance(condition.right, Condition)
        first = condition_holds(condition.left, value_of)
        if op is ConditionOperator.AND and not first:
            return False
        if op is ConditionOperator.OR and first:
            return True
        return condition_holds(condition.right, value_of)
    return _compare(op, value_of(condition.left), value_of(condition.right))
