"""What another NATS client can make a server do through the bridges: only what they carry.

``altlas.bus.*`` (cache invalidation) applies only archive/atlas/session-revocation events;
``altlas.events.*`` (run progress) reaches the bus only as run, task or job events. A forged
message can at worst clear a cache or wake an SSE stream, never pose as another kind of event.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import orjson
import pytest

pytest.importorskip("nats")

from altlas.events.bus import Event, EventBus
from altlas.scale.config import NatsConfig, close_quietly, connect
from altlas.scale.eventbridge import REMOTE, EventBridge
from altlas.scale.invalidation import SUBJECT, Invalidation
from altlas.scale.local_server import LocalNatsServer
from altlas.scale.streams import key_of


async def _forge(url: str) -> list[Event]:
    bus = EventBus()
    seen: list[Event] = []
    bus.subscribe(seen.append)
    server_side = await connect(NatsConfig(url=url))
    attacker = await connect(NatsConfig(url=url))
    invalidation, events = Invalidation(bus), EventBridge(bus)
    try:
        await invalidation.start(server_side)
        await events.start(server_side)
        await server_side.flush()

        def body(type_: str, **data: object) -> bytes:
            return orjson.dumps({"origin": "elsewhere", "type": type_, "data": data})

        await attacker.publish(f"{SUBJECT}.job.finished", body("job.finished", job_id="x"))
        await attacker.publish(f"{SUBJECT}.run.finished", body("llm.call", cost=1))
        await attacker.publish(f"{SUBJECT}.archive.added", body("archive.added", id="r1"))
        await attacker.publish(f"{SUBJECT}.x", b"not json")
        run_subject = f"altlas.events.{key_of('run_1')}"
        await attacker.publish(run_subject, orjson.dumps({"type": "archive.added"}))
        await attacker.publish(run_subject, orjson.dumps({"type": "auth.session_revoked"}))
        await attacker.publish(run_subject, orjson.dumps({"type": "task.started", "seq": 1}))
        # a batch is judged event by event: only the run progress in it passes
        batch = [{"type": "archive.added"}, "x", {"type": "task.finished", "seq": 2}, {"seq": 3}]
        await attacker.publish(run_subject, orjson.dumps(batch))
        await attacker.publish("altlas.events.%%%", orjson.dumps({"type": "task.started"}))
        await attacker.flush()
        for _ in range(100):  # bounded: the three that pass arrive within a few ms
            if len(seen) >= 3:
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.1)  # anything that should not pass has had its chance
        return seen
    finally:
        await invalidation.stop()
        await events.stop()
        await close_quietly(attacker)
        await close_quietly(server_side)


def test_forged_bridge_messages_reach_the_bus_only_as_what_they_may_carry(tmp_path: Path) -> None:
    with LocalNatsServer(tmp_path / "js") as server:
        seen = asyncio.run(_forge(server.url))
    # Two subscriptions deliver these, so only the order within the run's subject is fixed.
    assert sorted((e.type, e.payload is REMOTE) for e in seen) == [
        ("archive.added", True),
        ("task.finished", True),
        ("task.started", True),
    ]
    progress = [e for e in seen if e.type.startswith("task.")]
    assert [e.type for e in progress] == ["task.started", "task.finished"]
    assert progress[0].data["job_id"] == "run_1"


def test_a_remote_event_is_never_forwarded_again(tmp_path: Path) -> None:
    async def scenario(url: str) -> int:
        bus = EventBus()
        nc = await connect(NatsConfig(url=url))
        bridge = Invalidation(bus)
        try:
            await bridge.start(nc)
            bus.publish("archive.added", {"id": "r"}, payload=REMOTE)
            bus.publish("archive.added", {"id": "r"})
            for _ in range(100):
                if bridge.sent:
                    break
                await asyncio.sleep(0.02)
            await asyncio.sleep(0.1)
            return bridge.sent
        finally:
            await bridge.stop()
            await close_quietly(nc)

    with LocalNatsServer(tmp_path / "js") as server:
        assert asyncio.run(scenario(server.url)) == 1


def test_stray_job_records_neither_break_a_listing_nor_pose_as_runs(tmp_path: Path) -> None:
    from altlas.config import load_settings
    from altlas.events.queue import JobNotFoundError
    from altlas.scale.jobqueue import NatsJobQueue
    from altlas.scale.jobviews import JOBS

    async def plant(url: str) -> None:
        nc = await connect(NatsConfig(url=url))
        try:
            kv = await nc.jetstream().key_value(JOBS)
            await kv.put(key_of("run_fake"), orjson.dumps({"id": "run_other", "kind": "run"}))
            await kv.put(key_of("run_list"), b"[1, 2]")
            await kv.put("zz", b"not json")
            await kv.put(key_of("run_payload"), orjson.dumps({"id": "run_payload", "payload": 1}))
        finally:
            await close_quietly(nc)

    with LocalNatsServer(tmp_path / "js") as server:
        queue = NatsJobQueue(load_settings(), NatsConfig(url=server.url), EventBus())
        queue.start()
        try:
            asyncio.run(plant(server.url))
            real = queue.enqueue("run", {"plan": {"id": "p", "tasks": []}}).id
            time.sleep(0.3)  # the watch has seen the stray entries by now
            assert [j.id for j in queue.list_jobs()] == [real]
            for forged in ("run_fake", "run_list", "run_payload"):
                with pytest.raises(JobNotFoundError):
                    queue.get(forged)
        finally:
            queue.close()
