"""The embedded job queue's repository: every SQL statement on ``queue.db``, behind a Protocol.

A failing statement raises the storage layer's one-line errors (``CorruptError`` for a damaged
file, ``UnavailableError`` for busy, full or read-only), never a bare ``sqlite3.Error``.

:class:`~altlas.events.embedded.SqliteJobQueue` (worker threads, leases, events) talks to a
:class:`JobStore`; :class:`SqliteJobStore` is the one implementation, and a Postgres one
would sit behind the same Protocol. Callers get it from :func:`open_job_store`.

The schema is a sqlite-utils ``Migrations`` set applied by :func:`altlas.storage.migrations.apply`;
a ``queue.db`` made by the old hand-written runner (``PRAGMA user_version`` 1 or 2) is
adopted in place. Statements are whole literals with parameters (see ``_jobrows``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from sqlite_utils.migrations import Migrations

from altlas.events import _jobrows as q
from altlas.events.queue import Job, JobEvent, JobNotFoundError, JobStateError

__all__ = ["LEGACY_STEPS", "MIGRATIONS", "JobStore", "SqliteJobStore", "open_job_store"]

MIGRATIONS = Migrations("altlas.jobs")
_WHAT = "the job queue"


@MIGRATIONS(name="m001_jobs")
def _m001_jobs(db: Any) -> None:
    for statement in q.SCHEMA_V1:
        db.execute(statement)


@MIGRATIONS(name="m002_job_share")
def _m002_job_share(db: Any) -> None:
    db.execute(q.SCHEMA_V2)


LEGACY_STEPS = ("m001_jobs", "m002_job_share")
"""What ``PRAGMA user_version`` 1 and 2 meant under the old runner (once events/_sqlite.py)."""


class JobStore(Protocol):
    """What the queue needs from its database; times are RFC 3339 text, leases epoch seconds."""

    path: Path

    def insert(
        self, job_id: str, kind: str, payload: bytes, owner: str | None, share: str, stamp: str
    ) -> None: ...
    def get(self, job_id: str) -> Job | None: ...
    def list_jobs(
        self, *, state: str | None, kind: str | None, audience: str | None, limit: int
    ) -> list[Job]: ...
    def events(self, job_id: str, after: int, limit: int) -> list[JobEvent]: ...
    def event_counts(self, job_id: str) -> list[tuple[str, int, str]]: ...
    def append_event(self, job_id: str, type_: str, stamp: str, data: bytes) -> int: ...
    def result(self, job_id: str) -> bytes | None: ...
    def done_outcomes(self, kind: str) -> list[tuple[str, bytes]]: ...
    def outcome(self, job_id: str) -> bytes | None: ...
    def set_outcome(self, job_id: str, outcome: bytes, stamp: str) -> None: ...
    def cancel_queued(self, job_id: str, stamp: str) -> bool: ...
    def request_cancel(self, job_id: str, stamp: str) -> None: ...
    def fail_abandoned(self, stamp: str, now: float, max_attempts: int) -> list[str]: ...
    def claim(
        self, worker: str, lease_until: float, stamp: str, kinds: str, now: float
    ) -> Job | None: ...
    def finish(
        self,
        job_id: str,
        worker: str,
        *,
        state: str,
        stamp: str,
        error: str | None,
        outcome: bytes,
        result: bytes | None,
    ) -> bool: ...
    def renew_leases(self, worker: str, until: float) -> list[str]: ...
    def release(self, worker: str, stamp: str) -> None: ...
    def ping(self) -> None: ...
    def close(self) -> None: ...


def open_job_store(path: Path) -> JobStore:
    """The job queue's repository at ``path``, created and migrated as needed."""
    return SqliteJobStore(path)


