"""Exactly-once effects over at-least-once delivery: the lease, task completions, the commit.

* The lease (``ALTLAS_LEASES``, TTL-limited) is taken with ``create()``; its revision is the
  fencing token. Heartbeats renew it with ``update(last=revision)``, so a worker that lost it
  (paused past the TTL, cut off) learns so on its next renewal and its writes are refused.
* Completed tasks are recorded under ``t.<run>.<task>`` in ``ALTLAS_RUNSTATE``, so a
  redelivered run resumes from them: an effectful task's completion at once and before the
  run's next effect, a pure task's when a heartbeat comes (``altlas.scale.runner``).
* The commit is ``create("done.<run>")`` while the lease is held: one committer ever wins,
  and the marker carries the result (or its object-store name), so a worker that finds
  it republishes the same result under the same ``Nats-Msg-Id`` instead of running again.
  "Held" is proved by a renewal, or, for a run that ends well inside its lease, by the clock:
  the lease lives ``ttl`` seconds from its last write on the server, which came after the
  request was sent, so no other worker can have created it before ``sent + ttl``. Half the TTL
  is the margin; a small run commits without the renewal round trip.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from altlas.scale.acked import AckedPublisher, kv_create
from altlas.scale.streams import LEASES, OBJECTS, STATE, key_of

if TYPE_CHECKING:
    from nats.js.client import JetStreamContext
    from nats.js.kv import KeyValue

__all__ = [
    "Commit",
    "LeaseLost",
    "Published",
    "RunState",
    "get_object",
    "published",
    "put_object",
    "request_cancel",
]


def _clock() -> float:
    # counts a suspended machine too (the server's TTL does); monotonic elsewhere
    return (
        time.clock_gettime(time.CLOCK_BOOTTIME)
        if hasattr(time, "CLOCK_BOOTTIME")
        else time.monotonic()
    )


class LeaseLost(Exception):
    """Another worker holds the run now; this one must not write its outcome."""


@dataclass(slots=True)
class Commit:
    attempt: int
    fence: int
    worker: str
    result: bytes


class RunState:
    """The KV records of one run, as one worker sees them."""

    def __init__(
        self,
        js: JetStreamContext,
        leases: KeyValue,
        state: KeyValue,
        run_id: str,
        inline: int,
        *,
        lease_ttl: float | None = None,
        acked: AckedPublisher | None = None,
    ) -> None:
        self.js = js
        self.leases = leases
        self.state = state
        self.run_id = run_id
        self.key = key_of(run_id)
        self.inline = inline
        self.fence = 0
        self.acked = acked
        self._margin = lease_ttl / 2 if lease_ttl else None
        self._held_until = 0.0  # by the clock; without a TTL every commit renews first
        self._pure: dict[str, dict[str, Any]] = {}
        self._writes: list[asyncio.Future[None]] = []

    async def acquire(self, worker: str, attempt: int) -> bool:
        from nats.js.errors import KeyWrongLastSequenceError

        value = orjson.dumps({"worker": worker, "attempt": attempt, "state": "running"})
        sent = _clock()
        try:
            self.fence = await kv_create(self.acked, self.leases, LEASES, self.key, value)
        except KeyWrongLastSequenceError:
            return False
        self._held(sent)
        return True

    def _held(self, sent: float) -> None:
        if self._margin is not None:
            self._held_until = sent + self._margin

    async def renew(self, worker: str, attempt: int, state: str = "running") -> int:
        from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError

        value = orjson.dumps({"worker": worker, "attempt": attempt, "state": state})
        sent = _clock()
        try:
            self.fence = await self.leases.update(self.key, value, last=self.fence)
        except (KeyWrongLastSequenceError, KeyNotFoundError):
            raise LeaseLost(self.run_id) from None
        self._held(sent)
        return self.fence

    async def release(self) -> None:
        from nats.errors import Error as NatsError

        self._held_until = 0.0
        with contextlib.suppress(NatsError, OSError):  # the TTL ends it anyway
            await self.leases.delete(self.key, last=self.fence)

    async def cancel_requested(self) -> bool:
        from nats.js.errors import KeyNotFoundError

        try:
            await self.state.get(f"cancel.{self.key}")
        except KeyNotFoundError:
            return False
        return True

    def note(self, task_id: str, row: dict[str, Any], *, effectful: bool) -> None:
        """A completed task: an effectful one is written now, a pure one when it pays (see
        ``altlas.scale.runner`` for why that keeps effects exactly-once)."""
        if effectful:
            self._write(task_id, row)
        else:
            self._pure[task_id] = row

    def _write(self, task_id: str, row: dict[str, Any]) -> None:
        key = f"t.{self.key}.{key_of(task_id)}"
        self._writes.append(asyncio.ensure_future(self._put(key, orjson.dumps(row, default=str))))

    async def _put(self, key: str, value: bytes, tries: int = 120) -> None:
        from nats.errors import Error as NatsError

        for attempt in range(tries):  # rides out a server restart, bounded (~30 s)
            try:
                await self.state.put(key, value)
                return
            except (TimeoutError, NatsError, OSError):
                if attempt == tries - 1:
                    raise
                await asyncio.sleep(0.25)

    async def durable(self) -> None:
        """Every completion written so far is stored (awaits the writes in flight)."""
        # a snapshot: two effectful tasks may wait at once, and each must see every write
        for write in list(self._writes):
            await write
        self._writes = [write for write in self._writes if not write.done()]

    async def save_progress(self) -> None:
        """Write the pure completions kept so far too (a heartbeat of a long run)."""
        pure, self._pure = self._pure, {}
        for task_id, row in pure.items():
            self._write(task_id, row)
        await self.durable()

    async def settle(self) -> None:
        """The run ended: finish the writes in flight; pure ones kept are moot after commit."""
        self._pure.clear()
        await self.durable()

    async def completed_tasks(self) -> list[dict[str, Any]]:
        # a watch, not keys(filters=...): nats-py's filtered keys() finds nothing here
        watcher = await self.state.watch(f"t.{self.key}.*", ignore_deletes=True)
        rows = []
        try:
            while True:
                entry = await watcher.updates(timeout=10)  # type: ignore[no-untyped-call]
                if entry is None:  # the initial values are all delivered
                    break
                if entry.value:
                    rows.append(orjson.loads(entry.value))
        finally:
            await watcher.stop()  # type: ignore[no-untyped-call]
        return rows

    async def committed(self) -> Commit | None:
        from nats.js.errors import KeyNotFoundError

        try:
            entry = await self.state.get(f"done.{self.key}")
        except KeyNotFoundError:
            return None
        return await self._decode(entry.value or b"{}", entry.revision or 0)

    async def commit(
        self, worker: str, attempt: int, result: bytes, *, archive: bool = True
    ) -> Commit | None:
        """Record the outcome once; None if another worker committed first. The marker is
        the published result too: ``ALTLAS_RESULTS`` sources every ``done.*`` write."""
        from nats.js.errors import KeyWrongLastSequenceError

        if _clock() >= self._held_until:
            await self.renew(worker, attempt, "committing")
        body: dict[str, Any] = {"attempt": attempt, "worker": worker, "lease": self.fence}
        if not archive:
            body["archive"] = False
        if len(result) > self.inline:
            body["object"] = await put_object(self.js, result)
        else:
            body["result"] = base64.b64encode(result).decode()
        try:
            revision = await kv_create(
                self.acked, self.state, STATE, f"done.{self.key}", orjson.dumps(body)
            )
        except KeyWrongLastSequenceError:
            return None
        return Commit(attempt, revision, worker, result)

    async def _decode(self, raw: bytes, revision: int) -> Commit:
        return await _decoded(self.js, orjson.loads(raw), revision)


async def _decoded(js: JetStreamContext, body: dict[str, Any], revision: int) -> Commit:
    if "object" in body:
        result = await get_object(js, body["object"])
    else:
        result = base64.b64decode(body.get("result", ""))
    return Commit(int(body.get("attempt", 1)), revision, str(body.get("worker", "")), result)


@dataclass(slots=True)
class Published:
    """A result as ``ALTLAS_RESULTS`` carries it: a copy of the run's commit marker."""

    run_id: str
    result: bytes
    archive: bool
    fence: int


