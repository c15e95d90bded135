"""A server's view of a run that NATS carries: the pieces in KV put together into a ``Job``.

Nothing here writes: a job's state is *derived* from what the workers already record, so
every server instance computes the same answer without a coordinator:

* ``ALTLAS_JOBS/<key>``: the record the server wrote at enqueue (kind, payload, owner,
  share, created_at; ``cancelled`` when it was cancelled before any worker took it);
* ``ALTLAS_RUNSTATE/done.<key>``: the worker's commit, whose result gives the outcome;
* ``ALTLAS_LEASES/<key>``: a worker holds the run now;
* ``altlas.dead.<key>`` in ``ALTLAS_DEAD``: the run became a dead letter.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from altlas.events.queue import Job, JobState

__all__ = [
    "JOBS",
    "Pieces",
    "checked_record",
    "compose",
    "new_record",
    "run_id_of",
    "summary_of",
]

JOBS = "ALTLAS_JOBS"
"""KV bucket of job records, one per run submitted through a server."""


def run_id_of(key: str) -> str:
    """The id behind a :func:`~altlas.scale.streams.key_of` token; ValueError if ``key`` is
    not one (strict: a forged subject token must not decode to some other id)."""
    run_id = base64.b64decode(key + "=" * (-len(key) % 4), altchars=b"-_", validate=True).decode()
    if not run_id:
        raise ValueError("an empty run id")
    return run_id


def new_record(
    job_id: str,
    kind: str,
    payload: Mapping[str, Any],
    owner: str | None,
    share: Sequence[str],
    now: str,
) -> dict[str, Any]:
    return {
        "id": job_id,
        "kind": kind,
        "payload": dict(payload),
        "owner": owner,
        "share": list(share),
        "created_at": now,
        "updated_at": now,
        "state": JobState.QUEUED.value,
        "cancel_requested": False,
        "finished_at": None,
        "extra": {},
    }


def summary_of(result: bytes, attempt: int) -> dict[str, Any]:
    """The facts of a committed result that a status answer shows (no model validation:
    the worker wrote it with the same code)."""
    try:
        data = orjson.loads(result)
    except orjson.JSONDecodeError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    counts: dict[str, int] = {}
    for task in data.get("tasks") or ():
        status = str(task.get("status", "")) if isinstance(task, dict) else ""
        counts[status] = counts.get(status, 0) + 1
    return {
        "status": data.get("status"),
        "success_rate": data.get("success_rate"),
        "counts": counts,
        "duration_ms": data.get("duration_ms"),
        "plan_id": data.get("plan_id"),
        "started_at": data.get("started_at"),
        "finished_at": data.get("finished_at"),
        "attempt": attempt,
    }


def checked_record(job_id: str, record: Any) -> dict[str, Any]:
    """A job record as the server wrote it, or ValueError (the bucket is open to any client
    with access to NATS; a stray entry must not break a listing)."""
    if not isinstance(record, dict) or record.get("id") != job_id:
        raise ValueError(f"not a job record for {job_id}")
    if not isinstance(record.get("payload", {}), dict):
        raise ValueError(f"job record {job_id}: payload is not an object")
    return record


@dataclass(slots=True)
class Pieces:
    record: Mapping[str, Any]
    done: Mapping[str, Any] | None = None
    lease: Mapping[str, Any] | None = None
    dead: str | None = None
    started_at: str | None = None


def _state(p: Pieces) -> tuple[JobState, str | None]:
    if p.done is not None:
        cancelled = p.done.get("status") == "cancelled"
        return (JobState.CANCELLED if cancelled else JobState.DONE), None
    if p.record.get("state") == JobState.CANCELLED.value:
        return JobState.CANCELLED, None
    if p.dead is not None:
        return JobState.FAILED, f"dead letter: {p.dead}"
    if p.lease is not None or p.started_at is not None:
        return JobState.RUNNING, None
    return JobState.QUEUED, None


def compose(p: Pieces) -> Job:
    rec = p.record
    state, error = _state(p)
    done = dict(p.done or {})
    attempts = int(done.get("attempt") or (p.lease or {}).get("attempt") or 0)
    outcome: dict[str, Any] | None = None
    if p.done is not None:
        outcome = {
            key: done.get(key)
            for key in ("status", "success_rate", "counts", "duration_ms", "plan_id")
        }
        outcome["archive"] = bool(rec.get("payload", {}).get("archive", True))
    extra = rec.get("extra") or {}
    if extra:
        outcome = {**(outcome or {}), **extra}
    finished = done.get("finished_at") or rec.get("finished_at")
    started = done.get("started_at") or p.started_at
    stamps = [str(s) for s in (rec.get("updated_at"), started, finished) if s]
    return Job(
        id=str(rec["id"]),
        kind=str(rec.get("kind", "run")),
        payload=rec.get("payload") or {},
        state=state,
        owner=rec.get("owner"),
        attempts=attempts,
        cancel_requested=bool(rec.get("cancel_requested")),
        created_at=str(rec.get("created_at", "")),
        started_at=started,
        finished_at=finished if state.terminal else None,
        updated_at=max(stamps),
        error=error,
        outcome=outcome,
        has_result=p.done is not None,
        share=tuple(rec.get("share") or ()),
    )
