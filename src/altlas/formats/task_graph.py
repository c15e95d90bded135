"""The task graph's rules: duplicate ids, unknown and self dependencies, and cycles, each with
the path of the field that is wrong (and the cycle's path)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from altlas.errors import Diagnostic
from altlas.formats._fields import columns

__all__ = ["find_cycles", "graph_diagnostics"]


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
    tasks: Sequence[Any],
    *,
    tasks_key: str = "tasks",
    id_key: str = "id",
    deps_key: str = "dependencies",
) -> list[Diagnostic]:
    """Duplicate ids, unknown and self dependencies, and cycles (with the cycle path).

    ``tasks`` may be raw mappings or validated models.
    """
    ids, deps_of = columns(tasks, id_key, deps_key)
    first_index: dict[str, int] = {}
    for i, tid in enumerate(ids):
        if isinstance(tid, str) and tid and tid not in first_index:
            first_index[tid] = i
    diags: list[Diagnostic] = []
    if len(first_index) != sum(1 for t in ids if isinstance(t, str) and t):
        diags += _duplicates(ids, first_index, tasks_key, id_key)
    edges: dict[str, list[str]] = {}
    # When every dependency points at an earlier task the graph cannot have a cycle; plans are
    # almost always written in that order, so the depth-first search is usually skipped.
    ordered = True
    get_index = first_index.get
    for i, (tid, deps) in enumerate(zip(ids, deps_of, strict=True)):
        if not deps or not isinstance(deps, list):
            continue
        # Fast path: every dependency known, earlier in the list, and not the task itself.
        if tid not in deps and all(get_index(d, i) < i for d in deps):
            if isinstance(tid, str):
                edges[tid] = deps
            continue
        if tid not in deps and all(d in first_index for d in deps):
            ordered = False
            if isinstance(tid, str):
                edges.setdefault(tid, []).extend(deps)
            continue
        ordered = False
        diags += _bad_dependencies(tid, deps, first_index, edges, f"{tasks_key}[{i}].{deps_key}")
    for cycle in [] if ordered else find_cycles(list(first_index), edges):
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


def _duplicates(
    ids: Sequence[Any], first_index: dict[str, int], tasks_key: str, id_key: str
) -> list[Diagnostic]:
    diags: list[Diagnostic] = []
    seen: set[str] = set()
    for i, tid in enumerate(ids):
        if not isinstance(tid, str) or not tid:
            continue
        if tid in seen:
            diags.append(
                Diagnostic(
                    f"duplicate task id '{tid}' (first used by {tasks_key}[{first_index[tid]}])",
                    path=f"{tasks_key}[{i}].{id_key}",
                    code="duplicate_id",
                    ids=(tid,),
                ),
            )
        seen.add(tid)
    return diags


def _bad_dependencies(
    tid: Any,
    deps: list[Any],
    first_index: dict[str, int],
    edges: dict[str, list[str]],
    where: str,
) -> list[Diagnostic]:
    """Self and unknown dependencies of one task; the good ones go into ``edges``."""
    diags: list[Diagnostic] = []
    for j, dep in enumerate(deps):
        path = f"{where}[{j}]"
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
    return diags
