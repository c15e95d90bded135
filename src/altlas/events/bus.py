"""The internal event bus: run and task progress, archive changes, job state.

Publishers call :meth:`EventBus.publish` from any thread (runs execute in worker threads).
Two kinds of consumers:

* synchronous callbacks (:meth:`EventBus.subscribe`) run in the publisher's thread; one that
  raises is logged and kept, it never breaks the publisher;
* asynchronous streams (:meth:`EventBus.stream`) belong to one event loop and receive events
  through a bounded queue, so a slow SSE client cannot make the bus grow without limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from altlas.formats.common import to_rfc3339, utcnow

__all__ = ["Event", "EventBus", "EventStream", "Subscription"]

log = logging.getLogger("altlas.events")


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened. ``data`` is JSON-ready; ``payload`` stays in this process."""

    type: str
    data: Mapping[str, Any] = field(default_factory=dict)
    time: datetime = field(default_factory=utcnow)
    payload: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "time": to_rfc3339(self.time), "data": dict(self.data)}


Callback = Callable[[Event], Any]


def _matcher(types: Iterable[str] | None) -> Callable[[str], bool]:
    """``types`` names exact types or prefixes ending in ``.`` (``"task."``); None is all."""
    if types is None:
        return lambda _t: True
    exact = {t for t in types if not t.endswith(".")}
    prefixes = tuple(t for t in types if t.endswith("."))
    return lambda t: t in exact or (bool(prefixes) and t.startswith(prefixes))


@dataclass(slots=True)
class Subscription:
    bus: EventBus
    callback: Callback
    matches: Callable[[str], bool]

    def close(self) -> None:
        self.bus._remove(self)


class EventStream:
    """Events for one asyncio consumer, delivered in order; overflow drops the oldest."""

    def __init__(
        self,
        bus: EventBus,
        matches: Callable[[str], bool],
        loop: asyncio.AbstractEventLoop,
        maxsize: int,
    ) -> None:
        self._bus = bus
        self._matches = matches
        self._loop = loop
        self._queue: asyncio.Queue[Event] = asyncio.Queue(maxsize=maxsize)
        self.dropped = 0
        self.closed = False

    def _offer(self, event: Event) -> None:
        """Called in the loop's thread."""
        if self._queue.full():
            with contextlib.suppress(asyncio.QueueEmpty):
                self._queue.get_nowait()
            self.dropped += 1
        self._queue.put_nowait(event)

    def _deliver(self, event: Event) -> None:
        if self.closed or not self._matches(event.type):
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            self._offer(event)
            return
        with contextlib.suppress(RuntimeError):  # the loop has shut down
            self._loop.call_soon_threadsafe(self._offer, event)

    async def get(self, timeout: float | None = None) -> Event | None:
        """The next event, or None after ``timeout`` seconds."""
        try:
            return await asyncio.wait_for(self._queue.get(), timeout)
        except TimeoutError:
            return None

    def close(self) -> None:
        self.closed = True
        self._bus._remove_stream(self)

    async def __aiter__(self) -> AsyncIterator[Event]:
        while not self.closed:
            yield await self._queue.get()

    def __enter__(self) -> EventStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class EventBus:
    """In-process publish/subscribe, safe to publish from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subs: tuple[Subscription, ...] = ()
        self._streams: tuple[EventStream, ...] = ()
        self.published = 0

    def subscribe(self, callback: Callback, types: Iterable[str] | None = None) -> Subscription:
        sub = Subscription(self, callback, _matcher(types))
        with self._lock:
            self._subs = (*self._subs, sub)
        return sub

    def stream(self, types: Iterable[str] | None = None, *, maxsize: int = 1000) -> EventStream:
        """A stream for the running event loop (call from async code)."""
        stream = EventStream(self, _matcher(types), asyncio.get_running_loop(), maxsize)
        with self._lock:
            self._streams = (*self._streams, stream)
        return stream

    def _remove(self, sub: Subscription) -> None:
        with self._lock:
            self._subs = tuple(s for s in self._subs if s is not sub)

    def _remove_stream(self, stream: EventStream) -> None:
        with self._lock:
            self._streams = tuple(s for s in self._streams if s is not stream)

    def publish(
        self,
        type_: str | Event,
        data: Mapping[str, Any] | None = None,
        *,
        payload: Any = None,
    ) -> Event:
        if isinstance(type_, Event):
            event = type_
        else:
            event = Event(type_, dict(data or {}), payload=payload)
        self.published += 1
        # Tuples are replaced, never mutated, so iterating a snapshot needs no lock.
        for sub in self._subs:
            if not sub.matches(event.type):
                continue
            try:
                sub.callback(event)
            except Exception:
                log.exception("event subscriber failed on %s", event.type)
        for stream in self._streams:
            stream._deliver(event)
        return event
