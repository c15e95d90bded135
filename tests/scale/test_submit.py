"""``submit_jobs`` against a real nats-server: jobs are queued once, and a wait that runs out
says how many runs are missing."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from tests.scale.plans import small_jobs

from altlas.errors import UnavailableError
from altlas.scale.config import NatsConfig, close_quietly, connect
from altlas.scale.streams import RUNS
from altlas.scale.submit import submit_jobs

pytest.importorskip("nats")


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
        asyncio.run(submit_jobs(config, small_jobs("sub", 3), wait=True, timeout=0.5))
    done = asyncio.run(submit_jobs(config, small_jobs("sub", 3), wait=False))
    assert [d.run_id for d in done] == ["run_sub_0", "run_sub_1", "run_sub_2"]
    assert all(d.status is None for d in done)
    assert asyncio.run(_queued(config)) == 3  # the run ids deduplicated the second submit


def test_a_result_that_cannot_be_read_ends_the_wait_with_one_line(nats_server: Any) -> None:
    import orjson

    from altlas.scale.streams import STATE, key_of

    config = NatsConfig(url=nats_server.url)

    async def scenario() -> None:
        await submit_jobs(config, [], wait=False)  # the streams and buckets, made
        waiting = asyncio.create_task(
            submit_jobs(config, small_jobs("sub", 1), wait=True, timeout=30)
        )
        while await _queued(config) < 1:  # subscribed and published: the job is queued
            await asyncio.sleep(0.02)
        nc = await connect(config)
        try:  # a commit whose body is said to be in the object store, and is not
            state = await nc.jetstream().key_value(STATE)
            body = {"attempt": 1, "worker": "w", "lease": 1, "object": "sha256-" + "0" * 64}
            await state.create(f"done.{key_of('run_sub_0')}", orjson.dumps(body))
        finally:
            await close_quietly(nc)
        await waiting

    with pytest.raises(UnavailableError, match=r"^cannot read the result of run_sub_0: "):
        asyncio.run(scenario())
