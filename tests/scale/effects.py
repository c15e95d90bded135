"""Handlers for the scale-out tests.

Workers load them with ``--handlers tests.scale.worker_handlers``; a test in the pytest process
uses :func:`registered`, so ``crash`` (which ends the process) never stays in the default
registry for the tests that run after it.

``append_line`` has an effect we can count (a line in a file of the run's workspace);
``crash`` kills the worker process outright, like a segfaulting extension would;
``unavailable`` and ``unavailable_at_check`` fail the way a backend that is down or a store
that is locked does (``UnavailableError``), a given number of times.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from altlas.errors import UnavailableError
from altlas.formats.plan import Task
from altlas.run.handlers.base import Handler, HandlerContext
from altlas.run.handlers.registry import default_registry


class AppendLine(Handler):
    name = "append_line"
    cacheable = False

    async def run(self, ctx: HandlerContext) -> Any:
        path = ctx.path(ctx.params.get("file", "effects.txt"))
        with path.open("a", encoding="utf-8") as out:
            out.write(f"{ctx.task.id}\n")
        return {"appended": ctx.task.id}


class Crash(Handler):
    name = "crash"
    cacheable = False

    async def run(self, ctx: HandlerContext) -> Any:
        os._exit(17)


class BigFile(Handler):
    name = "big_file"
    cacheable = False

    async def run(self, ctx: HandlerContext) -> Any:
        path = ctx.path("big.bin")
        path.write_bytes(b"0123456789abcdef" * 1024)  # 16 KiB
        ctx.artifacts.append(path)
        return {"bytes": path.stat().st_size}


class Unavailable(Handler):
    """Its first ``fail`` calls in a run's workspace raise ``UnavailableError``; each call
    leaves a line in ``calls.txt``, so a test counts the deliveries that reached it."""

    name = "unavailable"
    cacheable = False

    async def run(self, ctx: HandlerContext) -> Any:
        path = ctx.path("calls.txt")
        calls = len(path.read_text().split()) if path.exists() else 0
        with path.open("a", encoding="utf-8") as out:
            out.write("call\n")
        if calls < int(ctx.params.get("fail", 1)):
            raise UnavailableError("the backend is down (test)")
        return {"calls": calls + 1}


class UnavailableAtCheck(Handler):
    """Routing it fails once (while the run is prepared, before any task): the file named by
    ``marker`` does not exist yet; it exists from then on."""

    name = "unavailable_at_check"

    def check(self, task: Task, params: Mapping[str, Any]) -> str | None:
        marker = Path(str(params["marker"]))
        if not marker.exists():
            marker.touch()
            raise UnavailableError("the store is locked (test)")
        return None

    async def run(self, ctx: HandlerContext) -> Any:
        return {"ok": True}


HANDLERS: tuple[type[Handler], ...] = (
    AppendLine,
    BigFile,
    Crash,
    Unavailable,
    UnavailableAtCheck,
)


@contextmanager
def registered() -> Iterator[None]:
    """The effect handlers in this process's default registry, for the block only."""
    registry = default_registry()
    before = {handler.name: registry.get(handler.name) for handler in HANDLERS}
    for handler in HANDLERS:
        registry.register(handler)
    try:
        yield
    finally:
        for name, old in before.items():
            registry.unregister(name)
            if old is not None:
                registry.register(old)
