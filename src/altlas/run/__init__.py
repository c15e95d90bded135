"""Plans into results: the runner.

``altlas.run(plan, options, **keywords)`` runs a plan and returns its
:class:`~altlas.formats.Result` (the options: a :class:`RunOptions`, keywords, or both);
``await altlas.run.run_async(plan)`` (alias ``arun``) is the async form, ``resume(run_id)``
finishes a journaled run and ``dry_run(plan)`` shows what would run.

The package and the function share a name: once any ``altlas.run.x`` module is imported,
the attribute ``altlas.run`` is this module. So the module itself is callable and delegates to
:func:`altlas.run.api.run`, and ``altlas.run(plan)`` works either way.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from altlas._callable import make_callable

if TYPE_CHECKING:
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
    from altlas.run.options import CancelToken, LlmConfig, RunConfig, RunOptions
    from altlas.run.resilience import BreakerRegistry, CircuitBreaker

__all__ = [
    "BreakerRegistry",
    "CancelToken",
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
    "RunOptions",
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
    "CancelToken": "altlas.run.cancel",
    "LlmConfig": "altlas.run.options",
    "RunOptions": "altlas.run.options",
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


make_callable(__name__, "altlas.run.api:run")
