"""NatsJobQueue against a real nats-server: two queue instances stand for two servers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

pytest.importorskip("nats")

from tests.scale.effects import registered
from tests.scale.harness import wait_for
from tests.scale.plans import effect_plan, small_plan

from altlas.config import load_settings
from altlas.events.bus import EventBus
from altlas.events.embedded import SqliteJobQueue
from altlas.events.queue import JobContext, JobNotFoundError, JobOutcome, JobState, JobStateError
from altlas.scale.config import NatsConfig, close_quietly, connect
from altlas.scale.jobqueue import NatsJobQueue
from altlas.scale.streams import RESULTS, RUNS, key_of


@pytest.fixture(autouse=True)
def _effect_handlers() -> Iterator[None]:
    with registered():
        yield


@pytest.fixture(scope="module")
def nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from altlas.scale.local_server import LocalNatsServer

    server = LocalNatsServer(tmp_path_factory.mktemp("js") / "store").start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def make_queue(nats_url: str, altlas_home: Path) -> Iterator[Any]:
    made: list[NatsJobQueue] = []

    def make(workers: int = 0, local: Any = None, bus: EventBus | None = None) -> NatsJobQueue:
        # a 30 s ack_wait: heartbeats every 4.5 s, so a cancel seen sooner came by its subject
        config = NatsConfig(url=nats_url, ack_wait_seconds=30)
        queue = NatsJobQueue(
            load_settings(), config, bus or EventBus(), local=local, workers=workers
        )
        queue.start()
        made.append(queue)
        return queue

    yield make
    for queue in made:
        queue.close()


def _run(queue: NatsJobQueue, plan: dict[str, Any], **kw: Any) -> str:
    return queue.enqueue("run", {"plan": plan, "options": {}, "archive": True}, **kw).id


def test_a_run_submitted_to_one_instance_is_seen_and_finished_on_the_other(
    make_queue: Any,
) -> None:
    a, b = make_queue(), make_queue(workers=1)
    run_id = _run(a, small_plan(1), owner="alice", share=["group:ops"])
    assert b.get(run_id).owner == "alice"  # read through KV, not a mirror: at once
    assert wait_for(lambda: b.get(run_id).state is JobState.DONE, 30, 0.05)
    done = a.get(run_id)
    assert done.has_result and done.outcome is not None
    assert done.outcome["status"] == "success" and done.attempts == 1
    assert b"small-1" in (a.result(run_id) or b"")
    events = a.events(run_id)
    types = [e.type for e in events]
    assert types[0] == "job.queued" and types[-1] == "job.finished"
    assert "run.started" in types and "run.finished" in types
    seqs = [e.seq for e in events]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert [e.seq for e in b.events(run_id, after=seqs[1])] == seqs[2:]
    counts, latest = b.event_counts(run_id)
    assert counts["task.finished"] == 2 and latest is not None
    # list_jobs reads each instance's mirror (a KV watch): audience filtering included
    assert wait_for(lambda: any(j.id == run_id for j in a.list_jobs(audience=["alice"])), 5)
    assert any(j.id == run_id for j in a.list_jobs(audience=["group:ops"]))
    assert all(j.id != run_id for j in a.list_jobs(audience=["mallory"]))
    assert all(j.id != run_id for j in a.list_jobs(state=JobState.QUEUED))
    with pytest.raises(JobStateError):
        b.cancel(run_id)  # it has ended


def test_cancel_of_a_queued_run_takes_it_off_the_work_queue(make_queue: Any, nats_url: str) -> None:
    a, b = make_queue(), make_queue()  # no workers anywhere: the run stays queued
    run_id = _run(a, small_plan(2))
    assert b.get(run_id).state is JobState.QUEUED
    cancelled = b.cancel(run_id)
    assert cancelled.state is JobState.CANCELLED and cancelled.cancel_requested
    assert a.get(run_id).state is JobState.CANCELLED
    assert a.events(run_id)[-1].type == "job.finished"
    assert asyncio.run(_messages_for(nats_url, run_id)) == 0
    with pytest.raises(JobStateError):
        a.cancel(run_id)


async def _messages_for(url: str, run_id: str) -> int:
    from nats.js.errors import NotFoundError

    nc = await connect(NatsConfig(url=url))
    try:
        await nc.jetstream().get_last_msg(RUNS, f"altlas.runs.{key_of(run_id)}")
        return 1
    except NotFoundError:
        return 0
    finally:
        await close_quietly(nc)


def test_cancel_from_the_other_instance_stops_the_running_run_at_once(make_queue: Any) -> None:
    a, b = make_queue(workers=1), make_queue()
    run_id = _run(a, effect_plan(20.0))
    assert wait_for(lambda: "task.started" in b.event_counts(run_id)[0], 30, 0.05)
    assert wait_for(lambda: b.event_counts(run_id)[0].get("task.started", 0) >= 2, 10, 0.05)
    assert b.get(run_id).state is JobState.RUNNING  # the worker's lease says so
    asked = time.monotonic()
    assert b.cancel(run_id).cancel_requested
    assert wait_for(lambda: a.get(run_id).state is JobState.CANCELLED, 10, 0.05)
    # the cancel subject reaches the worker at once, not at its next heartbeat
    assert time.monotonic() - asked < 1.5
    assert b.get(run_id).outcome["status"] == "cancelled"  # type: ignore[index]


def test_other_kinds_stay_on_the_embedded_queue(make_queue: Any, altlas_home: Path) -> None:
    bus = EventBus()
    local = SqliteJobQueue(altlas_home / "queue.db", bus, workers=1, poll_seconds=0.05)

    def echo(ctx: JobContext) -> JobOutcome:
        return JobOutcome({"echo": ctx.job.payload["x"]})

    queue = make_queue(local=local, bus=bus)
    queue.register("do", echo)
    job = queue.enqueue("do", {"x": 7}, owner="bob")
    assert wait_for(lambda: queue.get(job.id).state is JobState.DONE, 10, 0.05)
    assert queue.get(job.id).outcome == {"echo": 7}
    assert [j.id for j in queue.list_jobs(kind="do")] == [job.id]
    with pytest.raises(JobNotFoundError):
        queue.get("run_nope")
    with pytest.raises(Exception, match="workspace"):
        queue.enqueue("run", {"plan": small_plan(3), "workspace": "ws_1"})


def test_health_follows_the_lifecycle(make_queue: Any) -> None:
    queue = make_queue()
    for call in (queue.get, queue.events, queue.result, queue.cancel, queue.event_counts):
        with pytest.raises(JobNotFoundError):
            call("run_unknown")
    assert queue.healthy()
    queue.stop()
    assert not queue.healthy()


def test_the_queue_comes_back_after_a_nats_server_restart(
    nats_server: Any, altlas_home: Path
) -> None:
    config = NatsConfig(url=nats_server.url, ack_wait_seconds=30)
    a = NatsJobQueue(load_settings(), config, EventBus(), workers=1)
    b = NatsJobQueue(load_settings(), config, EventBus())
    a.start()
    b.start()
    try:
        first = _run(b, small_plan(10))
        assert wait_for(lambda: b.get(first).state is JobState.DONE, 30, 0.05)
        nats_server.restart()
        assert wait_for(lambda: a.healthy() and b.healthy(), 15, 0.1)
        second = _run(b, small_plan(11))
        assert wait_for(lambda: b.get(second).state is JobState.DONE, 30, 0.1)
        assert b.events(second)[-1].type == "job.finished"
        # A never asked for either run: its list comes from KV watches made again
        listed = lambda: {j.id: j.state for j in a.list_jobs()}  # noqa: E731
        assert wait_for(lambda: listed() == {first: JobState.DONE, second: JobState.DONE}, 15)
    finally:
        a.close()
        b.close()


def test_a_run_no_worker_can_start_ends_failed_as_a_dead_letter(make_queue: Any) -> None:
    a, b = make_queue(workers=1), make_queue()
    broken = {
        "format": "altlas.alt",
        "id": "broken",
        "tasks": [{"id": "a", "type": "echo", "dependencies": ["missing"]}],
    }
    run_id = _run(b, broken)  # the server checks plans first; this one skipped that
    assert wait_for(lambda: a.get(run_id).state is JobState.FAILED, 30, 0.05)
    job = b.get(run_id)
    assert job.error is not None and job.error.startswith("dead letter: ")
    last = b.events(run_id)[-1]
    assert last.type == "job.finished" and last.data["state"] == "failed"


def test_a_plan_too_big_for_one_message_is_refused_and_nothing_is_written(
    make_queue: Any,
) -> None:
    from altlas.errors import InvalidInputError

    queue = make_queue()
    plan = small_plan(12)
    plan["tasks"][0]["parameters"]["message"] = "x" * 1_100_000
    with pytest.raises(InvalidInputError, match="max_payload"):
        queue.enqueue("run", {"plan": plan}, job_id="run_too_big")
    with pytest.raises(JobNotFoundError):
        queue.get("run_too_big")


def test_a_long_history_is_read_in_bulk_in_order(make_queue: Any) -> None:
    a = make_queue(workers=1)
    run_id = _run(a, small_plan(13, tasks=40))
    assert wait_for(lambda: a.get(run_id).state is JobState.DONE, 60, 0.05)
    fresh = make_queue()  # nothing read yet: one ordered consumer catches up (> 32 events)
    events = fresh.events(run_id)
    types = [e.type for e in events]
    assert types[0] == "job.queued" and types[-1] == "job.finished"
    assert types.count("task.finished") == 40
    seqs = [e.seq for e in events]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert [e.seq for e in make_queue().events(run_id, after=seqs[9], limit=5)] == seqs[10:15]


def test_a_request_s_archive_false_reaches_the_result_the_follower_reads(
    make_queue: Any, nats_url: str
) -> None:
    queue = make_queue(workers=1)
    off = queue.enqueue("run", {"plan": small_plan(14), "archive": False}).id
    on = _run(queue, small_plan(15))
    for run_id in (off, on):
        assert wait_for(lambda r=run_id: queue.get(r).state is JobState.DONE, 60, 0.05)
    # what `altlas archive follow` acks without archiving (tests/scale/test_archive_flag.py)
    assert asyncio.run(_result_archived(nats_url, off)) is False
    assert asyncio.run(_result_archived(nats_url, on)) is True


async def _result_archived(url: str, run_id: str) -> bool:
    nc = await connect(NatsConfig(url=url))
    try:
        msg = await nc.jetstream().get_last_msg(RESULTS, f"altlas.results.{key_of(run_id)}")
        return orjson.loads(msg.data).get("archive", True) is not False
    finally:
        await close_quietly(nc)
