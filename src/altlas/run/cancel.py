"""A cancellation handle for a run, safe to use from any thread and from asyncio.

The run's scheduler registers a callback on the token; ``cancel()`` calls it at once, so
nothing polls. The token *is* a :class:`threading.Event` (a subclass), so a job queue can
hand its job's cancellation flag straight to the run.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

__all__ = ["CancelToken"]


class CancelToken(threading.Event):
    """Set once, never cleared: ``cancel()`` asks the run to stop, a second call hurries it."""

    def __init__(self) -> None:
        super().__init__()
        self._callbacks: list[Callable[[], object]] = []
        self._callbacks_lock = threading.Lock()

    def cancel(self) -> None:
        """Ask the run to stop: no new task starts, running ones get the grace period."""
        self.set()

    def set(self) -> None:
        with self._callbacks_lock:
            callbacks = list(self._callbacks)
            super().set()
        # outside the lock: a callback may add or remove callbacks
        for callback in callbacks:
            callback()

    def clear(self) -> None:
        raise RuntimeError("a CancelToken cannot be un-cancelled; make a new one")

    @property
    def cancelled(self) -> bool:
        return self.is_set()

    def add_callback(self, callback: Callable[[], object]) -> Callable[[], None]:
        """Call ``callback`` on every later ``cancel()`` (at once if already cancelled);
        returns a function that unregisters it."""
        with self._callbacks_lock:
            if not self.is_set():
                self._callbacks.append(callback)
                return lambda: self._remove(callback)
        callback()
        return lambda: self._remove(callback)

    def _remove(self, callback: Callable[[], object]) -> None:
        with self._callbacks_lock:
            if callback in self._callbacks:
                self._callbacks.remove(callback)

    async def wait_async(self) -> None:
        """Wait on the running event loop until the token is cancelled (no polling)."""
        loop = asyncio.get_running_loop()
        done = loop.create_future()

        def wake() -> None:
            if not loop.is_closed():
                loop.call_soon_threadsafe(_resolve, done)

        remove = self.add_callback(wake)
        try:
            await done
        finally:
            remove()


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