async def published(js: JetStreamContext, msg: Any) -> Published | None:
    """The committed result in a ``ALTLAS_RESULTS`` message, or None for what is not one
    (the copy of a marker's delete, a body that does not decode). Only the server writes
    that stream, from the commit markers, so its messages need no fence check."""
    from altlas.scale.jobviews import run_id_of

    headers = msg.headers or {}
    if headers.get("KV-Operation") or not msg.data:
        return None
    try:
        run_id = run_id_of(str(msg.subject).rsplit(".", 1)[-1])
        body = orjson.loads(msg.data)
        commit = await _decoded(js, body, _source_seq(headers))
    except (ValueError, TypeError, AttributeError):  # orjson's and base64's are ValueErrors
        return None
    return Published(run_id, commit.result, body.get("archive", True) is not False, commit.fence)


def _source_seq(headers: dict[str, str]) -> int:
    """The commit's revision, from the header the server puts on a sourced message
    (``<stream> <seq> ...``); 0 if it is not there."""
    parts = headers.get("Nats-Stream-Source", "").split()
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


async def request_cancel(state: KeyValue, run_id: str) -> None:
    """Ask whichever worker runs ``run_id`` to cancel it (seen at its next heartbeat)."""
    await state.put(f"cancel.{key_of(run_id)}", b"1")


async def put_object(js: JetStreamContext, data: bytes) -> str:
    """Store ``data`` in the object store under its content hash (once); return that name."""
    from nats.js.errors import NotFoundError, ObjectNotFoundError

    name = "sha256-" + hashlib.sha256(data).hexdigest()
    store = await js.object_store(OBJECTS)
    try:
        await store.get_info(name)
    except (ObjectNotFoundError, NotFoundError):
        await store.put(name, data)
    return name


async def get_object(js: JetStreamContext, name: str) -> bytes:
    store = await js.object_store(OBJECTS)
    found = await store.get(name)
    return bytes(found.data or b"")
