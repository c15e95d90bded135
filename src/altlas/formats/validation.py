"""Validation of the canonical formats: structure (pydantic) plus graph and mode rules.

Every check collects; nothing stops at the first error. Paths name fields as they appear in
the document the user gave (``segments[2].dependencies[0]`` for a segmentation file,
``tasks[2].dependencies[0]`` for a canonical or runner file).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from altlas.errors import Diagnostic
from altlas.formats._fields import columns, field_of
from altlas.formats.common import format_path
from altlas.formats.task_graph import find_cycles, graph_diagnostics

M = TypeVar("M", bound=BaseModel)

__all__ = [
    "find_cycles",
    "graph_diagnostics",
    "model_diagnostics",
    "plan_rule_diagnostics",
    "result_rule_diagnostics",
    "validate_model",
]

_ADVANCED = ("condition", "loop", "function_def", "function_call")


def _loc_to_path(loc: Sequence[str | int], renames: Mapping[str, str]) -> str:
    parts: list[str | int] = [renames.get(p, p) if isinstance(p, str) else p for p in loc]
    # pydantic names union branches and model validators in loc; they are noise to a user
    cleaned = [
        p
        for p in parts
        if not (isinstance(p, str) and (p.startswith("function-") or p in _UNION_NOISE))
    ]
    return format_path(cleaned)


_UNION_NOISE = {"Condition", "str", "int", "float", "bool", "none", "any", "list[str]"}


def model_diagnostics(
    exc: PydanticValidationError,
    renames: Mapping[str, str] | None = None,
) -> list[Diagnostic]:
    """One diagnostic per pydantic error, with a readable path and message."""
    renames = renames or {}
    out: list[Diagnostic] = []
    seen: set[tuple[str, str]] = set()
    for err in exc.errors(include_url=False):
        path = _loc_to_path(err["loc"], renames)
        msg = str(err["msg"])
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        if err["type"] == "extra_forbidden":
            msg = "unknown field"
        elif err["type"] == "missing":
            msg = "required field is missing"
        key = (path, msg)
        if key in seen:
            continue
        seen.add(key)
        out.append(Diagnostic(msg, path=path, code=str(err["type"])))
    return out


def validate_model(
    model: type[M],
    data: Any,
    *,
    renames: Mapping[str, str] | None = None,
) -> tuple[M | None, list[Diagnostic]]:
    """Validate ``data`` against ``model``; returns the model (or None) and every diagnostic.

    Naive timestamps are accepted as UTC and reported as warnings at their field path.
    """
    warnings: list[tuple[str, Any, str]] = []
    try:
        obj = model.model_validate(data, context={"warnings": warnings})
    except PydanticValidationError as exc:
        return None, model_diagnostics(exc, renames)
    diags = [
        Diagnostic(
            f"timestamp {iso} has no timezone; assumed UTC",
            path=_find_value_path(data, field, raw, renames or {}),
            severity="warning",
            code="naive_timestamp",
        )
        for field, raw, iso in warnings
    ]
    return obj, diags


def _find_value_path(data: Any, key: str, raw: Any, renames: Mapping[str, str]) -> str:
    """Where in ``data`` the key ``key`` holds ``raw`` (first match, depth first)."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())]
    while stack:
        node, loc = stack.pop()
        if isinstance(node, Mapping):
            if node.get(key) is raw or node.get(key) == raw:
                return _loc_to_path((*loc, key), renames)
            stack.extend((v, (*loc, k)) for k, v in reversed(list(node.items())))
        elif isinstance(node, list):
            stack.extend((v, (*loc, i)) for i, v in reversed(list(enumerate(node))))
    return key


def _mode_of(data: Any) -> str:
    mode = field_of(data, "mode")
    return str(mode).strip().lower() if mode is not None else "normal"


