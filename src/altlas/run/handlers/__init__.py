"""Task handlers: the registry, the routing table and the built-in handlers.

Plugins add handlers through the ``altlas.handlers`` entry-point group; each entry point
loads a :class:`Handler` instance, a Handler subclass or a function of a
:class:`HandlerContext` (sync or async)::

    [project.entry-points."altlas.handlers"]
    greet = "my_pkg.handlers:greet"
"""

from __future__ import annotations

from altlas.run.handlers.base import (
    FunctionHandler,
    Handler,
    HandlerContext,
    PermanentError,
    TransientError,
    handler,
    text_of,
)
from altlas.run.handlers.registry import (
    ENTRY_POINT_GROUP,
    HandlerRegistry,
    builtin_handlers,
    default_registry,
    register_handler,
)
from altlas.run.handlers.routing import DEFAULT_ROUTES, NoHandlerError, Route, Router, routing_key

__all__ = [
    "DEFAULT_ROUTES",
    "ENTRY_POINT_GROUP",
    "FunctionHandler",
    "Handler",
    "HandlerContext",
    "HandlerRegistry",
    "NoHandlerError",
    "PermanentError",
    "Route",
    "Router",
    "TransientError",
    "builtin_handlers",
    "default_registry",
    "handler",
    "register_handler",
    "routing_key",
    "text_of",
]
