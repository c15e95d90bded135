"""The embedded job queue: SQLite-backed, executed by a pool of worker threads in this process.

Jobs survive a restart: a queued job is just a row, and a running job holds a *lease* its
worker renews every few seconds. When a process dies its leases run out and any worker, in
this or another process sharing ``ALTLAS_HOME``, claims the job again (up to
``max_attempts``). Claiming is one ``UPDATE ... RETURNING`` statement, so two workers never
take the same job.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from altlas.errors import AltlasError, InvalidInputError
from altlas.events.bus import EventBus
from altlas.events.jobstore import JobStore, open_job_store
from altlas.events.queue import (
    Executor,
    Job,
    JobContext,
    JobEvent,
    JobNotFoundError,
    JobOutcome,
    JobState,
    JobStateError,
)
from altlas.run.cancel import CancelToken
from altlas.storage.sqlite import now_iso

__all__ = ["SqliteJobQueue"]

log = logging.getLogger("altlas.events.queue")


def _describe(exc: BaseException) -> str:
    if isinstance(exc, AltlasError):
        return exc.one_line()
    return f"{type(exc).__name__}: {exc}"


class SqliteJobQueue:
    """:class:`~altlas.events.queue.JobQueue` over ``path`` with ``workers`` threads."""

    def __init__(
        self,
        path: Path,
        bus: EventBus | None = None,
        *,
        workers: int = 2,
        lease_seconds: float = 30.0,
        max_attempts: int = 3,
        poll_seconds: float = 1.0,
    ) -> None:
        self.path = path
        self.bus = bus or EventBus()
        self.workers = workers
        self.lease_seconds = lease_seconds
        self.max_attempts = max_attempts
        self.poll_seconds = poll_seconds
        self.worker_id = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.store: JobStore = open_job_store(path)
        self._lock = threading.RLock()
        self._wake = threading.Condition()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._executors: dict[str, Executor] = {}
        self._running: dict[str, JobContext] = {}
        self._closed = False
        self._work_signalled = False

    # -- lifecycle ---------------------------------------------------------------------

    def register(self, kind: str, executor: Executor) -> None:
        self._executors[kind] = executor

    def start(self) -> None:
        if self._threads:
            return
        self._stop.clear()
        for n in range(self.workers):
            thread = threading.Thread(target=self._work, name=f"altlas-worker-{n}", daemon=True)
            thread.start()
            self._threads.append(thread)
        beat = threading.Thread(target=self._heartbeat, name="altlas-lease", daemon=True)
        beat.start()
        self._threads.append(beat)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop taking jobs; wait up to ``timeout`` for running ones, then hand them back."""
        self._stop.set()
        with self._wake:
            self._wake.notify_all()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._threads = []
        with self._lock:
            if self._closed:
                return
            self.store.release(self.worker_id, now_iso())

    def close(self) -> None:
        self.stop(timeout=0 if not self._threads else 10.0)
        with self._lock:
            if not self._closed:
                self._closed = True
                self.store.close()

    def healthy(self) -> bool:
        if self._closed:
            return False
        alive = all(t.is_alive() for t in self._threads)
        try:
            self.store.ping()
        except (AltlasError, sqlite3.Error):
            return False
        return alive

    # -- submitting and observing ------------------------------------------------------

    def enqueue(
        self,
        kind: str,
        payload: Mapping[str, Any],
        *,
        job_id: str | None = None,
        owner: str | None = None,
        share: Sequence[str] = (),
    ) -> Job:
        if kind not in self._executors:
            raise InvalidInputError(f"no executor registered for job kind {kind!r}")
        job_id = job_id or f"job_{uuid.uuid4().hex}"
        stamp = now_iso()
        with self._lock:
            self.store.insert(
                job_id,
                kind,
                orjson.dumps(dict(payload)),
                owner,
                orjson.dumps(list(share)).decode(),
                stamp,
            )
            self._record(job_id, "job.queued", {"kind": kind})
        with self._wake:
            self._work_signalled = True
            self._wake.notify()
        return self.get(job_id)

    def get(self, job_id: str) -> Job:
        job = self.store.get(job_id)
        if job is None:
            raise JobNotFoundError(f"no run or job with id {job_id}")
        return job

    def list_jobs(
        self,
        *,
        state: JobState | None = None,
        limit: int = 100,
        kind: str | None = None,
        audience: Sequence[str] | None = None,
    ) -> list[Job]:
        """Newest first. ``audience`` (None: everything) keeps the jobs owned by, or shared
        with, one of its names; the filter is in the query, so ``limit`` counts visible jobs."""
        return self.store.list_jobs(
            state=state.value if state is not None else None,
            kind=kind,
            audience=orjson.dumps(list(audience)).decode() if audience is not None else None,
            limit=limit,
        )

    def events(self, job_id: str, after: int = 0, limit: int = 1000) -> list[JobEvent]:
        return self.store.events(job_id, after, limit)

    def event_counts(self, job_id: str) -> tuple[dict[str, int], str | None]:
        """How many events of each type the job has recorded, and when the last one was."""
        rows = self.store.event_counts(job_id)
        latest = max((r[2] for r in rows), default=None)
        return {r[0]: r[1] for r in rows}, latest

    def result(self, job_id: str) -> bytes | None:
        return self.store.result(job_id)

    def done_needing(self, kind: str, wanted: str, done: str) -> list[str]:
        """Ids of done ``kind`` jobs whose outcome sets ``wanted`` but not ``done``
        (follow-up work a crash may have cut off), oldest first."""
        found = []
        for job_id, outcome in self.store.done_outcomes(kind):
            facts = orjson.loads(outcome)
            if isinstance(facts, dict) and facts.get(wanted) and facts.get(done) is None:
                found.append(job_id)
        return found

    def merge_outcome(self, job_id: str, facts: Mapping[str, Any]) -> None:
        """Add ``facts`` to a job's recorded outcome."""
        with self._lock:
            recorded = self.store.outcome(job_id)
            merged = {**(orjson.loads(recorded) if recorded is not None else {}), **facts}
            self.store.set_outcome(job_id, orjson.dumps(merged, default=str), now_iso())

    def cancel(self, job_id: str) -> Job:
        """Cancel a queued job at once; ask a running one to stop. Ended jobs refuse."""
        stamp = now_iso()
        with self._lock:
            job = self.get(job_id)
            if job.state.terminal:
                raise JobStateError(f"{job_id} has already ended ({job.state.value})")
            if job.state is JobState.QUEUED and self.store.cancel_queued(job_id, stamp):
                self._record(job_id, "job.finished", {"kind": job.kind, "state": "cancelled"})
                return self.get(job_id)
            self.store.request_cancel(job_id, stamp)
            ctx = self._running.get(job_id)
        if ctx is not None:
            ctx.cancelled.set()
        return self.get(job_id)

    # -- internals ---------------------------------------------------------------------

    def _record(
        self,
        job_id: str,
        type_: str,
        data: Mapping[str, Any],
        payload: Any = None,
    ) -> None:
        """Append to the job's event log, then publish (the log is what SSE replays)."""
        stamp = now_iso()
        body = dict(data)
        seq = self.store.append_event(job_id, type_, stamp, orjson.dumps(body, default=str))
        self.bus.publish(type_, {"job_id": job_id, "seq": seq, **body}, payload=payload)

    def _claim(self) -> Job | None:
        now = time.time()
        stamp = now_iso()
        with self._lock:
            for job_id in self.store.fail_abandoned(stamp, now, self.max_attempts):
                self._record(job_id, "job.finished", {"state": "failed"})
            return self.store.claim(
                self.worker_id,
                now + self.lease_seconds,
                stamp,
                orjson.dumps(sorted(self._executors)).decode(),
                now,
            )

    def _work(self) -> None:
        while not self._stop.is_set():
            try:
                job = self._claim()
            except (AltlasError, sqlite3.Error):
                log.exception("cannot claim a job")
                job = None
            if job is None:
                with self._wake:
                    # The flags are read under the condition's lock, so a notify sent between
                    # the claim above and this wait is not lost.
                    if not self._stop.is_set() and not self._work_signalled:
                        self._wake.wait(self.poll_seconds)
                    self._work_signalled = False
                continue
            try:
                self._execute(job)
            except (AltlasError, sqlite3.Error):
                # The end could not be recorded (the store closed under a stopping queue, or
                # it is damaged): the job stays claimed and start-up reconciles it; the worker
                # thread itself must live on.
                log.exception("cannot record the end of job %s", job.id)

    def _execute(self, job: Job) -> None:
        ctx = JobContext(
            job=job,
            cancelled=CancelToken(),  # wakes the run at once, no polling
            emit=lambda type_, data: self._record(job.id, type_, data),
        )
        if job.cancel_requested:
            ctx.cancelled.set()
        with self._lock:
            self._running[job.id] = ctx
        self._record(job.id, "job.started", {"kind": job.kind, "attempt": job.attempts})
        outcome: JobOutcome | None = None
        error: str | None = None
        try:
            outcome = self._executors[job.kind](ctx)
        except Exception as exc:
            log.warning("job %s failed: %s", job.id, _describe(exc))
            error = _describe(exc)
        finally:
            with self._lock:
                self._running.pop(job.id, None)
        if error is not None:
            state = JobState.FAILED
        elif ctx.cancelled.is_set():
            state = JobState.CANCELLED
        else:
            state = JobState.DONE
        self._finish(job, state, outcome, error)

    def _finish(
        self,
        job: Job,
        state: JobState,
        outcome: JobOutcome | None,
        error: str | None,
    ) -> None:
        stamp = now_iso()
        data = outcome.data if outcome else {}
        with self._lock:
            finished_here = self.store.finish(
                job.id,
                self.worker_id,
                state=state.value,
                stamp=stamp,
                error=error,
                outcome=orjson.dumps(data, default=str),
                result=outcome.result if outcome else None,
            )
            if not finished_here:
                # Released at shutdown or reclaimed after a lapsed lease: another worker owns
                # the job now and will report it.
                return
        finished = {"kind": job.kind, "state": state.value, "error": error, **data}
        self._record(job.id, "job.finished", finished, outcome.payload if outcome else None)

    def _heartbeat(self) -> None:
        interval = max(0.05, self.lease_seconds / 3)
        while not self._stop.wait(interval):
            try:
                with self._lock:
                    wanted = self.store.renew_leases(
                        self.worker_id, time.time() + self.lease_seconds
                    )
                    contexts = [self._running.get(job_id) for job_id in wanted]
            except (AltlasError, sqlite3.Error):
                log.exception("cannot renew job leases")
                continue
            # A cancel written by another process reaches the running job here.
            for ctx in contexts:
                if ctx is not None:
                    ctx.cancelled.set()
