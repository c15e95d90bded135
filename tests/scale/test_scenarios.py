"""The issue 14 scenarios, each with a real nats-server and several real processes."""

from __future__ import annotations

import re
import signal
import time
from pathlib import Path
from typing import Any

from tests.scale.harness import Cluster, wait_for
from tests.scale.plans import effect_plan, poison_plan, small_plan

PLANS = 300


def _in_order(events: list[dict[str, Any]]) -> bool:
    by_attempt: dict[int, list[int]] = {}
    for event in events:
        by_attempt.setdefault(event.get("attempt", 1), []).append(event["seq"])
    return all(seqs == sorted(seqs) and len(set(seqs)) == len(seqs) for seqs in by_attempt.values())


def test_three_workers_archive_every_result_exactly_once(tmp_path: Path, nats_server: Any) -> None:
    cluster = Cluster(tmp_path, nats_server.url, ack_wait_seconds=10)
    try:
        for n in range(3):
            cluster.worker(n, concurrency=2)
        follower = cluster.follower()
        # each worker must get runs (asserted below): a late starter could miss all 300
        cluster.wait_pulling(3)
        done = cluster.submit([small_plan(i) for i in range(PLANS)], wait=True, timeout=240)
        assert [d.status for d in done] == ["success"] * PLANS
        assert wait_for(lambda: len(cluster.archived()) >= PLANS, 60)
        follower.send_signal(signal.SIGTERM)
        follower.wait(20)
    finally:
        cluster.stop_all()
    archived = cluster.archived()
    assert len(archived) == PLANS == len(set(archived))
    events = cluster.events()
    assert len(events) == PLANS
    for run_events in events.values():
        assert _in_order(run_events)
        assert run_events[0]["type"] == "run.started"
        assert run_events[-1]["type"] == "run.finished"
    logs = "".join(cluster.log(f"worker{n}.log") for n in range(3))
    completed = [int(n) for n in re.findall(r"worker stopped: (\d+) completed", logs)]
    assert len(completed) == 3 and all(completed) and sum(completed) == PLANS


def test_sigkill_mid_run_resumes_elsewhere_without_rerunning_completed_tasks(
    tmp_path: Path, nats_server: Any
) -> None:
    ack_wait = 3.0
    cluster = Cluster(tmp_path, nats_server.url, ack_wait_seconds=ack_wait)
    try:
        workers = [cluster.worker(0), cluster.worker(1)]
        cluster.follower()
        run_id = cluster.submit([effect_plan(4.0)], wait=False)[0].run_id
        # killed once the nap started: "first" is done and recorded, "last" is still to come
        assert wait_for(lambda: _started(cluster, run_id, "nap"), 30)
        assert cluster.effects(run_id) == ["first"]
        owner = cluster.events()[run_id][0]["worker"]
        victim = next(w for w in workers if owner.endswith(f":{w.pid}"))
        victim.send_signal(signal.SIGKILL)
        victim.wait(5)
        killed_at = time.monotonic()
        assert wait_for(lambda: _attempts(cluster, run_id) >= 2, 30, step=0.05)
        recovered = time.monotonic() - killed_at
        assert wait_for(lambda: len(cluster.archived()) == 1, 60)
    finally:
        cluster.stop_all()
    assert cluster.effects(run_id) == ["first", "last"]  # "first" ran once, before the kill
    assert len(cluster.archived()) == 1
    assert recovered <= ack_wait + 1.0, recovered  # the recovery target
    started = [e for e in cluster.events()[run_id] if e["type"] == "run.started"]
    assert started[-1]["data"]["already_completed"] == 1
    assert started[-1]["worker"] != owner


def _attempts(cluster: Cluster, run_id: str) -> int:
    events = cluster.events().get(run_id, [])
    return len([e for e in events if e["type"] == "run.started"])


def test_sigterm_hands_back_the_run_and_the_next_worker_resumes_it(
    tmp_path: Path, nats_server: Any
) -> None:
    cluster = Cluster(tmp_path, nats_server.url, ack_wait_seconds=30)
    try:
        leaving = cluster.worker(0, grace=0.5)
        run_id = cluster.submit([effect_plan(5.0)], wait=False)[0].run_id
        assert wait_for(lambda: _started(cluster, run_id, "nap"), 30)
        leaving.send_signal(signal.SIGTERM)
        assert leaving.wait(20) == 0
        handed_back_at = time.monotonic()
        cluster.worker(1)
        cluster.follower()
        assert wait_for(lambda: len(cluster.archived()) == 1, 60)
        # nak'ed, not left to ack_wait (30 s): the next worker took it at once
        assert time.monotonic() - handed_back_at < 20
    finally:
        cluster.stop_all()
    assert "1 handed back" in cluster.log("worker0.log")
    assert cluster.effects(run_id) == ["first", "last"]


