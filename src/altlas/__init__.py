"""altlas: natural-language commands into plans, plans into results, results into an archive.

Only names are defined here; every heavy module is imported on first use, so ``import altlas``
stays cheap (a test checks that polars, tantivy, litestar and zstandard are not loaded).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from altlas._version import __version__
from altlas.errors import AltlasError

if TYPE_CHECKING:
    from altlas.formats import (
        Atlas,
        Plan,
        Result,
        Task,
        TaskResult,
        load_atlas,
        load_plan,
        load_result,
        read,
        write,
    )
    from altlas.index import Archive
    from altlas.run import run_async

__all__ = [
    "AltlasError",
    "Archive",
    "Atlas",
    "Plan",
    "Result",
    "Task",
    "TaskResult",
    "__version__",
    "do",
    "load_atlas",
    "load_plan",
    "load_result",
    "read",
    "run",
    "run_async",
    "segment",
    "write",
]

# A value of None means the name is a callable package (``altlas.run``, ``altlas.segment``):
# the module object itself is returned, so ``altlas.run(plan)`` and ``altlas.run.resume`` both work.
_LAZY: dict[str, str | None] = {
    "Archive": "altlas.index",
    "Atlas": "altlas.formats",
    "Plan": "altlas.formats",
    "Result": "altlas.formats",
    "Task": "altlas.formats",
    "TaskResult": "altlas.formats",
    "do": None,
    "load_atlas": "altlas.formats",
    "load_plan": "altlas.formats",
    "load_result": "altlas.formats",
    "read": "altlas.formats",
    "run": None,
    "run_async": "altlas.run",
    "segment": None,
    "write": "altlas.formats",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'altlas' has no attribute {name!r}")
    module = _LAZY[name]
    if module is None:
        value: Any = import_module(f"altlas.{name}")
    else:
        value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
