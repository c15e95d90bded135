"""The worker's intake against a real JetStream: never more jobs than slots, requests in
batches, and a stopped one leaves no pull request behind that would hold a job for ack_wait."""

from __future__ import annotations

import asyncio
from typing import Any

from altlas.scale.config import NatsConfig, close_quietly, connect
from altlas.scale.puller import Puller
from altlas.scale.streams import RUNS, WORKER_CONSUMER, ensure_all


async def _publish(js: Any, n: int, start: int = 0) -> None:
    await asyncio.gather(*(js.publish(f"altlas.runs.j{i}", b"{}") for i in range(start, start + n)))


def test_jobs_never_outnumber_the_slots_and_pulls_come_in_batches(nats_server: Any) -> None:
    config = NatsConfig(url=nats_server.url, ack_wait_seconds=30)

    async def scenario() -> tuple[int, int, int]:
        nc = await connect(config)
        try:
            js = nc.jetstream()
            await ensure_all(js, config)
            running, most, done = 0, 0, 0
            finished = asyncio.Event()

            async def handle(msg: Any) -> None:
                nonlocal running, most, done
                running += 1
                most = max(most, running)
                await asyncio.sleep(0.01)
                running -= 1
                await msg.ack()
                done += 1
                if done == 60:
                    finished.set()

            requests = 0
            sent = nc.publish

            async def counting(subject: str, *args: Any, **kw: Any) -> None:
                nonlocal requests
                requests += subject.endswith(f"MSG.NEXT.{RUNS}.{WORKER_CONSUMER}")
                await sent(subject, *args, **kw)

            nc.publish = counting  # type: ignore[method-assign]  # counts, still sends
            stop = asyncio.Event()
            puller = Puller(nc, 8, handle)
            pulling = asyncio.create_task(puller.run(stop))
            await _publish(js, 60)
            await asyncio.wait_for(finished.wait(), 30)
            stop.set()
            await asyncio.wait_for(pulling, 5)
            return most, done, requests
        finally:
            await close_quietly(nc)

    most, done, requests = asyncio.run(scenario())
    assert done == 60 and most <= 8
    assert requests <= 60 // 2 + 10  # a request per two or more jobs, plus the idle ones


def test_a_stopped_puller_leaves_no_request_behind_to_swallow_a_job(nats_server: Any) -> None:
    config = NatsConfig(url=nats_server.url, ack_wait_seconds=30)

    async def scenario() -> int:
        nc = await connect(config)
        try:
            js = nc.jetstream()
            await ensure_all(js, config)
            stop = asyncio.Event()
            handled: list[Any] = []

            async def handle(msg: Any) -> None:
                handled.append(msg)

            puller = Puller(nc, 4, handle)
            pulling = asyncio.create_task(puller.run(stop))
            await asyncio.sleep(0.05)  # its request for four is outstanding
            stop.set()
            await asyncio.wait_for(pulling, 5)
            await _publish(js, 1)
            # a second reader gets it now (not after ack_wait, 30 s), delivered once before
            sub = await js.pull_subscribe("altlas.runs.>", durable=WORKER_CONSUMER, stream=RUNS)
            msgs = await sub.fetch(1, timeout=5)
            assert handled == []
            return int(msgs[0].metadata.num_delivered or 0)
        finally:
            await close_quietly(nc)

    assert asyncio.run(scenario()) == 1  # the stopped worker's request was withdrawn
