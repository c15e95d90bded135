"""The job table of the embedded queue: its schema, its queries, and rows into :class:`Job`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import orjson

from altlas.events.queue import Job, JobState

__all__ = ["CLAIM_JOB", "GET_JOB", "LIST_JOBS", "SCHEMA_V1", "SCHEMA_V2", "job_from_row"]

# The schema's steps (applied as the ``altlas.jobs`` migrations in events/jobstore.py). Never
# edit a step that has shipped: add the next one.
SCHEMA_V1 = (
    """
    CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        payload BLOB NOT NULL,
        state TEXT NOT NULL,
        owner TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        cancel_requested INTEGER NOT NULL DEFAULT 0,
        worker TEXT,
        lease_until REAL,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        updated_at TEXT NOT NULL,
        error TEXT,
        outcome BLOB,
        result BLOB
    )
    """,
    "CREATE INDEX jobs_by_state ON jobs (state)",
    """
    CREATE TABLE job_events (
        job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        type TEXT NOT NULL,
        time TEXT NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (job_id, seq)
    )
    """,
)
# Who else may see a job: a JSON array of audiences ("role:viewer", "group:ops").
SCHEMA_V2 = "ALTER TABLE jobs ADD COLUMN share TEXT NOT NULL DEFAULT '[]'"

# Queries are whole literals (no SQL is assembled at run time); each reads the columns
# _job() expects, in its order.
GET_JOB = (
    "SELECT id, kind, payload, state, owner, attempts, cancel_requested, created_at, "
    "started_at, finished_at, updated_at, error, outcome, result IS NOT NULL, share "
    "FROM jobs WHERE id = ?"
)
LIST_JOBS = (
    "SELECT id, kind, payload, state, owner, attempts, cancel_requested, created_at, "
    "started_at, finished_at, updated_at, error, outcome, result IS NOT NULL, share "
    "FROM jobs WHERE (:state IS NULL OR state = :state) AND (:kind IS NULL OR kind = :kind) "
    "AND (:audience IS NULL OR owner IN (SELECT value FROM json_each(:audience)) "
    "OR EXISTS (SELECT 1 FROM json_each(jobs.share) AS shared "
    "WHERE shared.value IN (SELECT value FROM json_each(:audience)))) "
    "ORDER BY rowid DESC LIMIT :limit"
)
CLAIM_JOB = (
    "UPDATE jobs SET state = 'running', worker = ?, lease_until = ?, "
    "attempts = attempts + 1, started_at = coalesce(started_at, ?), updated_at = ? "
    "WHERE rowid = (SELECT rowid FROM jobs WHERE kind IN (SELECT value FROM json_each(?)) "
    "AND (state = 'queued' OR (state = 'running' AND lease_until < ?)) "
    "ORDER BY rowid LIMIT 1) "
    "RETURNING id, kind, payload, state, owner, attempts, cancel_requested, created_at, "
    "started_at, finished_at, updated_at, error, outcome, result IS NOT NULL, share"
)


INSERT_JOB = (
    "INSERT INTO jobs (id, kind, payload, state, owner, share, created_at, updated_at) "
    "VALUES (?, ?, ?, 'queued', ?, ?, ?, ?)"
)
JOB_EVENTS = (
    "SELECT seq, type, time, data FROM job_events WHERE job_id = ? AND seq > ? ORDER BY seq LIMIT ?"
)
EVENT_COUNTS = "SELECT type, count(*), max(time) FROM job_events WHERE job_id = ? GROUP BY type"
APPEND_EVENT = (
    "INSERT INTO job_events (job_id, seq, type, time, data) VALUES "
    "(?, (SELECT coalesce(max(seq), 0) + 1 FROM job_events WHERE job_id = ?), "
    "?, ?, ?) RETURNING seq"
)
DONE_OUTCOMES = (
    "SELECT id, outcome FROM jobs WHERE kind = ? AND state = 'done' "
    "AND outcome IS NOT NULL ORDER BY rowid"
)
SET_OUTCOME = "UPDATE jobs SET outcome = ?, updated_at = ? WHERE id = ?"
REQUEST_CANCEL = "UPDATE jobs SET cancel_requested = 1, updated_at = ? WHERE id = ?"
CANCEL_QUEUED = (
    "UPDATE jobs SET state = 'cancelled', cancel_requested = 1, finished_at = ?, "
    "updated_at = ? WHERE id = ? AND state = 'queued'"
)
# Jobs whose workers died too often are given up rather than retried forever.
FAIL_ABANDONED = (
    "UPDATE jobs SET state = 'failed', finished_at = ?, updated_at = ?, "
    "error = 'abandoned: its worker stopped ' || attempts || ' times' "
    "WHERE state = 'running' AND lease_until < ? AND attempts >= ? RETURNING id"
)
FINISH_JOB = (
    "UPDATE jobs SET state = ?, finished_at = ?, updated_at = ?, error = ?, "
    "outcome = ?, result = ?, lease_until = NULL "
    "WHERE id = ? AND worker = ? AND state = 'running'"
)
RENEW_LEASES = "UPDATE jobs SET lease_until = ? WHERE worker = ? AND state = 'running'"
CANCEL_WANTED = (
    "SELECT id FROM jobs WHERE worker = ? AND state = 'running' AND cancel_requested = 1"
)
# Jobs still running at shutdown are released at once rather than waiting for the lease to
# lapse; the next start (here or elsewhere) resumes them.
RELEASE_WORKER = (
    "UPDATE jobs SET state = 'queued', worker = NULL, lease_until = NULL, "
    "updated_at = ? WHERE worker = ? AND state = 'running'"
)


class _LazyPayload(Mapping[str, Any]):
    """A job's payload, decoded on first use: listing or polling jobs never pays for
    decoding their plans (a large plan takes the GIL for as long as it decodes)."""

    __slots__ = ("_data", "_raw")

    def __init__(self, raw: bytes) -> None:
        self._raw: bytes | None = raw
        self._data: dict[str, Any] | None = None

    def _decoded(self) -> dict[str, Any]:
        if self._data is None:
            self._data = dict(orjson.loads(self._raw or b"{}"))
            self._raw = None
        return self._data

    def __getitem__(self, key: str) -> Any:
        return self._decoded()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._decoded())

    def __len__(self) -> int:
        return len(self._decoded())


def job_from_row(row: tuple[Any, ...]) -> Job:
    return Job(
        id=row[0],
        kind=row[1],
        payload=_LazyPayload(row[2]),
        state=JobState(row[3]),
        owner=row[4],
        attempts=row[5],
        cancel_requested=bool(row[6]),
        created_at=row[7],
        started_at=row[8],
        finished_at=row[9],
        updated_at=row[10],
        error=row[11],
        outcome=orjson.loads(row[12]) if row[12] is not None else None,
        has_result=bool(row[13]),
        share=tuple(orjson.loads(row[14] or "[]")),
    )
