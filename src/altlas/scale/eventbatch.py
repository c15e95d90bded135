"""A run's events on ``ALTLAS_EVENTS`` in batches: one message per flush, not one per event.

Six events of a small run were six messages, 15-25 % of a worker's CPU and of the server's.
A batch is a JSON array of the events in their order; it is sent when the run ends (before
its result), when it has waited ``FLUSH_SECONDS`` (live progress for a long run), or when it
is large. Readers (:mod:`altlas.scale.eventbridge`, the tests) unpack a batch into its events,
each with its own sequence: the message's stream sequence times ``SEQ_STRIDE`` plus its place.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import orjson

from altlas.scale.streams import key_of

if TYPE_CHECKING:
    from altlas.run.events import RunEvent

__all__ = ["FLUSH_SECONDS", "MAX_BYTES", "MAX_EVENTS", "SEQ_STRIDE", "EventBatch", "unpack"]

FLUSH_SECONDS = 0.1
"""How long an event may wait for company: what a live view of a run lags at most."""
MAX_EVENTS = 256
MAX_BYTES = 64 * 1024
SEQ_STRIDE = 1024
"""Room for the events of one message in a run's sequence; more than ``MAX_EVENTS``."""

Send = Callable[[str, bytes, dict[str, str]], None]


class EventBatch:
    """The event sink of one run attempt: collects, then hands a batch to ``send``.

    Called on the worker's event loop (the runner's emitter runs there)."""

    def __init__(self, run_id: str, attempt: int, worker: str, send: Send) -> None:
        self.run_id = run_id
        self.attempt = attempt
        self.subject = f"altlas.events.{key_of(run_id)}"
        self._attempt, self._worker = attempt, worker
        self._send = send
        self._loop = asyncio.get_running_loop()
        self._parts: list[bytes] = []
        self._size = 0
        self._first = 0
        self._timer: asyncio.TimerHandle | None = None

    def __call__(self, event: RunEvent) -> None:
        body = event.to_dict()
        body["attempt"], body["worker"] = self._attempt, self._worker
        data = orjson.dumps(body, default=str)
        if not self._parts:
            self._first = event.seq
            self._timer = self._loop.call_later(FLUSH_SECONDS, self.flush)
        self._parts.append(data)
        self._size += len(data)
        if len(self._parts) >= MAX_EVENTS or self._size >= MAX_BYTES:
            self.flush()

    def flush(self) -> None:
        """Hand over what is collected (the run ended, or it waited long enough)."""
        batch = self.take()
        if batch is not None:
            self._send(*batch)

    def take(self) -> tuple[str, bytes, dict[str, str]] | None:
        """What is collected, as the message ``flush()`` would send, for the caller to send
        (the run's last batch, which the worker publishes itself); None if nothing is."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._parts:
            return None
        body = b"[" + b",".join(self._parts) + b"]"
        self._parts, self._size = [], 0
        # the first event's seq names the batch: a resend of it is a duplicate
        return self.subject, body, {"Nats-Msg-Id": f"{self.run_id}:{self.attempt}:{self._first}"}


def unpack(raw: bytes) -> list[dict[str, Any]]:
    """The event bodies of one message: a batch, or one event (the server's job events);
    anything else is nothing. At most ``SEQ_STRIDE`` of them, so sequences stay unique."""
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return []
    bodies = body[:SEQ_STRIDE] if isinstance(body, list) else [body]
    return [one for one in bodies if isinstance(one, dict)]
