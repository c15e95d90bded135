"""Handlers for the scale-out tests.

Workers load them with ``--handlers tests.scale.worker_handlers``; a test in the pytest process
uses :func:`registered`, so ``crash`` (which ends the process) never stays in the default
registry for the tests that run after it.

``append_line`` has an effect we can count (a line in a file of the run's workspace);
``crash`` kills the worker process outright, like a segfaulting extension would.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

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


HANDLERS: tuple[type[Handler], ...] = (AppendLine, BigFile, Crash)


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
