"""Cache invalidation between server instances over NATS (``altlas.bus.<type>``).

Each instance forwards the bus events that change what another instance may have cached
(``archive.*`` and ``atlas.*``: the search cache; ``auth.session_revoked``: the session
cache) to NATS, and republishes what the others send on its own bus, marked
:data:`~altlas.scale.eventbridge.REMOTE` so it never goes back out. The subscribers already
on the bus (the search cache, the auth service) do the rest: nothing else needs to know that
the change came from elsewhere. Core NATS, not JetStream: an instance that is down has no
cache to invalidate, and one that starts builds its caches afresh.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from typing import TYPE_CHECKING, Any

import orjson

from altlas.events.bus import Event, EventBus, Subscription
from altlas.scale.eventbridge import REMOTE

if TYPE_CHECKING:
    from nats.aio.client import Client
    from nats.aio.msg import Msg
    from nats.aio.subscription import Subscription as NatsSubscription

__all__ = ["FORWARDED", "SUBJECT", "Invalidation", "announce"]

SUBJECT = "altlas.bus"
FORWARDED = ("archive.", "atlas.", "auth.session_revoked")

log = logging.getLogger("altlas.scale.invalidation")


class Invalidation:
    """Forward this instance's cache-relevant bus events; apply the other instances'."""

    def __init__(self, bus: EventBus, instance: str | None = None) -> None:
        self.bus = bus
        self.instance = instance or uuid.uuid4().hex
        self.sent = 0
        self.received = 0
        self._nc: Client | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._local: Subscription | None = None
        self._remote: NatsSubscription | None = None

    async def start(self, nc: Client) -> None:
        self._nc = nc
        self._loop = asyncio.get_running_loop()
        self._remote = await nc.subscribe(f"{SUBJECT}.>", cb=self._on_message)
        self._local = self.bus.subscribe(self._forward, types=FORWARDED)

    def _forward(self, event: Event) -> None:
        """Bus subscriber; runs in the publisher's thread."""
        loop, nc = self._loop, self._nc
        if event.payload is REMOTE or loop is None or nc is None or loop.is_closed():
            return
        body = orjson.dumps(
            {"origin": self.instance, "type": event.type, "data": dict(event.data)}, default=str
        )
        with contextlib.suppress(RuntimeError):  # the loop is shutting down
            asyncio.run_coroutine_threadsafe(self._send(nc, f"{SUBJECT}.{event.type}", body), loop)

    async def _send(self, nc: Client, subject: str, body: bytes) -> None:
        try:
            await nc.publish(subject, body)
            await nc.flush(timeout=2)
            self.sent += 1
        except Exception:  # a lost invalidation leaves the cache TTL as the backstop
            log.warning("cannot forward %s to the other servers", subject, exc_info=True)

    async def _on_message(self, msg: Msg) -> None:
        try:
            body: dict[str, Any] = orjson.loads(msg.data)
        except orjson.JSONDecodeError:
            return
        if body.get("origin") == self.instance or not isinstance(body.get("type"), str):
            return
        if not str(body["type"]).startswith(FORWARDED):
            return  # only what could be cached is ever applied from outside
        self.received += 1
        data = body.get("data") if isinstance(body.get("data"), dict) else {}
        self.bus.publish(str(body["type"]), data, payload=REMOTE)

    async def stop(self) -> None:
        local, self._local = self._local, None
        if local is not None:
            local.close()
        remote, self._remote = self._remote, None
        if remote is not None:
            with contextlib.suppress(Exception):
                await remote.unsubscribe()


async def announce(nc: Client, type_: str, data: dict[str, Any], origin: str) -> None:
    """Tell every server instance about a change made outside them (the archive follower's
    writes): their caches drop what it makes stale."""
    body = orjson.dumps({"origin": origin, "type": type_, "data": data}, default=str)
    await nc.publish(f"{SUBJECT}.{type_}", body)
