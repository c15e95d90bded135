"""The embedded SQLite job queue: execution, events, cancellation, restart survival."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from altlas.events import (
    EventBus,
    JobContext,
    JobNotFoundError,
    JobOutcome,
    JobState,
    JobStateError,
    SqliteJobQueue,
)


def wait_for(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.01)


def echo(ctx: JobContext) -> JobOutcome:
    ctx.emit("step", {"value": ctx.job.payload["value"]})
    return JobOutcome({"doubled": ctx.job.payload["value"] * 2}, result=b"result-bytes")


@pytest.fixture
def queue(tmp_path: Path):
    q = SqliteJobQueue(tmp_path / "queue.db", workers=2, poll_seconds=0.05)
    yield q
    q.close()


def test_job_runs_and_records_events_and_result(queue: SqliteJobQueue) -> None:
    finished: list[dict] = []
    queue.bus.subscribe(lambda e: finished.append(dict(e.data)), types=["job.finished"])
    queue.register("echo", echo)
    queue.start()
    job = queue.enqueue("echo", {"value": 21}, owner="user:alice")
    assert job.state in (JobState.QUEUED, JobState.RUNNING, JobState.DONE)
    wait_for(lambda: queue.get(job.id).state.terminal)
    done = queue.get(job.id)
    assert done.state is JobState.DONE
    assert done.outcome == {"doubled": 42}
    assert done.owner == "user:alice"
    assert done.attempts == 1
    assert queue.result(job.id) == b"result-bytes"
    types = [e.type for e in queue.events(job.id)]
    assert types == ["job.queued", "job.started", "step", "job.finished"]
    assert [e.seq for e in queue.events(job.id, after=2)] == [3, 4]
    assert finished and finished[0]["state"] == "done" and finished[0]["doubled"] == 42


def test_executor_error_marks_the_job_failed(queue: SqliteJobQueue) -> None:
    def broken(ctx: JobContext) -> JobOutcome:
        raise ValueError("bad plan")

    queue.register("broken", broken)
    queue.start()
    job = queue.enqueue("broken", {})
    wait_for(lambda: queue.get(job.id).state.terminal)
    failed = queue.get(job.id)
    assert failed.state is JobState.FAILED
    assert failed.error == "ValueError: bad plan"
    assert queue.result(job.id) is None


def test_unknown_kind_and_unknown_id_are_refused(queue: SqliteJobQueue) -> None:
    with pytest.raises(Exception, match="no executor"):
        queue.enqueue("nope", {})
    with pytest.raises(JobNotFoundError):
        queue.get("job_missing")
    with pytest.raises(JobNotFoundError):
        queue.result("job_missing")


def test_duplicate_job_id_is_a_conflict(queue: SqliteJobQueue) -> None:
    queue.register("echo", echo)
    queue.enqueue("echo", {"value": 1}, job_id="run_1")
    with pytest.raises(JobStateError):
        queue.enqueue("echo", {"value": 1}, job_id="run_1")


def test_cancel_queued_job_is_immediate(queue: SqliteJobQueue) -> None:
    queue.register("echo", echo)
    job = queue.enqueue("echo", {"value": 1})  # no workers started: stays queued
    cancelled = queue.cancel(job.id)
    assert cancelled.state is JobState.CANCELLED
    assert queue.events(job.id)[-1].data["state"] == "cancelled"
    with pytest.raises(JobStateError):
        queue.cancel(job.id)


def test_cancel_running_job_sets_its_flag(queue: SqliteJobQueue) -> None:
    started = threading.Event()

    def slow(ctx: JobContext) -> JobOutcome:
        started.set()
        # Bounded: stops on cancel, or gives up after 10 s so a broken test cannot hang.
        stopped = ctx.cancelled.wait(10)
        return JobOutcome({"stopped": stopped})

    queue.register("slow", slow)
    queue.start()
    job = queue.enqueue("slow", {})
    assert started.wait(5)
    assert queue.cancel(job.id).cancel_requested
    wait_for(lambda: queue.get(job.id).state.terminal)
    final = queue.get(job.id)
    assert final.state is JobState.CANCELLED
    assert final.outcome == {"stopped": True}


def test_cancel_written_by_another_process_reaches_the_worker(tmp_path: Path) -> None:
    queue = SqliteJobQueue(tmp_path / "q.db", workers=1, lease_seconds=0.3, poll_seconds=0.05)
    started = threading.Event()

    def slow(ctx: JobContext) -> JobOutcome:
        started.set()
        return JobOutcome({"stopped": ctx.cancelled.wait(10)})

    queue.register("slow", slow)
    queue.start()
    try:
        job = queue.enqueue("slow", {})
        assert started.wait(5)
        other = sqlite3.connect(tmp_path / "q.db")
        with other:
            other.execute("UPDATE jobs SET cancel_requested = 1 WHERE id = ?", (job.id,))
        other.close()
        wait_for(lambda: queue.get(job.id).state.terminal)
        assert queue.get(job.id).state is JobState.CANCELLED
    finally:
        queue.close()


def test_queued_jobs_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "queue.db"
    first = SqliteJobQueue(path, workers=1, poll_seconds=0.05)
    first.register("echo", echo)
    ids = [first.enqueue("echo", {"value": n}).id for n in range(3)]
    first.close()  # never started: the jobs are only rows

    second = SqliteJobQueue(path, workers=2, poll_seconds=0.05)
    second.register("echo", echo)
    second.start()
    try:
        wait_for(lambda: all(second.get(i).state.terminal for i in ids))
        assert [second.get(i).outcome for i in ids] == [{"doubled": n * 2} for n in range(3)]
    finally:
        second.close()


def _left_running(path: Path, *, worker: str, attempts: int) -> str:
    """What a crashed process leaves behind: a job running, owned by a worker, lease lapsed."""
    seed = SqliteJobQueue(path, workers=1)
    seed.register("echo", echo)
    job = seed.enqueue("echo", {"value": 5})
    seed.close()
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "UPDATE jobs SET state='running', worker=?, attempts=?, lease_until=? WHERE id=?",
            (worker, attempts, time.time() - 1, job.id),
        )
    conn.close()
    return job.id


def test_job_of_a_dead_worker_is_claimed_again(tmp_path: Path) -> None:
    path = tmp_path / "queue.db"
    job_id = _left_running(path, worker="dead-1", attempts=1)
    queue = SqliteJobQueue(path, workers=1, poll_seconds=0.05)
    queue.register("echo", echo)
    queue.start()
    try:
        wait_for(lambda: queue.get(job_id).state.terminal)
        again = queue.get(job_id)
        assert again.state is JobState.DONE
        assert again.attempts == 2
    finally:
        queue.close()


def test_job_abandoned_after_max_attempts(tmp_path: Path) -> None:
    path = tmp_path / "queue.db"
    job_id = _left_running(path, worker="dead", attempts=3)
    queue = SqliteJobQueue(path, workers=1, poll_seconds=0.05, max_attempts=3)
    queue.register("echo", echo)
    queue.start()
    try:
        wait_for(lambda: queue.get(job_id).state.terminal)
        assert queue.get(job_id).state is JobState.FAILED
        assert "abandoned" in (queue.get(job_id).error or "")
    finally:
        queue.close()


def test_stop_releases_running_jobs_for_the_next_start(tmp_path: Path) -> None:
    path = tmp_path / "queue.db"
    release = threading.Event()
    started = threading.Event()

    def blocking(ctx: JobContext) -> JobOutcome:
        started.set()
        release.wait(10)
        return JobOutcome({"ran": True})

    first = SqliteJobQueue(path, workers=1, poll_seconds=0.05)
    first.register("block", blocking)
    first.start()
    job = first.enqueue("block", {})
    assert started.wait(5)
    abandoned = list(first._threads)
    first.stop(timeout=0.1)
    assert first.get(job.id).state is JobState.QUEUED
    release.set()
    for thread in abandoned:  # the abandoned thread finishes; its late report must be ignored
        thread.join(10)
        assert not thread.is_alive()
    assert first.get(job.id).state is JobState.QUEUED
    first.close()

    second = SqliteJobQueue(path, workers=1, poll_seconds=0.05)
    second.register("block", blocking)
    second.start()
    try:
        wait_for(lambda: second.get(job.id).state.terminal)
        assert second.get(job.id).state is JobState.DONE
    finally:
        second.close()


def test_many_jobs_are_each_run_once(tmp_path: Path) -> None:
    counts: dict[str, int] = {}
    lock = threading.Lock()

    def count(ctx: JobContext) -> JobOutcome:
        with lock:
            counts[ctx.job.id] = counts.get(ctx.job.id, 0) + 1
        return JobOutcome()

    bus = EventBus()
    queues = [
        SqliteJobQueue(tmp_path / "q.db", bus, workers=2, poll_seconds=0.02) for _ in range(2)
    ]
    for q in queues:
        q.register("count", count)
    ids = [queues[n % 2].enqueue("count", {}).id for n in range(40)]
    for q in queues:
        q.start()
    try:
        wait_for(lambda: all(queues[0].get(i).state.terminal for i in ids))
    finally:
        for q in queues:
            q.close()
    assert counts == dict.fromkeys(ids, 1)


def test_schema_steps_are_recorded_by_the_one_runner(tmp_path: Path) -> None:
    """queue.db's steps are sqlite-utils migrations (the old user_version bookkeeping is gone)."""
    SqliteJobQueue(tmp_path / "q.db").close()
    conn = sqlite3.connect(tmp_path / "q.db")
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
        steps = conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = 'altlas.jobs' ORDER BY id"
        ).fetchall()
        assert steps == [("m001_jobs",), ("m002_job_share",)]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert "schema_migrations" not in tables
    finally:
        conn.close()


def test_a_worker_survives_a_job_end_it_cannot_record(tmp_path: Path) -> None:
    """The end of a job is written after it ran; when that write failed (a locked or closed
    store) the exception killed the worker thread, and nothing ran on it again."""
    q = SqliteJobQueue(tmp_path / "queue.db", workers=1, poll_seconds=0.05)
    release = threading.Event()

    def blocked(ctx: JobContext) -> JobOutcome:
        release.wait(10)
        return JobOutcome(data={"ok": True})

    q.register("blocked", blocked)
    q.register("echo", echo)
    q.start()
    try:
        first = q.enqueue("blocked", {})
        wait_for(lambda: q.get(first.id).state is JobState.RUNNING)
        q.store._pair.writer.execute("PRAGMA busy_timeout = 50")  # not 10 s of waiting in a test
        holder = sqlite3.connect(tmp_path / "queue.db", isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            release.set()
            time.sleep(0.5)  # the worker tries to record the end while the lock is held
        finally:
            holder.close()
        assert q.healthy()
        second = q.enqueue("echo", {"value": 1})
        wait_for(lambda: q.get(second.id).state.terminal)
        assert q.get(second.id).state is JobState.DONE
    finally:
        q.close()
