"""SIGTERM on a real ``altlas worker`` process: idle, it ends within a second; busy, it first
finishes its run (or hands it back when the grace period is over, see test_scenarios)."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Any

from tests.scale.harness import Cluster, wait_for
from tests.scale.plans import effect_plan, small_plan


def test_an_idle_worker_ends_within_a_second_of_sigterm(tmp_path: Path, nats_server: Any) -> None:
    cluster = Cluster(tmp_path, nats_server.url, ack_wait_seconds=30)
    try:
        worker = cluster.worker(0, concurrency=4)
        done = cluster.submit([small_plan(0)], wait=True, timeout=60)  # up, pulling, then idle
        assert done[0].status == "success"
        time.sleep(1.5)  # well into waiting on an empty queue
        asked = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        code = worker.wait(10)
        took = time.monotonic() - asked
    finally:
        cluster.stop_all()
    assert code == 0, cluster.log("worker0.log")
    assert took <= 1.0, took
    assert "worker stopped: 1 completed" in cluster.log("worker0.log")


def test_a_busy_worker_finishes_its_run_before_it_ends(tmp_path: Path, nats_server: Any) -> None:
    cluster = Cluster(tmp_path, nats_server.url, ack_wait_seconds=30)
    try:
        worker = cluster.worker(0, concurrency=2, grace=20)
        run_id = cluster.submit([effect_plan(1.5)], wait=False)[0].run_id
        assert wait_for(lambda: cluster.effects(run_id) == ["first"], 30, step=0.05)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(30) == 0
        assert cluster.effects(run_id) == ["first", "last"]  # finished, not cut short
        # its result was committed and published before the process ended: a follower that
        # starts only now archives it, and no other worker is needed
        follower = cluster.follower(idle_exit=3)
        assert follower.wait(60) == 0
    finally:
        cluster.stop_all()
    assert len(cluster.archived()) == 1
    log = cluster.log("worker0.log")
    assert "worker stopped: 1 completed" in log and "0 handed back" in log
