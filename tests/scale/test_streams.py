from __future__ import annotations

import asyncio
from typing import Any

from altlas.scale.config import NatsConfig, connect
from altlas.scale.streams import DEAD, EVENTS, LEASES, RESULTS, RUNS, ensure_all, key_of


def test_streams_consumers_and_buckets_are_created_twice_without_error(nats_server: Any) -> None:
    config = NatsConfig(
        url=nats_server.url, ack_wait_seconds=5, max_deliver=3, backoff_seconds=[1, 2]
    )

    async def check() -> dict[str, Any]:
        nc = await connect(config)
        js = nc.jetstream()
        await ensure_all(js, config)
        await ensure_all(js, config)
        runs = await js.stream_info(RUNS)
        workers = await js.consumer_info(RUNS, "workers")
        names = {s.config.name for s in await js.streams_info()}
        await nc.close()
        return {"runs": runs, "workers": workers, "names": names}

    found = asyncio.run(check())
    assert str(found["runs"].config.retention) in ("workqueue", "RetentionPolicy.WORK_QUEUE")
    assert "file" in str(found["runs"].config.storage).lower()
    workers = found["workers"].config
    assert workers.max_deliver == 3 and "explicit" in str(workers.ack_policy).lower()
    assert workers.backoff == [1.0, 2.0]
    assert {RUNS, EVENTS, RESULTS, DEAD, f"KV_{LEASES}"} <= found["names"]


def test_keys_are_subject_safe_and_distinct() -> None:
    keys = {key_of(x) for x in ("run.a", "run a", "run_a", "ü/*>")}
    assert len(keys) == 4
    assert all(
        set(k) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        for k in keys
    )


def test_an_older_results_stream_is_brought_to_sourcing_the_commits(nats_server: Any) -> None:
    """A stream made by an earlier version (subjects, no sources) is updated by a worker's
    ``ensure_all(update=True)``: a commit marker then reaches it, a publish no longer does."""
    from nats.js.api import StreamConfig
    from nats.js.errors import NoStreamResponseError

    from altlas.scale.config import close_quietly
    from altlas.scale.streams import STATE

    async def scenario() -> tuple[int, bool]:
        nc = await connect(NatsConfig(url=nats_server.url))
        try:
            js = nc.jetstream()
            await js.add_stream(StreamConfig(name=RESULTS, subjects=["altlas.results.>"]))
            await ensure_all(js, NatsConfig(url=nats_server.url), update=True)
            state = await js.key_value(STATE)
            await state.create(f"done.{key_of('run_old')}", b'{"attempt": 1, "result": ""}')
            refused = False
            try:
                await js.publish(f"altlas.results.{key_of('run_x')}", b"{}")
            except NoStreamResponseError:
                refused = True
            for _ in range(50):  # the server copies the marker in shortly
                if (await js.stream_info(RESULTS)).state.messages:
                    break
                await asyncio.sleep(0.1)
            copied = await js.get_last_msg(RESULTS, f"altlas.results.{key_of('run_old')}")
            return int(copied.seq or 0), refused
        finally:
            await close_quietly(nc)

    seq, refused = asyncio.run(scenario())
    assert seq == 1 and refused
