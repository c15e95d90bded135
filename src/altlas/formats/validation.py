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
from altlas.formats.common import format_path

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
            path=_find_value_path(data, field, raw, renames),
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


def find_cycles(ids: Sequence[str], edges: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Cycles in a dependency graph, each as a path ``[a, b, c, a]``.

    ``edges[x]`` lists what ``x`` depends on. Iterative three-colour DFS: linear in
    tasks + edges. Each back edge gives one cycle; unknown ids are ignored.
    """
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(ids, white)
    cycles: list[list[str]] = []
    for root in ids:
        if colour[root] != white:
            continue
        colour[root] = grey
        path = [root]
        iters = [iter(edges.get(root, ()))]
        while iters:
            advanced = False
            for nxt in iters[-1]:
                state = colour.get(nxt)
                if state is None:
                    continue
                if state == grey:
                    start = path.index(nxt)
                    cycles.append([*path[start:], nxt])
                elif state == white:
                    colour[nxt] = grey
                    path.append(nxt)
                    iters.append(iter(edges.get(nxt, ())))
                    advanced = True
                    break
            if not advanced:
                colour[path.pop()] = black
                iters.pop()
    return cycles


def graph_diagnostics(
    tasks: Sequence[Mapping[str, Any]],
    *,
    tasks_key: str = "tasks",
    id_key: str = "id",
    deps_key: str = "dependencies",
) -> list[Diagnostic]:
    """Duplicate ids, unknown and self dependencies, and cycles (with the cycle path)."""
    diags: list[Diagnostic] = []
    first_index: dict[str, int] = {}
    for i, task in enumerate(tasks):
        tid = task.get(id_key)
        if not isinstance(tid, str) or not tid:
            continue
        if tid in first_index:
            diags.append(
                Diagnostic(
                    f"duplicate task id '{tid}' (first used by {tasks_key}[{first_index[tid]}])",
                    path=f"{tasks_key}[{i}].{id_key}",
                    code="duplicate_id",
                    ids=(tid,),
                ),
            )
        else:
            first_index[tid] = i
    edges: dict[str, list[str]] = {}
    for i, task in enumerate(tasks):
        tid = task.get(id_key)
        deps = task.get(deps_key) or []
        if not isinstance(deps, list):
            continue
        for j, dep in enumerate(deps):
            path = f"{tasks_key}[{i}].{deps_key}[{j}]"
            if not isinstance(dep, str):
                continue
            if dep == tid:
                diags.append(
                    Diagnostic(
                        f"task '{tid}' depends on itself",
                        path=path,
                        code="self_dependency",
                        ids=(dep,),
                    ),
                )
            elif dep not in first_index:
                diags.append(
                    Diagnostic(
                        f"task '{tid}' depends on unknown task '{dep}'",
                        path=path,
                        code="unknown_dependency",
                        ids=(str(tid), dep),
                    ),
                )
            elif isinstance(tid, str):
                edges.setdefault(tid, []).append(dep)
    for cycle in find_cycles(list(first_index), edges):
        first = cycle[0]
        diags.append(
            Diagnostic(
                "dependency cycle: " + " -> ".join(cycle),
                path=f"{tasks_key}[{first_index[first]}].{deps_key}",
                code="cycle",
                ids=tuple(cycle[:-1]),
            ),
        )
    return diags


def _mode_of(data: Mapping[str, Any]) -> str:
    mode = data.get("mode")
    return mode.strip().lower() if isinstance(mode, str) else "normal"


def plan_rule_diagnostics(
    data: Mapping[str, Any],
    *,
    tasks_key: str = "tasks",
) -> list[Diagnostic]:
    """Graph, mode/chaos and control-structure rules on a plan-shaped mapping."""
    tasks = data.get(tasks_key)
    tasks = [t for t in tasks if isinstance(t, Mapping)] if isinstance(tasks, list) else []
    diags = graph_diagnostics(tasks, tasks_key=tasks_key)
    mode = _mode_of(data)
    level = data.get("chaos_level")
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
    ids = {t.get("id") for t in tasks}
    for i, task in enumerate(tasks):
        used = [name for name in _ADVANCED if task.get(name) is not None]
        if len(used) > 1:
            diags.append(
                Diagnostic(
                    "only one advanced feature (condition, loop, function_def, function_call) "
                    f"can be used per task; found {', '.join(used)}",
                    path=f"{tasks_key}[{i}]",
                    code="advanced_features",
                ),
            )
        diags.extend(_body_references(task, i, ids, tasks_key))
    return diags


def _body_references(
    task: Mapping[str, Any],
    index: int,
    ids: set[Any],
    tasks_key: str,
) -> Iterable[Diagnostic]:
    bodies: list[tuple[str, Any]] = []
    loop = task.get("loop")
    if isinstance(loop, Mapping):
        bodies.append(("loop.body", loop.get("body")))
    cond = task.get("condition")
    if isinstance(cond, Mapping):
        bodies.append(("condition.if_body", cond.get("if_body")))
        bodies.append(("condition.else_body", cond.get("else_body")))
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


def result_rule_diagnostics(data: Mapping[str, Any]) -> list[Diagnostic]:
    """Unique task ids, graph edges that name tasks, and a success rate that adds up."""
    tasks = data.get("tasks")
    tasks = [t for t in tasks if isinstance(t, Mapping)] if isinstance(tasks, list) else []
    diags: list[Diagnostic] = []
    seen: dict[str, int] = {}
    for i, task in enumerate(tasks):
        tid = task.get("task_id")
        if isinstance(tid, str):
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
    graph = data.get("graph")
    if isinstance(graph, Mapping) and seen:
        for i, edge in enumerate(graph.get("edges") or []):
            if not isinstance(edge, Mapping):
                continue
            for end in ("source", "target"):
                ref = edge.get(end)
                if isinstance(ref, str) and ref not in seen:
                    diags.append(
                        Diagnostic(
                            f"graph edge names unknown task '{ref}'",
                            path=f"graph.edges[{i}].{end}",
                            code="unknown_reference",
                            ids=(ref,),
                        ),
                    )
    rate = data.get("success_rate")
    if tasks and isinstance(rate, int | float):
        done = sum(1 for t in tasks if t.get("status") == "completed")
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
