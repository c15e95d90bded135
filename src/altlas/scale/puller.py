"""The worker's intake: JetStream pull requests on its own inbox, jobs handed over by callback.

nats-py's ``fetch()`` sends a pull request per call and waits for each message with a
``wait_for``; a worker that loops on it wakes for a few jobs at a time, so with several
workers on one machine the CPU per plan grew with their number. Here a worker keeps pull
requests outstanding for its free run slots (in batches of at least a quarter of them, so a
request is not sent per finished run) and each job starts the moment it arrives.

A request lives ``PULL_EXPIRES`` seconds; the server answers an expired one with status 408,
and one lost to a server restart is forgotten a little later, so the worker asks again. At
shutdown the worker drains its inbox subscription: without interest the server drops the
requests still waiting, and a job already on its way is handed back at once (``nak``), not
left to ``ack_wait``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING

import orjson

from altlas.scale.streams import RUNS, WORKER_CONSUMER

if TYPE_CHECKING:
    from nats.aio.client import Client
    from nats.aio.msg import Msg

__all__ = ["PULL_EXPIRES", "Puller"]

PULL_EXPIRES = 0.3
"""How long a pull request waits at the server: bounds how late an idle worker stops."""
_LOST_AFTER = 0.5
"""A request unanswered this long past its expiry went with a server restart."""
_ENDED = ("408", "409")  # expired; or ended otherwise (max waiting, consumer changed)


class Puller:
    """Keeps ``concurrency`` jobs requested or running; ``inflight`` holds the running ones."""

    def __init__(
        self,
        nc: Client,
        concurrency: int,
        handle: Callable[[Msg], Coroutine[None, None, None]],
        api_prefix: str = "$JS.API",
    ) -> None:
        self.nc = nc
        self.concurrency = concurrency
        self.handle = handle
        self.subject = f"{api_prefix}.CONSUMER.MSG.NEXT.{RUNS}.{WORKER_CONSUMER}"
        self.inflight: set[asyncio.Task[None]] = set()
        self.stopping = False
        self._min_batch = max(1, concurrency // 4)
        self._requests: deque[list[float]] = deque()  # [jobs still to come, deadline]
        self._wake = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        self._ticker: asyncio.TimerHandle | None = None

    def _outstanding(self) -> int:
        return int(sum(request[0] for request in self._requests))

    def _free(self) -> int:
        return self.concurrency - len(self.inflight) - self._outstanding()

    async def run(self, stop: asyncio.Event) -> None:
        """Pull until ``stop``; then withdraw the outstanding requests."""
        from nats.errors import Error as NatsError

        inbox = self.nc.new_inbox()
        sub = await self.nc.subscribe(inbox, cb=self._on_message)
        stopper = asyncio.ensure_future(stop.wait())
        stopper.add_done_callback(lambda _: self._wake.set())
        self._tick()
        try:
            while not stop.is_set():
                self._forget_lost()
                free = self._free()
                if self._wanted(free):
                    try:
                        await self._request(inbox, free)
                    except (TimeoutError, NatsError, OSError):
                        await asyncio.sleep(0.2)  # reconnecting; the durable consumer stays
                        continue
                self._wake.clear()
                await self._wake.wait()
        finally:
            self.stopping = True
            if self._ticker is not None:
                self._ticker.cancel()
            stopper.cancel()
            # interest gone, the server drops the requests still waiting; what is already
            # on its way is nak'ed by the callback (a redelivery cannot come back here)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(sub.drain(), PULL_EXPIRES)  # type: ignore[no-untyped-call]

    async def _request(self, inbox: str, batch: int) -> None:
        body = {"batch": batch, "expires": int(PULL_EXPIRES * 1e9)}
        await self.nc.publish(self.subject, orjson.dumps(body), reply=inbox)
        self._requests.append([batch, self._loop.time() + PULL_EXPIRES])

    def _tick(self) -> None:
        """Wake the loop now and then: a request lost with the server gets no 408."""
        self._wake.set()
        self._ticker = self._loop.call_later(PULL_EXPIRES, self._tick)

    def _wanted(self, free: int) -> bool:
        # a stopping puller asks for nothing more: what comes goes back
        return free > 0 and not self.stopping and (free >= self._min_batch or not self._requests)

    def _forget_lost(self) -> None:
        now = self._loop.time()
        while self._requests and self._requests[0][1] + _LOST_AFTER < now:
            self._requests.popleft()

    async def _on_message(self, msg: Msg) -> None:
        status = msg.headers.get("Status") if msg.headers else None
        if status is not None:
            if status in _ENDED and self._requests:
                self._requests.popleft()  # requests expire in the order they were sent
                self._wake.set()
            return
        if self._requests:
            self._requests[0][0] -= 1
            if self._requests[0][0] <= 0:
                self._requests.popleft()
        if self.stopping:
            with contextlib.suppress(Exception):
                await msg.nak()  # another worker takes it now
            return
        task = asyncio.create_task(self.handle(msg))
        self.inflight.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self.inflight.discard(task)
        if self._free() >= self._min_batch:
            self._wake.set()