def test_cancel_reaches_the_worker_running_the_run(
    tmp_path: Path, nats_server: Any, cli: Any
) -> None:
    cluster = Cluster(tmp_path, nats_server.url, ack_wait_seconds=4)
    try:
        cluster.worker(0)
        cluster.follower()
        run_id = cluster.submit([effect_plan(30.0)], wait=False)[0].run_id
        assert wait_for(lambda: _started(cluster, run_id, "nap"), 30)
        result = cli("nats", "cancel", run_id, "--nats", nats_server.url)
        assert result.exit_code == 0, result.output
        assert wait_for(lambda: len(cluster.archived()) == 1, 20)
    finally:
        cluster.stop_all()
    finished = [e for e in cluster.events()[run_id] if e["type"] == "run.finished"]
    assert finished[-1]["data"]["status"] == "cancelled"
    assert cluster.effects(run_id) == ["first"]


def test_nats_server_restart_mid_stream_and_the_work_completes(
    tmp_path: Path, nats_server: Any
) -> None:
    cluster = Cluster(tmp_path, nats_server.url, ack_wait_seconds=5)
    count = 60
    try:
        cluster.worker(0, concurrency=2)
        cluster.worker(1, concurrency=2)
        cluster.follower()
        plans = [small_plan(i, tasks=3) for i in range(count)]
        for plan in plans:
            plan["tasks"][1] = {
                "id": "t1", "type": "delay", "parameters": {"seconds": 0.2},
                "dependencies": ["t0"],
            }  # fmt: skip
        cluster.submit(plans, wait=False)
        assert wait_for(lambda: len(cluster.archived()) >= 5, 60)
        nats_server.restart()
        assert wait_for(lambda: len(cluster.archived()) == count, 120)
    finally:
        cluster.stop_all()
    assert len(set(cluster.archived())) == count


def test_poison_plan_ends_in_dead_letters_and_others_are_unaffected(
    tmp_path: Path, nats_server: Any
) -> None:
    cluster = Cluster(tmp_path, nats_server.url, ack_wait_seconds=2, max_deliver=3)
    try:
        submitted = cluster.submit([poison_plan(), *[small_plan(i) for i in range(10)]], wait=False)
        poison = submitted[0].run_id
        workers = [cluster.worker(n) for n in range(2)]
        cluster.follower()
        deadline = time.monotonic() + 120
        dead: list[str] = []
        # a supervisor's loop: restart what the poison killed until it is dead-lettered
        while time.monotonic() < deadline and (len(cluster.archived()) < 10 or poison not in dead):
            for n, process in enumerate(workers):
                if process.poll() is not None:
                    workers[n] = cluster.worker(len(cluster.processes))
            dead = [d["run_id"] for d in _status(cluster)["dead_letters"]]
            time.sleep(0.3)
        assert len(cluster.archived()) == 10
        assert poison in dead
        status = _status(cluster)
    finally:
        cluster.stop_all()
    assert status["consumers"][0]["pending"] == 0
    assert status["streams"][0] == {"stream": "ALTLAS_RUNS", "messages": 0, "bytes": 0}
    assert not any(f"{poison[4:]}" in r for r in cluster.archived())


def _started(cluster: Cluster, run_id: str, task_id: str) -> bool:
    events = cluster.events().get(run_id, [])
    return any(e["type"] == "task.started" and e.get("task_id") == task_id for e in events)


def _status(cluster: Cluster) -> dict[str, Any]:
    import asyncio

    from altlas.scale.status import status

    return asyncio.run(status(cluster.config))


def test_big_artifacts_go_to_the_object_store_by_content_hash(
    tmp_path: Path, nats_server: Any
) -> None:
    import asyncio
    import hashlib

    import orjson

    from altlas.scale.runstate import get_object

    cluster = Cluster(tmp_path, nats_server.url, inline_result_bytes=1024)
    plan = {"format": "altlas.alt", "id": "big", "tasks": [{"id": "b", "type": "big_file"}]}
    try:
        cluster.worker(0)
        done = cluster.submit([plan], wait=True, timeout=60)
    finally:
        cluster.stop_all()
    assert done[0].status == "success" and done[0].result is not None
    result = orjson.loads(done[0].result)
    name = result["artifacts"][0]["metadata"]["object_store"]
    expected = b"0123456789abcdef" * 1024
    assert name == "sha256-" + hashlib.sha256(expected).hexdigest()

    async def fetch() -> bytes:
        from altlas.scale.config import close_quietly, connect

        nc = await connect(cluster.config)
        try:
            return await get_object(nc.jetstream(), name)
        finally:
            await close_quietly(nc)

    assert asyncio.run(fetch()) == expected
