"""Writing the runner's ``.last``: the L1 shape the original serde ``LastFile`` reads."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from altlas.formats.common import TaskStatus, to_rfc3339
from altlas.formats.dialects._base import STASH_KEY
from altlas.formats.dialects._runner_common import (
    FAMILY,
    L1_RUN_STATUS,
    L1_TASK_STATUSES,
    LEGACY_ERROR_TYPE,
    U64,
    node_id,
    result_execution_id,
    task_from_node,
)
from altlas.formats.dialects._support import (
    EPOCH,
    MISSING,
    nondefault_fields,
    split_metadata,
    stash_for,
    uint_or_none,
)
from altlas.formats.result import Artifact, Result, TaskResult, run_status_for, success_rate_of

__all__ = ["write"]


def write(result: Result) -> dict[str, Any]:
    """Plain data in the L1 shape the original serde ``LastFile`` reads."""
    meta, record, shadow = split_metadata(result.metadata, FAMILY)
    fields = nondefault_fields(result, ("command", "language"))
    expected_rate = success_rate_of(result.tasks)
    expected_status = run_status_for(expected_rate, has_tasks=bool(result.tasks))
    if abs(result.success_rate - expected_rate) > 1e-12:
        fields["success_rate"] = result.success_rate
    if result.status is not expected_status:
        fields["status"] = result.status.value
    status = L1_RUN_STATUS.get(result.status) or L1_RUN_STATUS.get(expected_status, "failure")
    if result.title is None:
        fields["title"] = None
    duration, exact = uint_or_none(result.duration_ms, U64)
    if not exact:
        fields["duration_ms"] = result.duration_ms
    fallback_time = result.started_at or result.finished_at or EPOCH
    for name in ("started_at", "finished_at"):
        if getattr(result, name) is None:
            fields[name] = None
    nodes, edges = _write_graph(result, record, fields)
    version = record.get("version")
    out: dict[str, Any] = {
        "id": result.id,
        "execution_id": result.run_id,
        "alt_file_id": result.plan_id,
        "title": result.title if result.title is not None else "",
        "mode": result.mode.value,
        "persona": result.persona,
        "status": status,
        "success_rate": result.success_rate,
        "execution_time_ms": duration,
        "start_time": to_rfc3339(result.started_at or fallback_time),
        "end_time": to_rfc3339(result.finished_at or fallback_time),
        "task_results": _write_tasks(result, fallback_time),
        "artifacts": [_write_artifact(a, fallback_time) for a in result.artifacts],
        "metadata": meta,
        "tags": list(result.tags),
        "priority": result.priority.value if result.priority else None,
        "execution_graph": {"nodes": nodes, "edges": edges},
        "summary": result.summary,
        "version": version if isinstance(version, str) and version.strip() else "1.0",
    }
    # a file's own success_rate/status that contradicted its results are carried, not repeated
    used = ("extra", "version", "node_ids", "unmapped_edges")
    stash = stash_for(fields, shadow, record, family=FAMILY, consumed=used)
    if stash is not MISSING:
        meta[STASH_KEY] = stash
    for key, value in _mapping(record.get("extra")).items():
        out.setdefault(key, value)
    return out


def _mapping(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def _write_tasks(result: Result, fallback_time: Any) -> dict[str, Any]:
    nodes = {n.task_id: n for n in result.graph.nodes}
    out: dict[str, Any] = {}
    for task in result.tasks:
        rest, record, shadow = split_metadata(task.metadata, FAMILY)
        node = nodes.get(task.task_id)
        if record.get("from_graph") and node is not None and not rest and not shadow:
            rebuilt = TaskResult.model_validate(task_from_node(node.model_dump()))
            if task.model_copy(update={"metadata": rebuilt.metadata}) == rebuilt:
                continue  # the runner keeps unrun tasks only as graph nodes
        fields = nondefault_fields(task, ("type", "description", "handler", "attempts", "cached"))
        status = task.status.value
        if status not in L1_TASK_STATUSES:
            fields["status"] = status
            status = TaskStatus.CANCELLED.value
        if task.started_at is None:
            fields["started_at"] = None
        duration, exact = uint_or_none(task.duration_ms, U64)
        if not exact:
            fields["duration_ms"] = task.duration_ms
        error = None
        if task.error is not None:
            error = task.error.message
            if task.error.type != LEGACY_ERROR_TYPE or task.error.details is not None:
                fields["error"] = task.error.model_dump(mode="json")
        metadata = dict(rest)
        used = ("key", "execution_id", "extra")
        stash = stash_for(fields, shadow, record, family=FAMILY, consumed=used)
        if stash is not MISSING:
            metadata[STASH_KEY] = stash
        exec_id = record.get("execution_id")
        entry: dict[str, Any] = {
            "task_id": task.task_id,
            "execution_id": exec_id
            if isinstance(exec_id, str)
            else result_execution_id(result.run_id, task.task_id),
            "status": status,
            "start_time": to_rfc3339(task.started_at or task.finished_at or fallback_time),
            "end_time": to_rfc3339(task.finished_at) if task.finished_at else None,
            "duration_ms": duration,
            "output": task.output,
            "error": error,
            "metadata": metadata,
        }
        for key, value in _mapping(record.get("extra")).items():
            entry.setdefault(key, value)
        kept_key = record.get("key")
        out[kept_key if isinstance(kept_key, str) else task.task_id] = entry
    return out


def _write_artifact(artifact: Artifact, fallback_time: Any) -> dict[str, Any]:
    rest, record, shadow = split_metadata(artifact.metadata, FAMILY)
    fields = nondefault_fields(artifact, ("sha256",))
    for name in ("task_id", "created_at"):
        if getattr(artifact, name) is None:
            fields[name] = None
    metadata = dict(rest)
    stash = stash_for(fields, shadow, record, family=FAMILY, consumed=("extra",))
    if stash is not MISSING:
        metadata[STASH_KEY] = stash
    entry = {
        "id": artifact.id,
        "name": artifact.name,
        "artifact_type": artifact.kind.value,
        "task_id": artifact.task_id if artifact.task_id is not None else "",
        "path": artifact.path,
        "created_at": to_rfc3339(artifact.created_at or fallback_time),
        "size_bytes": artifact.size_bytes,
        "mime_type": artifact.mime_type,
        "metadata": metadata,
    }
    for key, value in _mapping(record.get("extra")).items():
        entry.setdefault(key, value)
    return entry


def _write_graph(
    result: Result,
    record: Mapping[str, Any],
    fields: dict[str, Any],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Nodes with runner node ids, edges between node ids; the whole graph is stashed if lossy."""
    kept_ids = _mapping(record.get("node_ids"))
    ids: dict[str, str] = {}
    lossy = False
    nodes = []
    for node in result.graph.nodes:
        kept = kept_ids.get(node.task_id)
        nid = kept if isinstance(kept, str) else node_id(result.run_id, node.task_id)
        lossy = lossy or node.task_id in ids
        ids[node.task_id] = nid
        status = node.status.value
        duration, exact = uint_or_none(node.duration_ms, U64)
        if status not in L1_TASK_STATUSES:
            status, lossy = TaskStatus.CANCELLED.value, True
        lossy = lossy or not exact
        nodes.append(
            {
                "id": nid,
                "task_id": node.task_id,
                "status": status,
                "duration_ms": duration,
                "start_time": to_rfc3339(node.started_at) if node.started_at else None,
                "end_time": to_rfc3339(node.finished_at) if node.finished_at else None,
            },
        )
    edges = []
    for edge in result.graph.edges:
        if edge.source in ids and edge.target in ids:
            edges.append(
                {
                    "source": ids[edge.source],
                    "target": ids[edge.target],
                    "dependency_type": edge.dependency_type,
                },
            )
        else:
            lossy = True
    unmapped = record.get("unmapped_edges")
    if isinstance(unmapped, list):
        edges.extend(unmapped)
    if lossy:
        fields["graph"] = result.graph.model_dump(mode="json")
    return nodes, edges
