"""Run a long-lived NATS service until SIGTERM/SIGINT (or until idle, for batch use)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Awaitable, Callable
from typing import TypeVar

__all__ = ["run_service"]

T = TypeVar("T")


def run_service(body: Callable[[asyncio.Event], Awaitable[T]]) -> T:
    """``body(stop)`` on a fresh loop; the first SIGTERM/SIGINT sets ``stop`` (graceful)."""

    async def main() -> T:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, stop.set)
        return await body(stop)

    return asyncio.run(main())
