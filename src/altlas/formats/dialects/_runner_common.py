"""What the runner's ``.last`` reader and writer share: names, statuses and stable ids."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from altlas.formats.dialects._support import canonical_metadata
from altlas.formats.result import RunStatus

__all__ = [
    "FAMILY",
    "L1_RUN_STATUS",
    "L1_TASK_STATUSES",
    "LEGACY_ERROR_TYPE",
    "U64",
    "node_id",
    "result_execution_id",
    "task_from_node",
]

FAMILY = "runner"
U64 = 2**64 - 1
_NS = uuid.UUID("6f1c8a52-3d2e-4b7a-9c41-5e0d8f2a7b10")
L1_TASK_STATUSES = frozenset({"pending", "running", "completed", "failed", "cancelled", "timeout"})
L1_RUN_STATUS = {
    RunStatus.SUCCESS: "success",
    RunStatus.PARTIAL_SUCCESS: "partialsuccess",
    RunStatus.FAILURE: "failure",
}
LEGACY_ERROR_TYPE = "Error"
"""The error type given to the runner's plain error strings."""


def node_id(run_id: str, task_id: str) -> str:
    """A stable node id for the runner's execution graph (the original used random uuids)."""
    return str(uuid.uuid5(_NS, f"node:{run_id}:{task_id}"))


def result_execution_id(run_id: str, task_id: str) -> str:
    """A stable per-result execution id (the original used random uuids)."""
    return str(uuid.uuid5(_NS, f"exec:{run_id}:{task_id}"))


def task_from_node(node: Mapping[str, Any]) -> dict[str, Any]:
    """The result the reader gives a graph node whose task has none (it never ran)."""
    task = {
        k: node[k]
        for k in ("task_id", "status", "duration_ms", "started_at", "finished_at")
        if k in node
    }
    task["metadata"] = canonical_metadata({}, {}, FAMILY, {"from_graph": True})
    return task
