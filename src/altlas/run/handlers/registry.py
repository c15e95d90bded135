"""The handler registry: built-in handlers, plugins from the ``altlas.handlers`` entry points,
and handlers registered in code.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from altlas.errors import ExecutionError
from altlas.run.handlers.base import FunctionHandler, Handler

__all__ = [
    "ENTRY_POINT_GROUP",
    "HandlerRegistry",
    "builtin_handlers",
    "default_registry",
    "register_handler",
]

ENTRY_POINT_GROUP = "altlas.handlers"


def builtin_handlers() -> list[Handler]:
    """One instance of every built-in handler."""
    from altlas.run.handlers.archive import ArchiveHandler
    from altlas.run.handlers.basic import DelayHandler, EchoHandler, ScheduleHandler
    from altlas.run.handlers.command import CommandHandler
    from altlas.run.handlers.data import DataHandler
    from altlas.run.handlers.files import FilesHandler
    from altlas.run.handlers.http import HttpHandler
    from altlas.run.handlers.llm import LlmHandler
    from altlas.run.handlers.report import ReportHandler
    from altlas.run.handlers.summarize import SummarizeHandler
    from altlas.run.handlers.text import TextHandler

    return [
        ArchiveHandler(),
        CommandHandler(),
        DataHandler(),
        DelayHandler(),
        EchoHandler(),
        FilesHandler(),
        HttpHandler(),
        LlmHandler(),
        ReportHandler(),
        ScheduleHandler(),
        SummarizeHandler(),
        TextHandler(),
    ]


def _coerce(obj: Any, name: str) -> Handler:
    """A Handler from what an entry point or a caller gives: instance, class or function."""
    if isinstance(obj, Handler):
        if not obj.name:
            obj.name = name
        return obj
    if inspect.isclass(obj) and issubclass(obj, Handler):
        made = obj()
        if not made.name:
            made.name = name
        return made
    if callable(obj):
        return FunctionHandler(name, obj)
    raise ExecutionError(f"handler '{name}' is not a Handler, a Handler class or a function")


class HandlerRegistry:
    """Handlers by name. ``sources`` says where each came from (builtin, plugin, code)."""

    def __init__(self, handlers: Iterable[Handler] = (), *, source: str = "code") -> None:
        self._handlers: dict[str, Handler] = {}
        self.sources: dict[str, str] = {}
        self.plugin_errors: dict[str, str] = {}
        for item in handlers:
            self.register(item, source=source)

    def register(
        self,
        obj: Any,
        *,
        name: str | None = None,
        source: str = "code",
    ) -> Handler:
        """Add (or replace) a handler; returns the Handler object stored."""
        made = _coerce(obj, str(name or getattr(obj, "name", "") or getattr(obj, "__name__", "")))
        if name:
            made.name = name
        if not made.name:
            raise ExecutionError("a handler needs a name")
        self._handlers[made.name] = made
        self.sources[made.name] = source
        self.plugin_errors.pop(made.name, None)
        return made

    def unregister(self, name: str) -> Handler | None:
        """Remove a handler (a test's own, say); returns what was there."""
        self.sources.pop(name, None)
        return self._handlers.pop(name, None)

    def get(self, name: str) -> Handler | None:
        return self._handlers.get(name)

    def __getitem__(self, name: str) -> Handler:
        return self._handlers[name]

    def __contains__(self, name: object) -> bool:
        return name in self._handlers

    def __iter__(self) -> Iterator[Handler]:
        return iter(self._handlers.values())

    def __len__(self) -> int:
        return len(self._handlers)

    def names(self) -> list[str]:
        return sorted(self._handlers)

    def copy(self) -> HandlerRegistry:
        new = HandlerRegistry()
        new._handlers = dict(self._handlers)
        new.sources = dict(self.sources)
        new.plugin_errors = dict(self.plugin_errors)
        return new

    def load_entry_points(self, group: str = ENTRY_POINT_GROUP) -> int:
        """Load plugin handlers; a plugin that fails to load is noted in ``plugin_errors``."""
        from importlib.metadata import entry_points

        loaded = 0
        for ep in entry_points(group=group):
            try:
                obj = ep.load()
                self.register(obj, name=ep.name, source=f"plugin:{ep.value}")
                loaded += 1
            except Exception as exc:  # one broken plugin must not stop every run
                self.plugin_errors[ep.name] = f"{type(exc).__name__}: {exc}"
        return loaded

    @classmethod
    def builtin(cls) -> HandlerRegistry:
        return cls(builtin_handlers(), source="builtin")


_DEFAULT: HandlerRegistry | None = None
_DEFAULT_LOCK = threading.Lock()


def default_registry() -> HandlerRegistry:
    """Built-ins plus plugins, loaded once per process; :func:`register_handler` adds to it."""
    global _DEFAULT
    if _DEFAULT is None:
        # Two threads building one each would let the second replace the first, dropping
        # whatever register_handler had added to it meanwhile.
        with _DEFAULT_LOCK:
            if _DEFAULT is None:
                registry = HandlerRegistry.builtin()
                registry.load_entry_points()
                _DEFAULT = registry
    return _DEFAULT


def register_handler(obj: Any, *, name: str | None = None) -> Handler:
    """Register a handler for every later run in this process."""
    return default_registry().register(obj, name=name)
