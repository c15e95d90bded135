"""``submit_jobs`` against a real nats-server: jobs are queued once, and a wait that runs out
says how many runs are missing."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from tests.scale.plans import small_plan

from altlas.errors import UnavailableError
from altlas.scale.config import NatsConfig, close_quietly, connect
from altlas.scale.streams import RUNS
from altlas.scale.submit import submit_jobs

pytest.importorskip("nats")


def _jobs(count: int) -> list[tuple[str, dict[str, Any]]]:
    return [(f"plan{i}", {"run_id": f"run_sub_{i}", "plan": small_plan(i)}) for i in range(count)]


async def _queued(config: NatsConfig) -> int:
    nc = await connect(config)
    try:
        return int((await nc.jetstream().stream_info(RUNS)).state.messages)
    finally:
        await close_quietly(nc)


def test_a_wait_without_workers_names_the_missing_runs_and_a_resubmit_is_no_second_job(
    nats_server: Any,
) -> None:
    config = NatsConfig(url=nats_server.url)
    with pytest.raises(UnavailableError, match=r"^3 run\(s\) not finished within 0\.5 s$"):
        asyncio.run(submit_jobs(config, _jobs(3), wait=True, timeout=0.5))
    done = asyncio.run(submit_jobs(config, _jobs(3), wait=False))
    assert [d.run_id for d in done] == ["run_sub_0", "run_sub_1", "run_sub_2"]
    assert all(d.status is None for d in done)
    assert asyncio.run(_queued(config)) == 3  # the run ids deduplicated the second submit