def plan_rule_diagnostics(data: Any, *, tasks_key: str = "tasks") -> list[Diagnostic]:
    """Graph, mode/chaos and control-structure rules on a plan (mapping or model)."""
    # The data is canonical-shaped whatever the source; tasks_key only names the paths.
    tasks = field_of(data, "tasks")
    if not isinstance(tasks, list):
        tasks = []
    elif not isinstance(data, BaseModel):
        tasks = [t for t in tasks if isinstance(t, Mapping)]
    diags = graph_diagnostics(tasks, tasks_key=tasks_key)
    mode = _mode_of(data)
    level = field_of(data, "chaos_level")
    if mode == "chaos":
        ok = isinstance(level, int) and not isinstance(level, bool) and 1 <= level <= 10
        if not ok:
            diags.append(
                Diagnostic(
                    f"chaos_level must be an integer from 1 to 10 when mode is chaos "
                    f"(got {level!r})",
                    path="chaos_level",
                    code="chaos_level",
                ),
            )
    elif level is not None:
        diags.append(
            Diagnostic(
                f"chaos_level is only allowed when mode is chaos (mode is {mode})",
                path="chaos_level",
                code="chaos_level",
            ),
        )
    ids: set[Any] | None = None
    advanced = columns(tasks, *_ADVANCED)
    # Control structures are rare: find the tasks that have any before looking at each one.
    flagged = sorted({i for col in advanced for i, value in enumerate(col) if value is not None})
    for i in flagged:
        task = tasks[i]
        used = [name for name, col in zip(_ADVANCED, advanced, strict=True) if col[i] is not None]
        if len(used) > 1:
            diags.append(
                Diagnostic(
                    "only one advanced feature (condition, loop, function_def, function_call) "
                    f"can be used per task; found {', '.join(used)}",
                    path=f"{tasks_key}[{i}]",
                    code="advanced_features",
                ),
            )
        if ids is None:
            ids = set(columns(tasks, "id")[0])
        diags.extend(_body_references(task, i, ids, tasks_key))
    return diags


def _body_references(
    task: Any,
    index: int,
    ids: set[Any],
    tasks_key: str,
) -> Iterable[Diagnostic]:
    bodies: list[tuple[str, Any]] = []
    loop = field_of(task, "loop")
    if loop is not None:
        bodies.append(("loop.body", field_of(loop, "body")))
    cond = field_of(task, "condition")
    if cond is not None:
        bodies.append(("condition.if_body", field_of(cond, "if_body")))
        bodies.append(("condition.else_body", field_of(cond, "else_body")))
    for name, body in bodies:
        if not isinstance(body, list):
            continue
        for j, ref in enumerate(body):
            if isinstance(ref, str) and ref not in ids:
                yield Diagnostic(
                    f"'{ref}' is not a task id of this plan",
                    path=f"{tasks_key}[{index}].{name}[{j}]",
                    code="unknown_reference",
                    ids=(ref,),
                )


def result_rule_diagnostics(data: Any) -> list[Diagnostic]:
    """Unique task ids, graph edges that name tasks, and a success rate that adds up."""
    tasks = field_of(data, "tasks")
    tasks = (
        [t for t in tasks if not isinstance(t, str | int | float)]
        if isinstance(tasks, list)
        else []
    )
    diags: list[Diagnostic] = []
    seen: dict[str, int] = {}
    done = 0
    for i, task in enumerate(tasks):
        tid = field_of(task, "task_id")
        done += str(field_of(task, "status")) == "completed"
        if not isinstance(tid, str):
            continue
        if tid in seen:
            diags.append(
                Diagnostic(
                    f"duplicate task id '{tid}' (first used by tasks[{seen[tid]}])",
                    path=f"tasks[{i}].task_id",
                    code="duplicate_id",
                    ids=(tid,),
                ),
            )
        else:
            seen[tid] = i
    graph = field_of(data, "graph")
    edges = field_of(graph, "edges") if graph is not None else None
    if seen and isinstance(edges, list):
        for i, edge in enumerate(edges):
            for end in ("source", "target"):
                ref = field_of(edge, end)
                if isinstance(ref, str) and ref not in seen:
                    diags.append(
                        Diagnostic(
                            f"graph edge names unknown task '{ref}'",
                            path=f"graph.edges[{i}].{end}",
                            code="unknown_reference",
                            ids=(ref,),
                        ),
                    )
    rate = field_of(data, "success_rate")
    if tasks and isinstance(rate, int | float):
        expected = done / len(tasks)
        if abs(expected - float(rate)) > 1e-6:
            diags.append(
                Diagnostic(
                    f"success_rate {rate} does not match {done}/{len(tasks)} completed tasks "
                    f"({expected:.4f})",
                    path="success_rate",
                    severity="warning",
                    code="success_rate",
                ),
            )
    return diags
