"""Plans into results: the runner.

``altlas.run(plan, **options)`` runs a plan and returns its :class:`~altlas.formats.Result`;
``await altlas.run.run_async(plan)`` (alias ``arun``) is the async form, ``resume(run_id)``
finishes a journaled run and ``dry_run(plan)`` shows what would run.

The package and the function share a name: once any ``altlas.run.x`` module is imported,
the attribute ``altlas.run`` is this module. So the module itself is callable and delegates to
:func:`altlas.run.api.run`, and ``altlas.run(plan)`` works either way.
"""

from __future__ import annotations

import sys
import types
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from altlas.formats.result import Result
    from altlas.run.api import arun, dry_run, plan_of, resume, resume_async, run, run_async
    from altlas.run.events import EventType, JsonlSink, RunEvent
    from altlas.run.handlers import (
        Handler,
        HandlerContext,
        HandlerRegistry,
        PermanentError,
        TransientError,
        handler,
        register_handler,
    )
    from altlas.run.journal import Journal, RunRecord
    from altlas.run.options import LlmConfig, RunConfig
    from altlas.run.resilience import BreakerRegistry, CircuitBreaker

__all__ = [
    "BreakerRegistry",
    "CircuitBreaker",
    "EventType",
    "Handler",
    "HandlerContext",
    "HandlerRegistry",
    "Journal",
    "JsonlSink",
    "LlmConfig",
    "PermanentError",
    "RunConfig",
    "RunEvent",
    "RunRecord",
    "TransientError",
    "arun",
    "dry_run",
    "handler",
    "plan_of",
    "register_handler",
    "resume",
    "resume_async",
    "run",
    "run_async",
]

_LAZY = {
    "arun": "altlas.run.api",
    "dry_run": "altlas.run.api",
    "plan_of": "altlas.run.api",
    "resume": "altlas.run.api",
    "resume_async": "altlas.run.api",
    "run": "altlas.run.api",
    "run_async": "altlas.run.api",
    "EventType": "altlas.run.events",
    "JsonlSink": "altlas.run.events",
    "RunEvent": "altlas.run.events",
    "Handler": "altlas.run.handlers",
    "HandlerContext": "altlas.run.handlers",
    "HandlerRegistry": "altlas.run.handlers",
    "PermanentError": "altlas.run.handlers",
    "TransientError": "altlas.run.handlers",
    "handler": "altlas.run.handlers",
    "register_handler": "altlas.run.handlers",
    "Journal": "altlas.run.journal",
    "RunRecord": "altlas.run.journal",
    "LlmConfig": "altlas.run.options",
    "RunConfig": "altlas.run.options",
    "BreakerRegistry": "altlas.run.resilience",
    "CircuitBreaker": "altlas.run.resilience",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'altlas.run' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


class _CallableModule(types.ModuleType):
    """``altlas.run(plan, **options)`` calls :func:`altlas.run.api.run`."""

    def __call__(self, plan: Any, /, **options: Any) -> Result:
        from altlas.run.api import run

        return run(plan, **options)


sys.modules[__name__].__class__ = _CallableModule
