"""A worker hands transient failures back to the queue and dead-letters the rest at once.

Real nats-server, a real worker and follower process. Short backoff so the retries are quick;
the ack_wait is long (20 s), so every redelivery seen here comes from a nak, not a timeout.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from tests.scale.harness import Cluster, wait_for

from altlas.scale.runner import retry_later
from altlas.scale.streams import key_of


def _plan(plan_id: str, *tasks: dict[str, Any]) -> dict[str, Any]:
    return {"format": "altlas.alt", "id": plan_id, "tasks": list(tasks)}


def _dead(cluster: Cluster) -> dict[str, str]:
    from altlas.scale.status import status

    found = asyncio.run(status(cluster.config))["dead_letters"]
    return {d["run_id"]: d["reason"] for d in found}


def _calls(cluster: Cluster, run_id: str) -> int:
    path = cluster.workspaces / key_of(run_id) / "calls.txt"
    return len(path.read_text().split()) if path.exists() else 0


def test_unavailable_is_retried_and_invalid_input_is_dead_at_once(
    tmp_path: Path, nats_server: Any
) -> None:
    cluster = Cluster(
        tmp_path, nats_server.url, ack_wait_seconds=20, max_deliver=3, backoff_seconds=[0.2]
    )
    marker = {"marker": str(tmp_path / "store-unlocked")}
    plans = [
        # a backend down on the first delivery: the completed "first" is not run again
        _plan(
            "flaky",
            {"id": "first", "type": "append_line"},
            {"id": "call", "type": "unavailable", "dependencies": ["first"]},
        ),
        # a store locked while the run is prepared, before any task ran
        _plan("locked", {"id": "t", "type": "unavailable_at_check", "parameters": marker}),
        # never comes back: a dead letter after max_deliver (3) deliveries
        _plan("down", {"id": "call", "type": "unavailable", "parameters": {"fail": 99}}),
        # bad input: redelivery cannot help
        _plan("invalid", {"id": "t", "type": "echo", "dependencies": ["nowhere"]}),
    ]  # fmt: skip
    started = time.monotonic()
    try:
        cluster.worker(0, concurrency=4)
        cluster.follower()
        flaky, locked, down, invalid = (s.run_id for s in cluster.submit(plans, wait=False))
        assert wait_for(lambda: len(cluster.archived()) >= 2 and len(_dead(cluster)) >= 2, 60)
        archived, dead = cluster.archived(), _dead(cluster)
    finally:
        cluster.stop_all()
    assert time.monotonic() - started < 20  # retried after the backoff, not after ack_wait
    assert len(archived) == 2
    assert any(flaky[4:] in r for r in archived) and any(locked[4:] in r for r in archived)
    assert set(dead) == {down, invalid}
    assert "still unavailable after 3 deliveries" in dead[down]
    assert "the backend is down" in dead[down]
    assert "deliveries" not in dead[invalid]
    assert _calls(cluster, flaky) == 2 and _calls(cluster, down) == 3
    assert cluster.effects(flaky) == ["first"]  # restored on the second delivery, not re-run
    events = cluster.events()
    starts = [e for e in events[flaky] if e["type"] == "run.started"]
    assert [e["attempt"] for e in starts] == [1, 2]
    assert starts[-1]["data"]["already_completed"] == 1
    finished = [e for e in events[flaky] if e["type"] == "run.finished"]
    assert finished[-1]["data"]["status"] == "success"
    assert invalid not in events  # never started: dead at its first delivery
    # flaky 1 + locked 1 + down 2 retries; down's last delivery and invalid are dead letters
    assert "2 completed, 0 republished, 0 handed back, 4 retried, 0 refused, 2 rejected" in (
        cluster.log("worker0.log")
    )


def test_only_what_waiting_can_cure_is_retried() -> None:
    from altlas.errors import (
        ArchiveUnavailableError,
        ConflictError,
        CorruptError,
        InvalidInputError,
        MissingExtraError,
        NotFoundError,
        UnavailableError,
    )

    assert retry_later(UnavailableError("busy"))
    assert retry_later(ArchiveUnavailableError("locked"))
    assert not retry_later(MissingExtraError("nats", "nats-py"))
    for error in (InvalidInputError, NotFoundError, ConflictError, CorruptError):
        assert not retry_later(error("no"))
