"""Leases, fencing and task completions against a real JetStream KV."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import orjson
import pytest

from altlas.scale.acked import AckedPublisher
from altlas.scale.config import NatsConfig, close_quietly, connect
from altlas.scale.follow import Follower
from altlas.scale.runstate import LeaseLost, RunState
from altlas.scale.streams import LEASES, STATE, ensure_all, key_of


async def _states(
    config: NatsConfig, run_id: str, n: int, ttl: float | None = None
) -> tuple[Any, list[RunState]]:
    nc = await connect(config)
    js = nc.jetstream()
    await ensure_all(js, config)
    leases, state = await js.key_value(LEASES), await js.key_value(STATE)
    # as the worker has them: creates and commits the fast way, nats-py's when refused
    acked = AckedPublisher(nc)
    await acked.start()
    return nc, [
        RunState(js, leases, state, run_id, 1024, lease_ttl=ttl, acked=acked) for _ in range(n)
    ]


def test_a_stale_worker_cannot_commit_after_its_lease_expired(nats_server: Any) -> None:
    config = NatsConfig(url=nats_server.url, ack_wait_seconds=1.5)  # lease TTL 1 s

    async def scenario() -> None:
        nc, (stale, fresh) = await _states(config, "run_fence", 2)
        try:
            assert await stale.acquire("A", 1)
            assert not await fresh.acquire("B", 2)  # held
            await asyncio.sleep(config.lease_ttl + 1.0)  # A paused past its TTL
            assert await fresh.acquire("B", 2)
            assert fresh.fence != stale.fence
            with pytest.raises(LeaseLost):
                await stale.renew("A", 1)
            with pytest.raises(LeaseLost):
                await stale.commit("A", 1, b'{"late": true}')
            won = await fresh.commit("B", 2, b'{"status": "success"}')
            assert won is not None and won.attempt == 2
            again = await fresh.commit("B", 2, b"{}")
            assert again is None  # one commit per run, ever
            seen = await stale.committed()
            assert seen is not None and seen.result == b'{"status": "success"}'
            # the creates and the commit went the fast way (a publisher that stopped
            # answering would leave every write to nats-py, silently slower)
            assert stale.acked is not None and stale.acked._count >= 3
        finally:
            await close_quietly(nc)

    asyncio.run(scenario())


def test_a_run_well_inside_its_lease_commits_without_renewing_and_a_late_one_renews(
    nats_server: Any,
) -> None:
    config = NatsConfig(url=nats_server.url, ack_wait_seconds=1.5)  # lease TTL 1 s

    async def scenario() -> None:
        nc, (quick,) = await _states(config, "run_quick", 1, config.lease_ttl)
        nc2, (other_stale, other_fresh) = await _states(config, "run_slow", 2, config.lease_ttl)
        try:
            assert await quick.acquire("A", 1)
            taken = quick.fence
            assert await quick.commit("A", 1, b"{}") is not None
            lease = await quick.leases.get(quick.key)
            assert lease.revision == taken  # no renewal round trip: the clock proved it held
            assert await other_stale.acquire("A", 1)
            await asyncio.sleep(config.lease_ttl + 1.0)  # paused past its TTL
            assert await other_fresh.acquire("B", 2)
            with pytest.raises(LeaseLost):  # past half the TTL: renews, and learns it lost
                await other_stale.commit("A", 1, b'{"late": true}')
            assert await other_fresh.commit("B", 2, b"{}") is not None
        finally:
            await close_quietly(nc)
            await close_quietly(nc2)

    asyncio.run(scenario())


def test_completions_survive_for_the_next_worker(nats_server: Any) -> None:
    config = NatsConfig(url=nats_server.url)

    async def scenario() -> list[dict[str, Any]]:
        nc, (first, second, other) = await _states(config, "run.with dots", 3)
        other.run_id, other.key = "run.with", key_of("run.with")
        try:
            first.note("a", {"task_id": "a", "status": "completed"}, effectful=True)
            first.note("b/c d", {"task_id": "b/c d", "status": "completed"}, effectful=True)
            other.note("x", {"task_id": "x", "status": "completed"}, effectful=True)
            await first.durable()
            await other.durable()
            return await second.completed_tasks()
        finally:
            await close_quietly(nc)

    rows = asyncio.run(scenario())
    assert sorted(r["task_id"] for r in rows) == ["a", "b/c d"]


def test_pure_completions_wait_for_a_heartbeat_and_effectful_ones_do_not(
    nats_server: Any,
) -> None:
    config = NatsConfig(url=nats_server.url)

    async def scenario() -> tuple[list[str], list[str], list[str]]:
        nc, (worker, reader) = await _states(config, "run_mixed", 2)
        try:
            worker.note("pure", {"task_id": "pure", "status": "completed"}, effectful=False)
            worker.note("effect", {"task_id": "effect", "status": "completed"}, effectful=True)
            await worker.durable()
            before = [r["task_id"] for r in await reader.completed_tasks()]
            await worker.save_progress()
            after = [r["task_id"] for r in await reader.completed_tasks()]
            worker.note("late", {"task_id": "late", "status": "completed"}, effectful=False)
            await worker.settle()  # the run committed: a kept pure completion is moot
            settled = [r["task_id"] for r in await reader.completed_tasks()]
            return before, sorted(after), sorted(settled)
        finally:
            await close_quietly(nc)

    before, after, settled = asyncio.run(scenario())
    assert before == ["effect"]
    assert after == settled == ["effect", "pure"]


def test_big_results_go_to_the_object_store_by_content_hash(nats_server: Any) -> None:
    config = NatsConfig(url=nats_server.url)
    big = orjson.dumps({"pad": "x" * 5000})

    async def scenario() -> tuple[bytes, Any]:
        nc, (state,) = await _states(config, "run_big", 1)
        try:
            assert await state.acquire("A", 1)
            await state.commit("A", 1, big)
            entry = await state.state.get(f"done.{state.key}")
            found = await state.committed()
            assert found is not None
            return found.result, orjson.loads(entry.value or b"{}")
        finally:
            await close_quietly(nc)

    result, marker = asyncio.run(scenario())
    assert result == big
    assert marker["object"].startswith("sha256-") and "result" not in marker


def test_only_a_commit_marker_becomes_a_result(nats_server: Any, altlas_home: Path) -> None:
    """ALTLAS_RESULTS takes no publish; the server copies the ``done.*`` writes in, and the
    follower refuses the copy of a marker's delete."""
    from nats.js.errors import NoStreamResponseError

    config = NatsConfig(url=nats_server.url)

    async def scenario() -> Any:
        nc, (state,) = await _states(config, "run_forged", 1)
        try:
            js = nc.jetstream()
            headers = {"Altlas-Run-Id": "run_forged", "Altlas-Fence": "1", "Nats-Msg-Id": "f:1"}
            with pytest.raises(NoStreamResponseError):
                await js.publish(f"altlas.results.{state.key}", b"{}", headers=headers)
            await state.state.delete(f"done.{state.key}")  # a tombstone, sourced as well
        finally:
            await close_quietly(nc)
        return await Follower(config, altlas_home, idle_exit=1).serve(asyncio.Event())

    stats = asyncio.run(scenario())
    assert stats.refused == 1 and stats.archived == 0
