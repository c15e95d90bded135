"""``altlas worker``: pull run jobs from ``ALTLAS_RUNS``, run them, publish events and results.

Per job: a committed run is acked, not rerun; otherwise the worker takes the run's lease,
restores completed tasks from KV (a redelivery), runs the plan with heartbeats
(``in_progress()`` and lease renewal), commits the result once in KV and acks only after the
commit was acknowledged. The commit marker is the published result: ``ALTLAS_RESULTS``
sources it from the KV bucket's stream (``altlas.scale.streams``).

Up to ``concurrency`` runs share the worker's event loop as asyncio tasks; pull requests for
the free slots stay outstanding and a job starts as it arrives (``altlas.scale.puller``): a
small run mostly waits on NATS round trips, and those overlap. The ack is a plain ack, not
``ack_sync``: if it is lost the job comes back, finds the commit marker and is acked.

A run that cannot end is judged by its error group (``altlas.errors``). Bad input, not found,
conflict, corrupt: no delivery can help, so it is a dead letter at once (``term()``). An
``UnavailableError`` (a locked store, a backend down; not a missing extra), raised while
preparing the run or by a task's handler after the task's own retries, may pass: the job is
nak'ed with the consumer's backoff delay and its completions kept, so a later delivery
resumes it; the last allowed delivery makes it a dead letter with the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import platform
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from altlas.config import Settings
from altlas.errors import AltlasError
from altlas.scale.acked import AckedPublisher, publish_retrying
from altlas.scale.config import NatsConfig, close_quietly, connect
from altlas.scale.eventbatch import EventBatch
from altlas.scale.puller import Puller
from altlas.scale.runner import RunHooks, execute_job, retry_later, warm_up
from altlas.scale.runstate import LeaseLost, RunState, put_object
from altlas.scale.service import settle_heap
from altlas.scale.streams import (
    LEASES,
    STATE,
    ensure_all,
    key_of,
    wants_archive,
)

if TYPE_CHECKING:
    from nats.aio.client import Client
    from nats.aio.msg import Msg
    from nats.js.client import JetStreamContext
    from nats.js.kv import KeyValue

    from altlas.formats.result import Result

__all__ = [
    "Worker",
    "WorkerStats",
    "one_line",
    "publish_retrying",
]


def one_line(text: str) -> str:
    """A header value: one line, bounded."""
    return " ".join(text.split())[:300]


@dataclass(slots=True)
class WorkerStats:
    completed: int = 0
    republished: int = 0
    handed_back: int = 0
    retried: int = 0
    refused: int = 0
    rejected: int = 0


class Worker:
    def __init__(
        self,
        config: NatsConfig,
        settings: Settings,
        *,
        concurrency: int = 1,
        workspace_root: Path | None = None,
        name: str | None = None,
        grace_seconds: float = 10.0,
        owns_process: bool = False,
    ) -> None:
        self.config = config
        self.settings = settings
        self.concurrency = max(1, concurrency)
        self.workspace_root = (workspace_root or settings.home / "workspaces").resolve()
        self.name = name or f"{platform.node()}:{os.getpid()}"
        self.grace = grace_seconds
        self.owns_process = owns_process
        """Set by ``altlas worker``: the process is this worker's, so its GC is tuned."""
        self.stats = WorkerStats()
        self.stopping = False
        self._events: asyncio.Queue[tuple[str, bytes, dict[str, str]] | asyncio.Future[None]] = (
            asyncio.Queue()
        )
        self._hooks: dict[str, RunHooks] = {}

    async def serve(self, stop: asyncio.Event) -> WorkerStats:
        await warm_up(self.settings)
        nc = await connect(self.config, name=f"altlas-worker {self.name}")
        try:
            js = nc.jetstream()
            await ensure_all(js, self.config, update=True)
            self._nc, self._js = nc, js
            self._acked = AckedPublisher(nc)
            await self._acked.start()
            self._leases: KeyValue = await js.key_value(LEASES)
            # the bucket's own TTL, not this worker's settings (an existing bucket keeps its
            # TTL): the commit's clock proof of the lease rests on it; none, always renew
            ttl = (await self._leases.status()).ttl
            self._lease_ttl = float(ttl) if ttl else None
            self._state: KeyValue = await js.key_value(STATE)
            await nc.subscribe("altlas.cancel.*", cb=self._on_cancel)
            if self.owns_process:
                settle_heap()  # warm, connected, subscribed: what lives on is there now
            publisher = asyncio.create_task(self._publish_events(nc))
            try:
                await self._pull(js, stop)
            finally:
                await self._events.join()
                publisher.cancel()
        finally:
            await close_quietly(nc)
        return self.stats

    async def _pull(self, js: JetStreamContext, stop: asyncio.Event) -> None:
        puller = Puller(
            self._nc, self.concurrency, self._handle, api_prefix=getattr(js, "_prefix", "$JS.API")
        )
        try:
            await puller.run(stop)
        finally:
            await self._shutdown(puller.inflight)

    async def _shutdown(self, inflight: set[asyncio.Task[None]]) -> None:
        """Finish in-flight runs within the grace period, then hand the rest back."""
        self.stopping = True
        if inflight:
            _, pending = await asyncio.wait(inflight, timeout=self.grace)
            for hooks in list(self._hooks.values()):
                hooks.cancel()
            if pending:
                await asyncio.wait(pending, timeout=self.grace)

    async def _on_cancel(self, msg: Msg) -> None:
        """``altlas.cancel.<key>`` (a server's cancel): stop that run now; the KV flag that
        the heartbeat reads stays the backstop."""
        hooks = self._hooks.get(msg.data.decode(errors="replace"))
        if hooks is not None:
            hooks.cancel()

    async def _publish_events(self, nc: Client) -> None:
        # one publisher keeps the events of a run in order on the wire and in the stream
        while True:
            item = await self._events.get()
            if isinstance(item, asyncio.Future):
                if not item.done():  # a run waits for its events to be handed over
                    item.set_result(None)
            else:
                subject, data, headers = item
                # a closed connection at shutdown loses events, never the run's result
                with contextlib.suppress(Exception):
                    await nc.publish(subject, data, headers=headers)
            self._events.task_done()

    def _send_event(self, subject: str, data: bytes, headers: dict[str, str]) -> None:
        self._events.put_nowait((subject, data, headers))

    async def _send_last_events(self, events: EventBatch) -> None:
        """A run's last batch, and with it every earlier one, is on the connection ahead of
        the run's result or hand-back (one connection: the server sees them first)."""
        last = events.take()
        if self._events.empty():
            # the publisher takes an item and hands it to the connection in one step, so
            # an empty queue means every earlier batch is there: no hop through it needed
            if last is not None:
                with contextlib.suppress(Exception):  # as the publisher: never the result
                    await self._nc.publish(last[0], last[1], headers=last[2])
            return
        if last is not None:
            self._events.put_nowait(last)
        marker: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._events.put_nowait(marker)
        await marker

    async def _handle(self, msg: Msg) -> None:
        from nats.errors import Error as NatsError

        attempt = int(msg.metadata.num_delivered or 1)
        try:
            job = orjson.loads(msg.data)
            run_id = str(job["run_id"])
            job["plan"]["tasks"]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            self.stats.rejected += 1
            await msg.term()  # malformed: redelivery cannot help
            return
        runstate = RunState(
            self._js,
            self._leases,
            self._state,
            run_id,
            self.config.inline_result_bytes,
            lease_ttl=self._lease_ttl,
            acked=self._acked,
        )
        try:
            await self._handle_run(msg, job, runstate, attempt)
        except LeaseLost:
            self.stats.refused += 1  # another worker owns the run now; it will ack
        except (TimeoutError, NatsError, OSError):
            # the server went away mid-job; completed tasks are in KV, so redelivery resumes
            with contextlib.suppress(NatsError, OSError, asyncio.TimeoutError):
                await msg.nak(delay=1.0)
        finally:
            self._hooks.pop(run_id, None)

    async def _handle_run(
        self, msg: Msg, job: dict[str, Any], runstate: RunState, attempt: int
    ) -> None:
        # a first delivery cannot find its run committed (a re-submission past the duplicate
        # window that does is caught by the commit's create() below); saves a round trip
        done = await runstate.committed() if attempt > 1 else None
        if done is not None:  # its marker is its published result already (ALTLAS_RESULTS)
            await msg.ack_sync()
            self.stats.republished += 1
            return
        if not await runstate.acquire(self.name, attempt):
            await msg.nak(delay=self.config.heartbeat)
            return
        completed = await runstate.completed_tasks() if attempt > 1 else []
        result = await self._run(msg, job, runstate, attempt, completed)
        if result is None:
            return
        if self.stopping and result.status.value == "cancelled":
            await runstate.save_progress()  # the next worker resumes from every completion
            await runstate.release()
            await msg.nak()
            self.stats.handed_back += 1
            return
        await runstate.settle()
        raw = await self._serialise(result, self.workspace_root / runstate.key)
        # the commit is the result's one write: ALTLAS_RESULTS sources the marker, so the
        # ack after it comes after the result is durable
        commit = await runstate.commit(self.name, attempt, raw, archive=wants_archive(job))
        if commit is None and await runstate.committed() is None:  # pragma: no cover
            raise LeaseLost(runstate.run_id)  # create refused but nothing there
        await msg.ack()
        # the lease is left to its TTL: the commit marker already turns any duplicate away
        self.stats.completed += 1

    async def _run(
        self,
        msg: Msg,
        job: Mapping[str, Any],
        runstate: RunState,
        attempt: int,
        completed: list[dict[str, Any]],
    ) -> Result | None:
        events = EventBatch(runstate.run_id, attempt, self.name, self._send_event)
        hooks = RunHooks(events, runstate)
        self._hooks[runstate.run_id] = hooks
        if self.stopping:
            hooks.cancel()  # fetched as SIGTERM came: hand it back without starting
        # the heartbeat starts when it is first due: most small runs end before that, and a
        # timer is cheaper than a task to create and cancel
        beats: list[asyncio.Task[None]] = []
        due = asyncio.get_running_loop().call_later(
            self.config.heartbeat,
            lambda: beats.append(
                asyncio.ensure_future(self._heartbeat(msg, runstate, hooks, attempt))
            ),
        )
        workspace = self.workspace_root / runstate.key
        failure: AltlasError | str | None = None
        try:
            result = await execute_job(
                job,
                workspace=workspace,
                settings=self.settings,
                completed=completed,
                hooks=hooks,
            )
            failure = hooks.transient_failure(result)
        except AltlasError as exc:
            failure = exc
        finally:
            due.cancel()
            for beat in beats:
                beat.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await beat
            await self._send_last_events(events)
        if failure is None:
            return result
        await self._failed(msg, runstate, attempt, failure)
        return None

    async def _failed(
        self, msg: Msg, runstate: RunState, attempt: int, failure: AltlasError | str
    ) -> None:
        """A run that did not end: a transient failure (a string is a task's) goes back to
        the queue until ``max_deliver``; any other cannot run anywhere, a dead letter now."""
        if isinstance(failure, AltlasError) and not retry_later(failure):
            await self._dead(msg, runstate.run_id, str(failure))
            await runstate.release()
            return
        reason = failure if isinstance(failure, str) else failure.one_line(locate=False)
        if attempt >= self.config.max_deliver:
            await self._dead(
                msg, runstate.run_id, f"still unavailable after {attempt} deliveries: {reason}"
            )
            await runstate.release()
            return
        await runstate.save_progress()  # the next delivery resumes from every completion
        await runstate.release()
        await msg.nak(delay=self.retry_delay(attempt))
        self.stats.retried += 1

    def retry_delay(self, attempt: int) -> float:
        """The consumer's own redelivery delay after delivery ``attempt``: its backoff entry
        (the last one repeats), else ack_wait, as if the job had timed out."""
        backoff = self.config.backoff_seconds
        if backoff:
            return backoff[min(attempt, len(backoff)) - 1]
        return self.config.ack_wait_seconds

    async def _heartbeat(self, msg: Msg, runstate: RunState, hooks: RunHooks, attempt: int) -> None:
        from nats.errors import Error as NatsError

        while True:  # started when the first beat is due
            try:
                await msg.in_progress()
                await runstate.renew(self.name, attempt)
                await runstate.save_progress()  # a long run keeps its pure completions too
                if await runstate.cancel_requested():
                    hooks.cancel()  # the run ends cancelled and its result is committed as such
            except LeaseLost:
                hooks.cancel()
                return
            except (TimeoutError, NatsError, OSError):
                pass  # the server is restarting; the lease TTL decides who owns the run
            await asyncio.sleep(self.config.heartbeat)

    async def _serialise(self, result: Result, workspace: Path) -> bytes:
        """The result's bytes; artifact files over the limit go to the object store first."""
        from altlas.formats.io import to_bytes

        limit = self.config.inline_result_bytes
        # a task's artifacts are in the result's list (a TaskResult has none of its own)
        every = result.artifacts
        root = workspace.resolve() if every else workspace  # resolve() is a syscall per part
        for artifact in every:
            path = (root / artifact.path).resolve()  # an absolute artifact path stays as it is
            # only files of the run's own workspace are shipped, whatever a handler reported
            if path.is_relative_to(root) and path.is_file() and path.stat().st_size > limit:
                artifact.metadata["object_store"] = await put_object(self._js, path.read_bytes())
        return to_bytes(result, pretty=False)

    async def _dead(self, msg: Msg, run_id: str, reason: str) -> None:
        headers = {
            "Nats-Msg-Id": f"dead:{run_id}",
            "Altlas-Run-Id": run_id,
            "Altlas-Reason": one_line(reason),
        }
        await publish_retrying(self._js, f"altlas.dead.{key_of(run_id)}", msg.data, headers)
        await msg.term()
        self.stats.rejected += 1
