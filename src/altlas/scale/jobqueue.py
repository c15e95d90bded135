"""``NatsJobQueue``: the server's :class:`~altlas.events.queue.JobQueue` on JetStream.

``altlas serve --nats URL`` uses it. A ``run`` job is published to ``ALTLAS_RUNS`` in the
message format ``altlas submit`` uses, so any ``altlas worker`` runs it; its record goes to
the ``ALTLAS_JOBS`` KV bucket so that every server instance sees it, and its state, events
and result are read from what the workers record (:mod:`altlas.scale.jobviews`). Other job
kinds (``do``) stay on the server's embedded queue (``local``): they act on the server's
own workspaces.

The server calls the protocol synchronously; the NATS client lives on an asyncio loop in a
thread of its own, started by :meth:`start` and ended by :meth:`stop`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Coroutine, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from altlas.config import Settings
from altlas.errors import AltlasError, InvalidInputError, UnavailableError
from altlas.events.bus import EventBus
from altlas.events.queue import (
    Executor,
    Job,
    JobEvent,
    JobNotFoundError,
    JobQueue,
    JobState,
    JobStateError,
)
from altlas.scale.config import NatsConfig
from altlas.scale.jobstore import CANCEL_SUBJECT, JobStore
from altlas.storage.sqlite import now_iso

if TYPE_CHECKING:
    from altlas.scale.worker import Worker
    from altlas.server.config import ServerConfig

__all__ = ["CANCEL_SUBJECT", "RUN_KIND", "NatsJobQueue", "for_server", "probe"]

RUN_KIND = "run"

log = logging.getLogger("altlas.scale.jobqueue")
T = TypeVar("T")


class _LoopThread:
    """An asyncio loop on a daemon thread; coroutines are submitted from any thread."""

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_forever()
        finally:
            # the client's own tasks (flow control, heartbeats) end here, not destroyed pending
            pending = asyncio.all_tasks(self.loop)
            for task in pending:
                task.cancel()
            self.loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.close()

    def start(self) -> None:
        self.thread.start()

    def call(self, coro: Coroutine[Any, Any, T], timeout: float) -> T:
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise UnavailableError(f"NATS did not answer within {timeout:g} s") from None

    def stop(self, timeout: float) -> None:
        if self.thread.is_alive():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self.thread.is_alive()


class NatsJobQueue:
    """Runs through JetStream; other kinds through ``local`` (the embedded queue)."""

    blocking_io = True
    """Every read waits on a NATS round trip: the server calls it from a worker thread."""

    def __init__(
        self,
        settings: Settings,
        config: NatsConfig,
        bus: EventBus,
        *,
        local: JobQueue | None = None,
        workers: int = 0,
        timeout: float = 15.0,
    ) -> None:
        self.settings = settings
        self.config = config
        self.bus = bus
        self.local = local
        self.workers = workers
        self.timeout = timeout
        self._thread: _LoopThread | None = None
        self._worker_thread: _LoopThread | None = None
        self._store: JobStore | None = None
        self._worker: Worker | None = None
        self._worker_task: asyncio.Task[Any] | None = None
        self._worker_stop: asyncio.Event | None = None

    # -- lifecycle ---------------------------------------------------------------------

    def register(self, kind: str, executor: Executor) -> None:
        # a run is executed by `altlas worker` processes (or the in-process worker), never
        # by the executor the embedded server would use
        if kind != RUN_KIND and self.local is not None:
            self.local.register(kind, executor)

    def start(self) -> None:
        if self._thread is not None:
            return
        if self.local is not None:
            self.local.start()
        thread = _LoopThread("altlas-nats")
        thread.start()
        self._thread = thread
        try:
            self._store = thread.call(
                JobStore.open(self.config, self.bus), self.config.connect_timeout_seconds + 30
            )
            if self.workers:
                # a loop of its own: the worker's runs share its loop, and a CPU-bound handler
                # must not hold up the server's calls to NATS
                self._worker_thread = _LoopThread("altlas-nats-worker")
                self._worker_thread.start()
                self._worker_thread.call(self._start_worker(), self.timeout)
        except BaseException:
            self.stop(1.0)
            raise

    async def _start_worker(self) -> None:
        from altlas.scale.worker import Worker

        self._worker = Worker(self.config, self.settings, concurrency=self.workers)
        self._worker_stop = asyncio.Event()
        self._worker_task = asyncio.create_task(self._worker.serve(self._worker_stop))

    async def _stop_worker(self, timeout: float) -> None:
        if self._worker_stop is not None and self._worker_task is not None:
            self._worker_stop.set()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._worker_task, timeout)

    async def _close(self) -> None:
        if self._store is not None:
            await self._store.close()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the in-process worker (its runs handed back) and close the connection."""
        worker, self._worker_thread = self._worker_thread, None
        if worker is not None:
            with contextlib.suppress(Exception):
                worker.call(self._stop_worker(timeout), timeout + 5)
            worker.stop(5.0)
        thread, self._thread = self._thread, None
        if thread is not None:
            with contextlib.suppress(Exception):
                thread.call(self._close(), 10.0)
            thread.stop(5.0)
        self._store = None
        if self.local is not None:
            self.local.stop(timeout)

    def close(self) -> None:
        self.stop(timeout=0 if self._thread is None else 10.0)
        close = getattr(self.local, "close", None)
        if callable(close):
            close()

    def healthy(self) -> bool:
        thread, store = self._thread, self._store
        if thread is None or store is None or not thread.alive or not store.connected:
            return False
        return self.local is None or self.local.healthy()

    # -- the protocol ------------------------------------------------------------------

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        thread, store = self._thread, self._store
        if thread is None or store is None:
            coro.close()
            raise UnavailableError("the NATS job queue is not started")
        if not store.connected:
            # a request answers 503 at once rather than waiting out the reconnect
            coro.close()
            raise UnavailableError(f"NATS at {self.config.url} is not connected; retry later")
        try:
            return thread.call(coro, self.timeout)
        except (AltlasError, LookupError, ValueError):
            raise
        except Exception as exc:
            if not type(exc).__module__.startswith("nats"):
                raise
            # the client's errors (timeouts, no responders, a server going away) are transient
            what = str(exc) or type(exc).__name__
            raise UnavailableError(f"NATS at {self.config.url}: {what}; retry later") from None

    def _on_local(self, kind: str) -> JobQueue:
        if self.local is None:
            raise InvalidInputError(f"no executor registered for job kind {kind!r}")
        return self.local

    def _local_for(self, job_id: str) -> JobQueue:
        """The embedded queue, for a job NATS does not have (or: no such job)."""
        if self.local is None:
            raise JobNotFoundError(f"no run or job with id {job_id}")
        return self.local

    def enqueue(
        self,
        kind: str,
        payload: Mapping[str, Any],
        *,
        job_id: str | None = None,
        owner: str | None = None,
        share: Sequence[str] = (),
    ) -> Job:
        if kind != RUN_KIND:
            return self._on_local(kind).enqueue(
                kind, payload, job_id=job_id, owner=owner, share=share
            )
        if payload.get("workspace"):
            raise InvalidInputError(
                "workspace: runs in a server workspace need the embedded queue "
                "(a worker on another machine cannot reach it); submit without one"
            )
        from altlas.formats.common import new_id

        job_id = job_id or new_id("run")
        store = self._store
        return self._run(self._need(store).enqueue(job_id, kind, payload, owner, share, now_iso()))

    @staticmethod
    def _need(store: JobStore | None) -> JobStore:
        if store is None:  # pragma: no cover - _run refuses first
            raise UnavailableError("the NATS job queue is not started")
        return store

    def _find(self, job_id: str) -> Job | None:
        return self._run(self._need(self._store).get(job_id))

    def get(self, job_id: str) -> Job:
        job = self._find(job_id)
        if job is not None:
            return job
        if self.local is not None:
            return self.local.get(job_id)
        raise JobNotFoundError(f"no run or job with id {job_id}")

    def cancel(self, job_id: str) -> Job:
        """A queued run is taken off the queue; a running one is told to stop (KV flag for
        its next heartbeat, and ``altlas.cancel.<key>`` for at once). Ended runs refuse."""
        job = self._find(job_id)
        if job is None:
            return self._local_for(job_id).cancel(job_id)
        if job.state.terminal:
            raise JobStateError(f"{job_id} has already ended ({job.state.value})")
        self._run(self._need(self._store).cancel(job, now_iso()))
        return self.get(job_id)

    def _is_run(self, job_id: str) -> bool:
        """Whether NATS has the job (the mirror knows it, or KV does); else it is local."""
        return self._need(self._store).knows(job_id) or self._find(job_id) is not None

    def events(self, job_id: str, after: int = 0, limit: int = 1000) -> list[JobEvent]:
        if not self._is_run(job_id):
            return self._local_for(job_id).events(job_id, after, limit)
        return self._run(self._need(self._store).events(job_id, after, limit))

    def event_counts(self, job_id: str) -> tuple[dict[str, int], str | None]:
        if not self._is_run(job_id):
            return self._local_for(job_id).event_counts(job_id)
        events = self._run(self._need(self._store).log.refresh(job_id))
        counts: dict[str, int] = {}
        for event in events:
            counts[event.type] = counts.get(event.type, 0) + 1
        return counts, max((e.time for e in events if e.time), default=None)

    def result(self, job_id: str) -> bytes | None:
        if not self._is_run(job_id):
            return self._local_for(job_id).result(job_id)
        return self._run(self._need(self._store).result(job_id))

    def list_jobs(
        self,
        *,
        state: JobState | None = None,
        limit: int = 100,
        kind: str | None = None,
        audience: Sequence[str] | None = None,
    ) -> list[Job]:
        """Newest first, from this instance's mirror of ``ALTLAS_JOBS`` (kept by a KV
        watch), merged with the embedded queue's jobs of other kinds."""
        found: list[Job] = []
        if kind in (None, RUN_KIND):
            found = self._run(self._need(self._store).list_jobs(state, kind, audience))
        if self.local is not None and kind != RUN_KIND:
            found += self.local.list_jobs(state=state, limit=limit, kind=kind, audience=audience)
        found.sort(key=lambda j: j.created_at, reverse=True)
        return found[:limit]

    def done_needing(self, kind: str, wanted: str, done: str) -> list[str]:
        # `altlas archive follow` archives the runs; nothing for the server to catch up on
        if kind == RUN_KIND or self.local is None:
            return []
        return self.local.done_needing(kind, wanted, done)

    def merge_outcome(self, job_id: str, facts: Mapping[str, Any]) -> None:
        store = self._need(self._store)
        if not self._run(store.merge(job_id, dict(facts), now_iso())):
            self._local_for(job_id).merge_outcome(job_id, facts)


def for_server(
    settings: Settings, config: ServerConfig, bus: EventBus, *, local: JobQueue | None
) -> NatsJobQueue:
    """The queue of ``altlas serve --nats URL``: ``[nats]`` settings with the server's URL."""
    from altlas.scale.config import nats_config

    nats = nats_config(settings, url=config.nats)
    return NatsJobQueue(settings, nats, bus, local=local, workers=config.nats_workers)


async def probe(config: NatsConfig) -> None:
    """Connect once and close: a bad URL or credentials fail here, in one line."""
    from altlas.scale.config import close_quietly, connect

    await close_quietly(await connect(config, name="altlas-serve-probe"))
