"""The three altlas file formats: ``.alt`` plans, ``.last`` results and ``.atlas`` knowledge.

Names are resolved on first use, so importing one model (``altlas.formats.plan``) does not build
the others.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
    from altlas.formats.limits import ReadLimits
    from altlas.formats.plan import Plan, Task
    from altlas.formats.result import Result, TaskResult

__all__ = [
    "Atlas",
    "Plan",
    "ReadLimits",
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

_WHERE = {
    "Atlas": "altlas.formats.atlas",
    "Plan": "altlas.formats.plan",
    "Task": "altlas.formats.plan",
    "ReadLimits": "altlas.formats.limits",
    "Result": "altlas.formats.result",
    "TaskResult": "altlas.formats.result",
}


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'altlas.formats' has no attribute {name!r}")
    value = getattr(import_module(_WHERE.get(name, "altlas.formats.io")), name)
    globals()[name] = value
    return value
