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

from altlas.errors import AltlasError
from altlas.events._jobrows import CLAIM_JOB, GET_JOB, LIST_JOBS, MIGRATIONS
from altlas.events._jobrows import job_from_row as _job
from altlas.events._sqlite import connect, now_iso
from altlas.events.bus import EventBus
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
        self._conn = connect(path, MIGRATIONS)
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
            # Jobs still running are released at once rather than waiting for the lease to
            # lapse; the next start (here or elsewhere) resumes them.
            self._conn.execute(
                "UPDATE jobs SET state = 'queued', worker = NULL, lease_until = NULL, "
                "updated_at = ? WHERE worker = ? AND state = 'running'",
                (now_iso(), self.worker_id),
            )

    def close(self) -> None:
        self.stop(timeout=0 if not self._threads else 10.0)
        with self._lock:
            if not self._closed:
                self._closed = True
                self._conn.close()

    def healthy(self) -> bool:
        if self._closed:
            return False
        alive = all(t.is_alive() for t in self._threads)
        try:
            with self._lock:
                self._conn.execute("SELECT 1").fetchone()
        except sqlite3.Error:
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
            raise AltlasError(f"no executor registered for job kind {kind!r}")
        job_id = job_id or f"job_{uuid.uuid4().hex}"
        stamp = now_iso()
        with self._lock:
            try:
                self._conn.execute(
                    "INSERT INTO jobs (id, kind, payload, state, owner, share, created_at, "
                    "updated_at) VALUES (?, ?, ?, 'queued', ?, ?, ?, ?)",
                    (
                        job_id,
                        kind,
                        orjson.dumps(dict(payload)),
                        owner,
                        orjson.dumps(list(share)).decode(),
                        stamp,
                        stamp,
                    ),
                )
            except sqlite3.IntegrityError:
                raise JobStateError(f"a job with id {job_id} already exists") from None
            self._record(job_id, "job.queued", {"kind": kind})
        with self._wake:
            self._work_signalled = True
            self._wake.notify()
        return self.get(job_id)

    def get(self, job_id: str) -> Job:
        with self._lock:
            row = self._conn.execute(GET_JOB, (job_id,)).fetchone()
        if row is None:
            raise JobNotFoundError(f"no run or job with id {job_id}")
        return _job(row)

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
        params = {
            "state": state.value if state is not None else None,
            "kind": kind,
            "audience": orjson.dumps(list(audience)).decode() if audience is not None else None,
            "limit": limit,
        }
        with self._lock:
            rows = self._conn.execute(LIST_JOBS, params).fetchall()
        return [_job(r) for r in rows]

    def events(self, job_id: str, after: int = 0, limit: int = 1000) -> list[JobEvent]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT seq, type, time, data FROM job_events WHERE job_id = ? AND seq > ? "
                "ORDER BY seq LIMIT ?",
                (job_id, after, limit),
            ).fetchall()
        return [JobEvent(job_id, r[0], r[1], r[2], orjson.loads(r[3])) for r in rows]

    def event_counts(self, job_id: str) -> tuple[dict[str, int], str | None]:
        """How many events of each type the job has recorded, and when the last one was."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT type, count(*), max(time) FROM job_events WHERE job_id = ? GROUP BY type",
                (job_id,),
            ).fetchall()
        latest = max((r[2] for r in rows), default=None)
        return {r[0]: r[1] for r in rows}, latest

    def result(self, job_id: str) -> bytes | None:
        with self._lock:
            row = self._conn.execute("SELECT result FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise JobNotFoundError(f"no run or job with id {job_id}")
        return bytes(row[0]) if row[0] is not None else None

    def done_needing(self, kind: str, wanted: str, done: str) -> list[str]:
        """Ids of done ``kind`` jobs whose outcome sets ``wanted`` but not ``done``
        (follow-up work a crash may have cut off), oldest first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, outcome FROM jobs WHERE kind = ? AND state = 'done' "
                "AND outcome IS NOT NULL ORDER BY rowid",
                (kind,),
            ).fetchall()
        found = []
        for job_id, outcome in rows:
            facts = orjson.loads(outcome)
            if isinstance(facts, dict) and facts.get(wanted) and facts.get(done) is None:
                found.append(str(job_id))
        return found

    def merge_outcome(self, job_id: str, facts: Mapping[str, Any]) -> None:
        """Add ``facts`` to a job's recorded outcome."""
        with self._lock:
            row = self._conn.execute("SELECT outcome FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if row is None:
                raise JobNotFoundError(f"no run or job with id {job_id}")
            merged = {**(orjson.loads(row[0]) if row[0] is not None else {}), **facts}
            self._conn.execute(
                "UPDATE jobs SET outcome = ?, updated_at = ? WHERE id = ?",
                (orjson.dumps(merged, default=str), now_iso(), job_id),
            )

    def cancel(self, job_id: str) -> Job:
        """Cancel a queued job at once; ask a running one to stop. Ended jobs refuse."""
        stamp = now_iso()
        with self._lock:
            job = self.get(job_id)
            if job.state.terminal:
                raise JobStateError(f"{job_id} has already ended ({job.state.value})")
            if job.state is JobState.QUEUED:
                cur = self._conn.execute(
                    "UPDATE jobs SET state = 'cancelled', cancel_requested = 1, finished_at = ?, "
                    "updated_at = ? WHERE id = ? AND state = 'queued'",
                    (stamp, stamp, job_id),
                )
                if cur.rowcount:
                    self._record(job_id, "job.finished", {"kind": job.kind, "state": "cancelled"})
                    return self.get(job_id)
            self._conn.execute(
                "UPDATE jobs SET cancel_requested = 1, updated_at = ? WHERE id = ?",
                (stamp, job_id),
            )
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
        with self._lock:
            row = self._conn.execute(
                "INSERT INTO job_events (job_id, seq, type, time, data) VALUES "
                "(?, (SELECT coalesce(max(seq), 0) + 1 FROM job_events WHERE job_id = ?), "
                "?, ?, ?) RETURNING seq",
                (job_id, job_id, type_, stamp, orjson.dumps(body, default=str)),
            ).fetchone()
        self.bus.publish(type_, {"job_id": job_id, "seq": row[0], **body}, payload=payload)

    def _claim(self) -> Job | None:
        now = time.time()
        stamp = now_iso()
        with self._lock:
            # Jobs whose workers died too often are given up rather than retried forever.
            abandoned = self._conn.execute(
                "UPDATE jobs SET state = 'failed', finished_at = ?, updated_at = ?, "
                "error = 'abandoned: its worker stopped ' || attempts || ' times' "
                "WHERE state = 'running' AND lease_until < ? AND attempts >= ? RETURNING id",
                (stamp, stamp, now, self.max_attempts),
            ).fetchall()
            for (job_id,) in abandoned:
                self._record(job_id, "job.finished", {"state": "failed"})
            row = self._conn.execute(
                CLAIM_JOB,
                (
                    self.worker_id,
                    now + self.lease_seconds,
                    stamp,
                    stamp,
                    orjson.dumps(sorted(self._executors)).decode(),
                    now,
                ),
            ).fetchone()
        return _job(row) if row is not None else None

    def _work(self) -> None:
        while not self._stop.is_set():
            try:
                job = self._claim()
            except sqlite3.Error:
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
            self._execute(job)

    def _execute(self, job: Job) -> None:
        ctx = JobContext(
            job=job,
            cancelled=threading.Event(),
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
            cur = self._conn.execute(
                "UPDATE jobs SET state = ?, finished_at = ?, updated_at = ?, error = ?, "
                "outcome = ?, result = ?, lease_until = NULL "
                "WHERE id = ? AND worker = ? AND state = 'running'",
                (
                    state.value,
                    stamp,
                    stamp,
                    error,
                    orjson.dumps(data, default=str),
                    outcome.result if outcome else None,
                    job.id,
                    self.worker_id,
                ),
            )
            if not cur.rowcount:
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
                    self._conn.execute(
                        "UPDATE jobs SET lease_until = ? WHERE worker = ? AND state = 'running'",
                        (time.time() + self.lease_seconds, self.worker_id),
                    )
                    wanted = self._conn.execute(
                        "SELECT id FROM jobs WHERE worker = ? AND state = 'running' "
                        "AND cancel_requested = 1",
                        (self.worker_id,),
                    ).fetchall()
                    contexts = [self._running.get(job_id) for (job_id,) in wanted]
            except sqlite3.Error:
                log.exception("cannot renew job leases")
                continue
            # A cancel written by another process reaches the running job here.
            for ctx in contexts:
                if ctx is not None:
                    ctx.cancelled.set()
