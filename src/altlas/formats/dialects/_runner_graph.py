"""The execution graph of the runner's ``.last``: nodes keyed by task id, edges between tasks.

The runner names nodes by ids of its own; altlas keys them by task id, so edges are rewritten
from node ids to task ids, and a node's own id is kept only when it differs from the one
:func:`node_id` would give back on writing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from altlas.formats.dialects._reader import Reader
from altlas.formats.dialects._runner_common import node_id, task_from_node
from altlas.formats.dialects._support import MISSING, plain
from altlas.formats.result import GraphNode

__all__ = ["lower", "read_graph"]


def lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def read_graph(
    rd: Reader,
    raw: Any,
    run_id: str,
    tasks: list[dict[str, Any]],
    record: dict[str, Any],
) -> dict[str, Any]:
    """Nodes keyed by task id; edges rewritten from node ids to task ids. A node whose task
    has no result gets a pending one in ``tasks``."""
    if raw is None:
        return {"nodes": [], "edges": []}
    graph = rd.mapping(raw, "execution_graph")
    if graph is None:
        return {"nodes": [], "edges": []}
    nodes, task_of = _read_nodes(rd, graph, run_id, record)
    known = {t["task_id"] for t in tasks}
    for node in nodes:
        if node["task_id"] not in known:
            # the runner gives unrun tasks a node but no result; altlas wants both
            known.add(node["task_id"])
            tasks.append(task_from_node(node))
    return {"nodes": nodes, "edges": _read_edges(rd, graph, task_of, known, record)}


def _read_nodes(
    rd: Reader, graph: Mapping[str, Any], run_id: str, record: dict[str, Any]
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The nodes, and the task id of each node id."""
    nodes: list[dict[str, Any]] = []
    task_of: dict[str, str] = {}
    kept_ids: dict[str, str] = {}
    for j, item in enumerate(rd.items(graph.get("nodes"), "execution_graph.nodes", required=False)):
        path = f"execution_graph.nodes[{j}]"
        if not isinstance(item, Mapping):
            rd.error(path, "Input should be a valid dictionary", "dict_type")
            continue
        nid = rd.string(item.get("id", MISSING), f"{path}.id")
        tid = rd.string(item.get("task_id", MISSING), f"{path}.task_id")
        if nid is MISSING or tid is MISSING:
            continue
        task_of[nid] = tid
        if nid != node_id(run_id, tid):
            kept_ids[tid] = nid
        node: dict[str, Any] = {"task_id": tid, "status": lower(item.get("status", "pending"))}
        if item.get("duration_ms") is not None:
            node["duration_ms"] = item["duration_ms"]
        for source, canonical in (("start_time", "started_at"), ("end_time", "finished_at")):
            moment = rd.time(item.get(source), f"{path}.{source}")
            if moment is not MISSING and moment is not None:
                node[canonical] = moment
        rd.check(
            GraphNode,
            node,
            prefix=path,
            names={"started_at": f"{path}.start_time", "finished_at": f"{path}.end_time"},
            fallback={"task_id": tid, "status": "pending"},
        )
        nodes.append(node)
    if kept_ids:
        record["node_ids"] = kept_ids
    return nodes, task_of


def _read_edges(
    rd: Reader,
    graph: Mapping[str, Any],
    task_of: Mapping[str, str],
    known: set[str],
    record: dict[str, Any],
) -> list[dict[str, Any]]:
    """Edges between task ids; an edge naming no node is kept aside, with a warning."""
    edges: list[dict[str, Any]] = []
    unmapped: list[Any] = []
    for j, item in enumerate(rd.items(graph.get("edges"), "execution_graph.edges", required=False)):
        ends = [
            item.get(end) if isinstance(item, Mapping) else None for end in ("source", "target")
        ]
        mapped = [
            task_of.get(e, e if e in known else None) if isinstance(e, str) else None for e in ends
        ]
        if mapped[0] is None or mapped[1] is None:
            unmapped.append(plain(item))
            rd.warn(
                f"execution_graph.edges[{j}]",
                "edge names no node of the graph; kept in metadata.altlas.runner",
                "unknown_node",
            )
            continue
        edges.append(
            {
                "source": mapped[0],
                "target": mapped[1],
                "dependency_type": lower(item.get("dependency_type", "required")),
            },
        )
    if unmapped:
        record["unmapped_edges"] = unmapped
    return edges
