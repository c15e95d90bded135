"""Handlers for the scale-out tests, imported by workers with ``--handlers tests.scale.effects``.

``append_line`` has an effect we can count (a line in a file of the run's workspace);
``crash`` kills the worker process outright, like a segfaulting extension would.
"""

from __future__ import annotations

import os
from typing import Any

from altlas.run.handlers.base import Handler, HandlerContext
from altlas.run.handlers.registry import register_handler


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


register_handler(AppendLine)
register_handler(BigFile)
register_handler(Crash)
