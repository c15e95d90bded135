"""The routing table: which handler runs a task.

1. ``task.handler``, when set, names the handler outright.
2. Otherwise the *routing key* is ``parameters.task_type`` (the original runner's dialect) when
   it is a string, else ``task.type``.
3. The table maps the key to one or more handler names, tried in order; the first whose
   :meth:`Handler.check` accepts the task wins. A key that is itself a handler name routes to
   that handler.
4. No match: the task fails with :class:`NoHandlerError`, naming the type and the handlers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from altlas.formats.plan import Task
from altlas.run.handlers.base import Handler, PermanentError
from altlas.run.handlers.registry import HandlerRegistry
from altlas.run.handlers.vocabulary import handler_parameters

__all__ = ["DEFAULT_ROUTES", "NoHandlerError", "Route", "Router", "routing_key"]

DEFAULT_ROUTES: dict[str, tuple[str, ...]] = {
    # the eight segmentation types
    "search": ("archive",),
    "create": ("files", "report"),
    "analyze": ("data", "summarize"),
    "open": ("files",),
    "transform": ("data",),
    # a free "execute" verb ("run the numbers", "back it up") is not a program: only an
    # explicit command, with handler "command" or type system_command, reaches that handler
    "execute": (),
    "summarize": ("summarize",),
    "schedule": ("schedule",),
    # the original runner's parameters.task_type values
    "ai_prompt": ("llm",),
    "file_operation": ("files",),
    "data_processing": ("data",),
    "system_command": ("command",),
    "generic": ("echo",),
    # names people reach for
    "http_request": ("http",),
    "code_executor": ("command",),
}


class NoHandlerError(PermanentError):
    """No registered handler can take a task."""

    def __init__(self, message: str) -> None:
        super().__init__(message, error_type="NoHandler")


@dataclass(frozen=True, slots=True)
class Route:
    key: str
    handler: Handler
    how: str
    """``explicit``, ``table`` or ``name``: how the handler was chosen."""


def routing_key(task: Task) -> str:
    legacy = task.parameters.get("task_type")
    if isinstance(legacy, str) and legacy.strip():
        return legacy.strip().lower()
    return task.type.strip().lower()


def _as_names(value: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    return tuple(value)


class Router:
    """Routes tasks with a table over a registry; ``overrides`` replace built-in entries."""

    def __init__(
        self,
        registry: HandlerRegistry,
        overrides: Mapping[str, str | list[str] | tuple[str, ...]] | None = None,
    ) -> None:
        self.registry = registry
        self.table: dict[str, tuple[str, ...]] = dict(DEFAULT_ROUTES)
        for key, value in (overrides or {}).items():
            self.table[key.strip().lower()] = _as_names(value)

    def _available(self) -> str:
        return ", ".join(self.registry.names()) or "none"

    def _missing(self, name: str) -> str:
        err = self.registry.plugin_errors.get(name)
        return f"'{name}' failed to load ({err})" if err else f"'{name}' is not registered"

    def route(self, task: Task, params: Mapping[str, Any] | None = None) -> Route:
        """The handler for ``task``, or :class:`NoHandlerError` saying why there is none."""
        params = handler_parameters(task) if params is None else params
        if task.handler:
            found = self.registry.get(task.handler)
            if found is None:
                raise NoHandlerError(
                    f"task names handler {self._missing(task.handler)}; "
                    f"available handlers: {self._available()}",
                )
            return Route(task.handler, found, "explicit")
        key = routing_key(task)
        names = self.table.get(key)
        how = "table"
        if names is None:
            if key in self.registry:
                names, how = (key,), "name"
            else:
                raise NoHandlerError(
                    f"no handler for task type '{key}': it is not in the routing table "
                    f"({', '.join(sorted(self.table))}) and no handler has that name; "
                    f"available handlers: {self._available()}",
                )
        if not names:
            raise NoHandlerError(
                f"task type '{key}' says what to do only in words and has no handler of its "
                "own: name one with task.handler (a program needs handler 'command' with "
                "parameters.argv)",
            )
        reasons: list[str] = []
        for name in names:
            found = self.registry.get(name)
            if found is None:
                reasons.append(self._missing(name))
                continue
            why = found.check(task, params)
            if why is None:
                return Route(key, found, how)
            reasons.append(f"{name}: {why}")
        raise NoHandlerError(
            f"no suitable handler for task type '{key}' ({'; '.join(reasons)}); "
            f"available handlers: {self._available()}",
        )