class SqliteJobStore:
    """``queue.db`` in WAL mode, autocommit; shared by the queue's threads.

    Reads have a connection and a lock of their own: a write may wait up to the busy timeout
    for another process (another server worker), and the server reads a job's status on its
    event loop, which must not queue behind that write (WAL lets it read meanwhile).
    """

    def __init__(self, path: Path) -> None:
        from altlas.storage.pair import ConnectionPair

        self.path = Path(path)
        self._pair = ConnectionPair(
            self.path, what=_WHAT, migrations=MIGRATIONS, adopt_user_version=LEGACY_STEPS
        )

    def _read(self, sql: str, params: Sequence[Any] | dict[str, Any]) -> list[Any]:
        with self._pair.reading() as conn:
            return conn.execute(sql, params).fetchall()

    def _read_one(self, sql: str, params: Sequence[Any] | dict[str, Any]) -> Any:
        rows = self._read(sql, params)
        return rows[0] if rows else None

    def _one(self, sql: str, params: Sequence[Any] | dict[str, Any]) -> Any:
        with self._pair.writing() as conn:
            return conn.execute(sql, params).fetchone()

    def _all(self, sql: str, params: Sequence[Any] | dict[str, Any]) -> list[Any]:
        with self._pair.writing() as conn:
            return conn.execute(sql, params).fetchall()

    def _run(self, sql: str, params: Sequence[Any]) -> int:
        with self._pair.writing() as conn:
            return conn.execute(sql, params).rowcount

    def insert(
        self, job_id: str, kind: str, payload: bytes, owner: str | None, share: str, stamp: str
    ) -> None:
        with self._pair.writing() as conn:
            try:
                conn.execute(q.INSERT_JOB, (job_id, kind, payload, owner, share, stamp, stamp))
            except sqlite3.IntegrityError:
                raise JobStateError(f"a job with id {job_id} already exists") from None

    def get(self, job_id: str) -> Job | None:
        row = self._read_one(q.GET_JOB, (job_id,))
        return None if row is None else q.job_from_row(row)

    def list_jobs(
        self, *, state: str | None, kind: str | None, audience: str | None, limit: int
    ) -> list[Job]:
        params = {"state": state, "kind": kind, "audience": audience, "limit": limit}
        return [q.job_from_row(r) for r in self._read(q.LIST_JOBS, params)]

    def events(self, job_id: str, after: int, limit: int) -> list[JobEvent]:
        import orjson

        rows = self._read(q.JOB_EVENTS, (job_id, after, limit))
        return [JobEvent(job_id, r[0], r[1], r[2], orjson.loads(r[3])) for r in rows]

    def event_counts(self, job_id: str) -> list[tuple[str, int, str]]:
        return [(str(r[0]), int(r[1]), str(r[2])) for r in self._read(q.EVENT_COUNTS, (job_id,))]

    def append_event(self, job_id: str, type_: str, stamp: str, data: bytes) -> int:
        return int(self._one(q.APPEND_EVENT, (job_id, job_id, type_, stamp, data))[0])

    def result(self, job_id: str) -> bytes | None:
        row = self._read_one("SELECT result FROM jobs WHERE id = ?", (job_id,))
        if row is None:
            raise JobNotFoundError(f"no run or job with id {job_id}")
        return bytes(row[0]) if row[0] is not None else None

    def done_outcomes(self, kind: str) -> list[tuple[str, bytes]]:
        return [(str(r[0]), r[1]) for r in self._read(q.DONE_OUTCOMES, (kind,))]

    def outcome(self, job_id: str) -> bytes | None:
        row = self._read_one("SELECT outcome FROM jobs WHERE id = ?", (job_id,))
        if row is None:
            raise JobNotFoundError(f"no run or job with id {job_id}")
        return None if row[0] is None else bytes(row[0])

    def set_outcome(self, job_id: str, outcome: bytes, stamp: str) -> None:
        self._run(q.SET_OUTCOME, (outcome, stamp, job_id))

    def cancel_queued(self, job_id: str, stamp: str) -> bool:
        return self._run(q.CANCEL_QUEUED, (stamp, stamp, job_id)) > 0

    def request_cancel(self, job_id: str, stamp: str) -> None:
        self._run(q.REQUEST_CANCEL, (stamp, job_id))

    def fail_abandoned(self, stamp: str, now: float, max_attempts: int) -> list[str]:
        return [str(r[0]) for r in self._all(q.FAIL_ABANDONED, (stamp, stamp, now, max_attempts))]

    def claim(
        self, worker: str, lease_until: float, stamp: str, kinds: str, now: float
    ) -> Job | None:
        row = self._one(q.CLAIM_JOB, (worker, lease_until, stamp, stamp, kinds, now))
        return None if row is None else q.job_from_row(row)

    def finish(
        self,
        job_id: str,
        worker: str,
        *,
        state: str,
        stamp: str,
        error: str | None,
        outcome: bytes,
        result: bytes | None,
    ) -> bool:
        params = (state, stamp, stamp, error, outcome, result, job_id, worker)
        return self._run(q.FINISH_JOB, params) > 0

    def renew_leases(self, worker: str, until: float) -> list[str]:
        """Extend this worker's leases; the ids among its jobs whose cancel was asked for."""
        with self._pair.writing() as conn:
            conn.execute(q.RENEW_LEASES, (until, worker))
            return [str(r[0]) for r in conn.execute(q.CANCEL_WANTED, (worker,))]

    def release(self, worker: str, stamp: str) -> None:
        self._run(q.RELEASE_WORKER, (stamp, worker))

    def ping(self) -> None:
        self._read_one("SELECT 1", ())

    def close(self) -> None:
        self._pair.close()
