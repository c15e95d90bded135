"""Run events from ``ALTLAS_EVENTS`` for the server: the log SSE replays, and the live wake-up.

* :class:`EventLog` reads a run's events from the stream (subject ``altlas.events.<key>``).
  A message is one event or a worker's batch of them (:mod:`altlas.scale.eventbatch`); an
  event's ``seq`` is its message's *stream* sequence times ``SEQ_STRIDE`` plus its place in
  the batch: increasing per run whatever the worker or the attempt, so ``Last-Event-ID``
  resumes exactly. What was read is kept per run (bounded), so
  a status poll or an SSE turn fetches only the new messages.
* :class:`EventBridge` subscribes to ``altlas.events.*`` (core NATS, no consumer state) and
  republishes each event on the server's in-process bus, which wakes the SSE streams at once,
  whichever server or worker the run is on. The bus copy is marked :data:`REMOTE`.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from altlas.events.bus import EventBus
from altlas.events.queue import JobEvent
from altlas.scale.eventbatch import SEQ_STRIDE, unpack
from altlas.scale.streams import EVENTS, key_of

if TYPE_CHECKING:
    from nats.aio.client import Client
    from nats.aio.msg import Msg
    from nats.aio.subscription import Subscription
    from nats.js.client import JetStreamContext

__all__ = ["REMOTE", "EventBridge", "EventLog", "event_subject"]

REMOTE = object()
"""``Event.payload`` of what came in from NATS: never forwarded back out."""

_KEEP_RUNS = 512
_RUN_TYPES = ("run.", "task.", "job.")
_BULK_FROM = 32


def event_subject(run_id: str) -> str:
    return f"altlas.events.{key_of(run_id)}"


def _decode(run_id: str, stream_seq: int, raw: bytes) -> list[JobEvent]:
    events = []
    for place, body in enumerate(unpack(raw)):
        event = _event(run_id, stream_seq * SEQ_STRIDE + place, body)
        if event is not None:
            events.append(event)
    return events


def _event(run_id: str, seq: int, body: dict[str, Any]) -> JobEvent | None:
    if not isinstance(body.get("type"), str):
        return None
    type_ = body.pop("type")
    # job.* events carry their facts at the top level, like the embedded queue's
    time = body.pop("time", "") if type_.startswith("job.") else body.get("time", "")
    return JobEvent(run_id, seq, type_, str(time), body)


@dataclass(slots=True)
class _Seen:
    last: int = 0
    events: list[JobEvent] = field(default_factory=list)


class EventLog:
    """The events of runs, read incrementally from the stream. Use on one event loop."""

    def __init__(self, js: JetStreamContext) -> None:
        self.js = js
        self._runs: OrderedDict[str, _Seen] = OrderedDict()
        self._lock = asyncio.Lock()

    async def _last_seq(self, subject: str) -> int:
        from nats.js.errors import NotFoundError

        try:
            msg = await self.js.get_last_msg(EVENTS, subject)
        except NotFoundError:
            return 0
        return int(msg.seq or 0)

    async def refresh(self, run_id: str) -> list[JobEvent]:
        """Every event of the run so far, oldest first."""
        async with self._lock:
            seen = self._runs.pop(run_id, None) or _Seen()
            self._runs[run_id] = seen  # most recently used last
            while len(self._runs) > _KEEP_RUNS:
                self._runs.popitem(last=False)
            subject = event_subject(run_id)
            newest = await self._last_seq(subject)
            if newest - seen.last > _BULK_FROM:
                await self._bulk(run_id, subject, seen, newest)
            while seen.last < newest:
                msg = await self.js.get_msg(EVENTS, seq=seen.last + 1, subject=subject, next=True)
                seen.last = int(msg.seq or newest)
                seen.events += _decode(run_id, seen.last, msg.data or b"")
            return list(seen.events)

    async def _bulk(self, run_id: str, subject: str, seen: _Seen, newest: int) -> None:
        """Many events to catch up on: one ordered consumer pushes them all (a get per
        event costs a round trip each: 600 events took 0.36 s that way)."""
        from nats.errors import TimeoutError as NatsTimeout
        from nats.js.api import ConsumerConfig, DeliverPolicy

        config = ConsumerConfig(
            deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=seen.last + 1
        )
        sub = await self.js.subscribe(subject, stream=EVENTS, ordered_consumer=True, config=config)
        try:
            while seen.last < newest:
                try:
                    msg = await sub.next_msg(timeout=2.0)
                except NatsTimeout:
                    return  # the per-event path below finishes the job
                seen.last = int(msg.metadata.sequence.stream)
                seen.events += _decode(run_id, seen.last, msg.data or b"")
        finally:
            await sub.unsubscribe()

    def cached(self, run_id: str) -> list[JobEvent]:
        seen = self._runs.get(run_id)
        return list(seen.events) if seen is not None else []

    async def read(self, run_id: str, after: int, limit: int) -> list[JobEvent]:
        events = await self.refresh(run_id)
        return [e for e in events if e.seq > after][:limit]

    async def publish(
        self,
        run_id: str,
        type_: str,
        time: str,
        facts: dict[str, Any],
        msg_id: str,
        tries: int = 8,
    ) -> None:
        """A job-level event from the server; ``msg_id`` makes several servers' copies one.
        Few tries: a request is waiting (and 503 is a fair answer while NATS is away)."""
        from altlas.scale.worker import publish_retrying

        body = orjson.dumps({"type": type_, "time": time, **facts}, default=str)
        headers = {"Nats-Msg-Id": msg_id}
        await publish_retrying(self.js, event_subject(run_id), body, headers, tries=tries)


def started_at(events: list[JobEvent]) -> str | None:
    return next((e.time for e in events if e.type == "run.started"), None)


class EventBridge:
    """Live events from NATS onto the in-process bus (wakes SSE streams)."""

    def __init__(self, bus: EventBus) -> None:
        self.bus = bus
        self.received = 0
        self._sub: Subscription | None = None

    async def start(self, nc: Client) -> None:
        self._sub = await nc.subscribe("altlas.events.*", cb=self._on_message)

    async def _on_message(self, msg: Msg) -> None:
        from altlas.scale.jobviews import run_id_of

        try:
            run_id = run_id_of(msg.subject.rsplit(".", 1)[-1])
        except ValueError:
            return
        for event in _decode(run_id, 0, msg.data):
            # only run progress: a message here must not pose as, say, an archive change
            if event.type.startswith(_RUN_TYPES):
                self.received += 1
                self.bus.publish(event.type, {"job_id": run_id, **event.data}, payload=REMOTE)

    async def stop(self) -> None:
        sub, self._sub = self._sub, None
        if sub is not None:
            import contextlib

            with contextlib.suppress(Exception):
                await sub.unsubscribe()
