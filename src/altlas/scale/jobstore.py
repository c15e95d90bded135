"""The async side of :class:`~altlas.scale.jobqueue.NatsJobQueue`: one connection, the KV
buckets, this instance's mirror of the job records, and the bridges onto the bus.

Runs on the queue's own event loop only. ``get`` reads KV directly (a run submitted to
another instance a moment ago is found); ``list`` reads the mirror that KV watches keep.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import orjson

from altlas.errors import InvalidInputError
from altlas.events.bus import EventBus
from altlas.events.queue import Job, JobEvent, JobState, JobStateError
from altlas.scale.config import NatsConfig, close_quietly, connect
from altlas.scale.eventbridge import EventBridge, EventLog, started_at
from altlas.scale.invalidation import Invalidation
from altlas.scale.jobviews import (
    JOBS,
    Pieces,
    checked_record,
    compose,
    new_record,
    run_id_of,
    summary_of,
)
from altlas.scale.kvwatch import Apply, watch_forever
from altlas.scale.runstate import RunState, get_object, request_cancel
from altlas.scale.streams import DEAD, LEASES, RUNS, STATE, ensure_all, key_of
from altlas.scale.worker import publish_retrying

if TYPE_CHECKING:
    from nats.aio.client import Client
    from nats.js.client import JetStreamContext
    from nats.js.kv import KeyValue

__all__ = ["CANCEL_SUBJECT", "JobStore"]

CANCEL_SUBJECT = "altlas.cancel"
_WEEK = 7 * 86400.0
log = logging.getLogger("altlas.scale.jobstore")


async def _bucket(js: JetStreamContext, name: str) -> KeyValue:
    from nats.js.api import KeyValueConfig, StorageType
    from nats.js.errors import BucketNotFoundError, NotFoundError

    try:
        return await js.key_value(name)
    except (BucketNotFoundError, NotFoundError):
        config = KeyValueConfig(bucket=name, history=1, ttl=_WEEK, storage=StorageType.FILE)
        return await js.create_key_value(config)


async def _json(kv: KeyValue, key: str) -> tuple[dict[str, Any], int] | None:
    from nats.js.errors import KeyNotFoundError

    try:
        entry = await kv.get(key)
    except KeyNotFoundError:
        return None
    value = orjson.loads(entry.value or b"{}")
    return (value if isinstance(value, dict) else {}), int(entry.revision or 0)


class JobStore:
    def __init__(
        self, nc: Client, js: JetStreamContext, buckets: dict[str, KeyValue], config: NatsConfig
    ) -> None:
        self.nc, self.js, self.config = nc, js, config
        self.jobs, self.leases, self.state = buckets[JOBS], buckets[LEASES], buckets[STATE]
        self.log = EventLog(js)
        self._records: dict[str, dict[str, Any]] = {}
        self._done: dict[str, dict[str, Any]] = {}
        self.lease_ttl = config.lease_ttl
        self._held: dict[str, tuple[dict[str, Any], float]] = {}
        """Leases as last seen, and when: a lease ends by its TTL without a delete that a
        watch would see, so one not renewed within the TTL counts as gone."""
        self._tasks: list[asyncio.Task[None]] = []
        self._bridges: list[EventBridge | Invalidation] = []

    @classmethod
    async def open(cls, config: NatsConfig, bus: EventBus) -> JobStore:
        nc = await connect(config, name="altlas-serve")
        try:
            js = nc.jetstream()
            await ensure_all(js, config)
            names = (JOBS, LEASES, STATE)
            buckets = {name: await _bucket(js, name) for name in names}
            store = cls(nc, js, buckets, config)
            # the bucket's TTL, not this server's [nats] settings: workers made the bucket
            ttl = (await buckets[LEASES].status()).ttl
            store.lease_ttl = float(ttl) if ttl else config.lease_ttl
            events, invalidation = EventBridge(bus), Invalidation(bus)
            await events.start(nc)
            await invalidation.start(nc)
            store._bridges = [events, invalidation]
            store._watch(store.jobs, ">", store._on_record)
            store._watch(store.state, "done.*", store._on_commit)
            store._watch(store.leases, ">", store._on_lease)
        except BaseException:
            await close_quietly(nc)
            raise
        return store

    @property
    def connected(self) -> bool:
        return bool(self.nc.is_connected)

    def knows(self, job_id: str) -> bool:
        return job_id in self._records

    async def close(self) -> None:
        for bridge in self._bridges:
            await bridge.stop()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(BaseException):
                await task
        await close_quietly(self.nc)

    # -- the mirror --------------------------------------------------------------------

    def _watch(self, kv: KeyValue, keys: str, apply: Apply) -> None:
        self._tasks.append(asyncio.create_task(watch_forever(self.nc, kv, keys, apply)))

    async def _on_record(self, key: str, value: bytes | None, _initial: bool) -> None:
        job_id = run_id_of(key)
        if value is None:
            self._records.pop(job_id, None)
        else:
            self._records[job_id] = checked_record(job_id, orjson.loads(value))

    async def _on_lease(self, key: str, value: bytes | None, _initial: bool) -> None:
        if value is None:
            self._held.pop(key, None)
        else:
            self._held[key] = (orjson.loads(value), time.monotonic())

    def _holding(self, key: str) -> dict[str, Any] | None:
        seen = self._held.get(key)
        if seen is None or time.monotonic() - seen[1] > self.lease_ttl:
            return None
        return seen[0]

    async def _on_commit(self, key: str, value: bytes | None, initial: bool) -> None:
        if value is None:
            return
        run_id = run_id_of(key.removeprefix("done."))
        summary = await self._summary(value)
        self._done[run_id] = summary
        if not initial and run_id in self._records:
            await self._announce(run_id, summary)

    async def _summary(self, raw: bytes) -> dict[str, Any]:
        body = orjson.loads(raw)
        if "object" in body:
            result = await get_object(self.js, body["object"])
        else:
            result = base64.b64decode(body.get("result", ""))
        return summary_of(result, int(body.get("attempt", 1)))

    # -- reading -----------------------------------------------------------------------

    async def _commit(self, job_id: str) -> dict[str, Any] | None:
        if job_id not in self._done:
            found = await _json(self.state, f"done.{key_of(job_id)}")
            if found is None:
                return None
            self._done[job_id] = await self._summary(orjson.dumps(found[0]))
        return self._done[job_id]

    async def _dead(self, key: str) -> str | None:
        from nats.js.errors import NotFoundError

        try:
            msg = await self.js.get_last_msg(DEAD, f"altlas.dead.{key}")
        except NotFoundError:
            return None
        return str((msg.headers or {}).get("Altlas-Reason", "max deliveries reached"))

    async def get(self, job_id: str) -> Job | None:
        key = key_of(job_id)
        found = await _json(self.jobs, key)
        try:
            record = checked_record(job_id, found[0] if found else None)
        except ValueError:
            return None
        self._records[job_id] = record
        pieces = Pieces(record, await self._commit(job_id))
        if pieces.done is None:
            held = await _json(self.leases, key)
            pieces.lease = held[0] if held else None
            pieces.dead = await self._dead(key) if held is None else None
        pieces.started_at = started_at(self.log.cached(job_id))
        return compose(pieces)

    async def list_jobs(
        self, state: JobState | None, kind: str | None, audience: Sequence[str] | None
    ) -> list[Job]:
        jobs = []
        for job_id, record in list(self._records.items()):
            pieces = Pieces(
                record,
                self._done.get(job_id),
                self._holding(key_of(job_id)),
                None,
                started_at(self.log.cached(job_id)),
            )
            job = compose(pieces)
            if kind is not None and job.kind != kind:
                continue
            if (state is None or job.state is state) and job.visible_to(audience):
                jobs.append(job)
        return jobs

    async def events(self, job_id: str, after: int, limit: int) -> list[JobEvent]:
        events = await self.log.refresh(job_id)
        if not any(e.type == "job.finished" for e in events):
            # the instance that saw the commit announces it; this one makes sure (same id)
            done = await self._commit(job_id)
            # a run a worker holds (or held: a lease is left to its TTL) is no dead letter
            held = self._holding(key_of(job_id)) is not None
            dead = await self._dead(key_of(job_id)) if done is None and not held else None
            if done is not None:
                await self._announce(job_id, done)
            elif dead is not None:
                facts = {"kind": "run", "state": JobState.FAILED.value, "error": dead}
                await self.log.publish(job_id, "job.finished", "", facts, f"{job_id}:finished")
            if done is not None or dead is not None:
                events = await self.log.refresh(job_id)
        return [e for e in events if e.seq > after][:limit]

    async def result(self, job_id: str) -> bytes | None:
        runstate = RunState(
            self.js, self.leases, self.state, job_id, self.config.inline_result_bytes
        )
        commit = await runstate.committed()
        return commit.result if commit is not None else None

    # -- writing -----------------------------------------------------------------------

    async def _announce(self, job_id: str, done: Mapping[str, Any]) -> None:
        state = JobState.CANCELLED if done.get("status") == "cancelled" else JobState.DONE
        facts = {
            "kind": "run",
            "state": state.value,
            "error": None,
            **{k: done.get(k) for k in ("status", "success_rate", "counts", "duration_ms")},
        }
        when = str(done.get("finished_at") or "")
        await self.log.publish(job_id, "job.finished", when, facts, f"{job_id}:finished")

    async def enqueue(
        self,
        job_id: str,
        kind: str,
        payload: Mapping[str, Any],
        owner: str | None,
        share: Sequence[str],
        now: str,
    ) -> Job:
        from nats.js.errors import KeyWrongLastSequenceError

        key = key_of(job_id)
        message = {
            "run_id": job_id,
            "plan": payload["plan"],
            "options": dict(payload.get("options") or {}),
            "owner": owner,
            "share": list(share),
            # a request's `archive: false` reaches the worker, which marks its result for the
            # follower
            "archive": bool(payload.get("archive", True)),
        }
        body = orjson.dumps(message)
        if len(body) > self.nc.max_payload:
            raise InvalidInputError(
                f"plan: {len(body)} bytes as a job, more than NATS takes in one message "
                f"({self.nc.max_payload} bytes, the server's max_payload)"
            )
        # the plan travels in the run's message only; the record keeps the rest
        rest = {k: v for k, v in payload.items() if k != "plan"}
        raw = orjson.dumps(new_record(job_id, kind, rest, owner, share, now))
        try:
            await self.jobs.create(key, raw)
        except KeyWrongLastSequenceError:
            raise JobStateError(f"a job with id {job_id} already exists") from None
        record = self._records[job_id] = orjson.loads(raw)
        try:
            await self.log.publish(job_id, "job.queued", now, {"kind": kind}, f"{job_id}:queued")
            # the format `altlas submit` publishes, so any `altlas worker` runs it
            await publish_retrying(
                self.js,
                f"altlas.runs.{key}",
                body,
                {"Nats-Msg-Id": job_id},
                tries=8,
            )
        except BaseException:
            # no record of a run that was never queued (the caller gets an error, not a 202)
            self._records.pop(job_id, None)
            with contextlib.suppress(Exception):
                await self.jobs.purge(key)
            raise
        return compose(Pieces(record))

    async def _update(self, job_id: str, change: Callable[[dict[str, Any]], None]) -> bool:
        from nats.js.errors import KeyWrongLastSequenceError

        key = key_of(job_id)
        for _ in range(10):  # another instance may write the same record at the same moment
            found = await _json(self.jobs, key)
            if found is None:
                return False
            record, revision = found
            change(record)
            try:
                await self.jobs.update(key, orjson.dumps(record, default=str), last=revision)
            except KeyWrongLastSequenceError:
                continue
            self._records[job_id] = record
            return True
        raise JobStateError(f"{job_id}: its record kept changing; try again")

    async def _unqueue(self, key: str) -> bool:
        """Delete the run's message from ALTLAS_RUNS if it is still there."""
        from nats.js.errors import NotFoundError

        try:
            msg = await self.js.get_last_msg(RUNS, f"altlas.runs.{key}")
            return bool(await self.js.delete_msg(RUNS, int(msg.seq or 0)))
        except NotFoundError:
            return False

    async def cancel(self, job: Job, now: str) -> None:
        key = key_of(job.id)
        # the flag first: a worker taking the run from here on sees it at its next heartbeat
        await request_cancel(self.state, job.id)
        await self.nc.publish(f"{CANCEL_SUBJECT}.{key}", job.id.encode())
        removed = job.state is JobState.QUEUED and await self._unqueue(key)

        def mark(record: dict[str, Any]) -> None:
            record.update(cancel_requested=True, updated_at=now)
            if removed:
                record.update(state=JobState.CANCELLED.value, finished_at=now)

        await self._update(job.id, mark)
        if removed:
            facts = {"kind": job.kind, "state": JobState.CANCELLED.value, "error": None}
            await self.log.publish(job.id, "job.finished", now, facts, f"{job.id}:finished")

    async def merge(self, job_id: str, facts: dict[str, Any], now: str) -> bool:
        def add(record: dict[str, Any]) -> None:
            record["extra"] = {**(record.get("extra") or {}), **facts}
            record["updated_at"] = now

        return await self._update(job_id, add)
