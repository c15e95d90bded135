"""Building the canonical :class:`~altlas.formats.result.Result` from task states."""

from __future__ import annotations

import platform
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from altlas._version import __version__
from altlas.formats.common import utcnow
from altlas.formats.plan import Plan
from altlas.formats.result import (
    ExecutionGraph,
    GraphEdge,
    GraphNode,
    Result,
    RunStatus,
    run_status_for,
    success_rate_of,
)
from altlas.run.state import TaskState

__all__ = ["build_result", "result_id_for", "summary_text"]


def result_id_for(run_id: str) -> str:
    """The result id of a run: the same whether or not the run was resumed."""
    return "last_" + run_id.removeprefix("run_")


def summary_text(
    title: str, status: RunStatus, rate: float, counts: dict[str, int], artifacts: int
) -> str:
    total = sum(counts.values())
    done = counts.get("completed", 0)
    parts = [f"{title}: {status.value}, {done}/{total} tasks completed ({rate:.2%})."]
    others = [f"{n} {s}" for s, n in sorted(counts.items()) if s != "completed" and n]
    if others:
        parts.append("Not completed: " + ", ".join(others) + ".")
    if artifacts:
        parts.append(f"Artifacts: {artifacts}.")
    return " ".join(parts)


def _graph(chosen: list[TaskState]) -> ExecutionGraph:
    """A node per task, an edge per dependency inside the selection."""
    ids = {s.id for s in chosen}
    nodes = [
        GraphNode.assembled(
            {
                "task_id": s.id,
                "status": s.status,
                "duration_ms": s.duration_ms,
                "started_at": s.started_at,
                "finished_at": s.finished_at,
            }
        )
        for s in chosen
    ]
    edges = [
        GraphEdge(source=dep, target=s.id)
        for s in chosen
        for dep in s.task.dependencies
        if dep in ids
    ]
    return ExecutionGraph(nodes=nodes, edges=edges)


def build_result(
    plan: Plan,
    states: Iterable[TaskState],
    *,
    run_id: str,
    started_at: datetime | None,
    finished_at: datetime | None = None,
    cancelled: bool = False,
    metadata: dict[str, Any] | None = None,
) -> Result:
    """The result of a run over ``states`` (the selected tasks, in plan order)."""
    chosen = sorted(states, key=lambda s: s.index)
    results = [s.to_result() for s in chosen]
    rate = success_rate_of(results)
    status = run_status_for(rate, has_tasks=bool(results), cancelled=cancelled)
    artifacts = [a for s in chosen for a in s.artifacts]
    counts: dict[str, int] = {}
    for s in chosen:
        counts[s.status.value] = counts.get(s.status.value, 0) + 1
    finished = finished_at or utcnow()
    begun = started_at or min((s.started_at for s in chosen if s.started_at), default=finished)
    meta: dict[str, Any] = {
        "altlas_version": __version__,
        "host": platform.node(),
        "counts": counts,
        "total_task_duration_ms": round(sum(s.duration_ms or 0 for s in chosen), 3),
    }
    if plan.metadata:
        meta["plan_metadata"] = plan.metadata
    meta.update(metadata or {})
    title = plan.display_title
    return Result(
        id=result_id_for(run_id),
        run_id=run_id,
        plan_id=plan.id,
        title=plan.title,
        command=plan.command,
        language=plan.language,
        mode=plan.mode,
        persona=plan.persona,
        status=status,
        success_rate=rate,
        started_at=begun,
        finished_at=finished,
        duration_ms=round(max(0.0, (finished - begun).total_seconds() * 1000), 3),
        tasks=results,
        artifacts=artifacts,
        graph=_graph(chosen),
        summary=summary_text(title, status, rate, counts, len(artifacts)),
        priority=plan.priority,
        tags=list(dict.fromkeys(plan.tags)),
        metadata=meta,
    )
