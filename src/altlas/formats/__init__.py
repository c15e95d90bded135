"""The three altlas file formats: ``.alt`` plans, ``.last`` results and ``.atlas`` knowledge."""

from __future__ import annotations

from altlas.formats.atlas import Atlas
from altlas.formats.io import (
    check,
    load_atlas,
    load_plan,
    load_result,
    read,
    read_bytes,
    to_bytes,
    to_data,
    write,
)
from altlas.formats.plan import Plan, Task
from altlas.formats.result import Result, TaskResult

__all__ = [
    "Atlas",
    "Plan",
    "Result",
    "Task",
    "TaskResult",
    "check",
    "load_atlas",
    "load_plan",
    "load_result",
    "read",
    "read_bytes",
    "to_bytes",
    "to_data",
    "write",
]
