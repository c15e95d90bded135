"""The job queue's repository: one-line errors, conflicts, and the Protocol it is used through."""

from __future__ import annotations

from pathlib import Path

import pytest

from altlas.errors import ConflictError, CorruptError, UnavailableError
from altlas.events.jobstore import JobStore, open_job_store
from altlas.events.queue import JobNotFoundError


def test_a_job_round_trips_and_a_second_id_conflicts(tmp_path: Path) -> None:
    store: JobStore = open_job_store(tmp_path / "queue.db")
    try:
        store.insert("job_1", "echo", b'{"n": 1}', "alice", '["role:viewer"]', "t0")
        job = store.get("job_1")
        assert job is not None and job.owner == "alice" and job.share == ("role:viewer",)
        assert dict(job.payload) == {"n": 1}
        with pytest.raises(ConflictError, match="already exists"):
            store.insert("job_1", "echo", b"{}", None, "[]", "t1")
        assert store.get("job_2") is None
        with pytest.raises(JobNotFoundError):
            store.result("job_2")
        assert store.append_event("job_1", "job.queued", "t0", b"{}") == 1
        assert store.append_event("job_1", "job.note", "t1", b"{}") == 2
        assert [e.seq for e in store.events("job_1", 0, 10)] == [1, 2]
    finally:
        store.close()


def test_claim_takes_each_job_once(tmp_path: Path) -> None:
    store = open_job_store(tmp_path / "queue.db")
    try:
        store.insert("job_1", "echo", b"{}", None, "[]", "t0")
        first = store.claim("w1", 100.0, "t1", '["echo"]', 1.0)
        assert first is not None and first.id == "job_1" and first.attempts == 1
        assert store.claim("w2", 100.0, "t1", '["echo"]', 1.0) is None  # leased to w1
        taken_over = store.claim("w2", 300.0, "t2", '["echo"]', 200.0)  # w1's lease ran out
        assert taken_over is not None and taken_over.attempts == 2
        assert not store.finish(
            "job_1", "w1", state="done", stamp="t3", error=None, outcome=b"{}", result=None
        )
        assert store.finish(
            "job_1", "w2", state="done", stamp="t3", error=None, outcome=b"{}", result=b"r"
        )
        assert store.result("job_1") == b"r"
    finally:
        store.close()


def test_a_damaged_queue_file_is_corrupt_and_named(tmp_path: Path) -> None:
    path = tmp_path / "queue.db"
    path.write_bytes(b"no database here" * 40)
    with pytest.raises(CorruptError) as info:
        open_job_store(path)
    assert str(info.value).startswith(str(path)) and "the job queue" in str(info.value)


def test_a_closed_store_fails_in_one_line(tmp_path: Path) -> None:
    store = open_job_store(tmp_path / "queue.db")
    store.close()
    with pytest.raises(UnavailableError, match="the job queue"):
        store.get("job_1")
