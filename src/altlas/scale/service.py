"""Run a long-lived NATS service until SIGTERM/SIGINT (or until idle, for batch use)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
from collections.abc import Awaitable, Callable
from typing import TypeVar

__all__ = ["GEN0_THRESHOLD", "run_service", "settle_heap"]

T = TypeVar("T")

GEN0_THRESHOLD = 10_000
"""Net new containers between two young collections in a service process (Python's is 700)."""


def settle_heap() -> None:
    """Tune the cyclic GC of a process that one long-lived service owns, once it is warm.

    A small run's objects are freed by reference counting (no cycles: a test holds the
    worker to that), so the young collections that Python's threshold of 700 starts every
    few plans only re-scan the objects of the runs in flight: about 8 % of a worker's CPU
    per small plan, for no garbage. What is alive once the service is warm and connected
    (modules, schemas, the connection) lives as long as the process, so it is frozen out of
    full collections. Process-wide, so only the CLI's services call it, never the library on
    its own."""
    gc.collect()
    gc.freeze()
    gen0, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(max(gen0, GEN0_THRESHOLD), gen1, gen2)


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
