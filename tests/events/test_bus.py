"""The event bus: filtering, thread-safe delivery to async streams, bounded queues."""

from __future__ import annotations

import asyncio
import threading

from altlas.events.bus import Event, EventBus


def test_callbacks_receive_matching_types_and_prefixes() -> None:
    bus = EventBus()
    exact: list[str] = []
    prefixed: list[str] = []
    everything: list[str] = []
    bus.subscribe(lambda e: exact.append(e.type), types=["run.finished"])
    bus.subscribe(lambda e: prefixed.append(e.type), types=["task."])
    bus.subscribe(lambda e: everything.append(e.type))
    for name in ("run.started", "task.started", "task.finished", "run.finished"):
        bus.publish(name, {"n": 1})
    assert exact == ["run.finished"]
    assert prefixed == ["task.started", "task.finished"]
    assert everything == ["run.started", "task.started", "task.finished", "run.finished"]


def test_a_failing_subscriber_does_not_stop_the_others(caplog) -> None:
    bus = EventBus()
    seen: list[str] = []

    def broken(_event: Event) -> None:
        raise RuntimeError("boom")

    bus.subscribe(broken)
    bus.subscribe(lambda e: seen.append(e.type))
    bus.publish("archive.added", {"id": "x"})
    bus.publish("archive.added", {"id": "y"})
    assert seen == ["archive.added", "archive.added"]
    assert "subscriber failed" in caplog.text


def test_unsubscribe_stops_delivery() -> None:
    bus = EventBus()
    seen: list[str] = []
    sub = bus.subscribe(lambda e: seen.append(e.type))
    bus.publish("a")
    sub.close()
    bus.publish("b")
    assert seen == ["a"]


def test_stream_receives_events_published_from_other_threads() -> None:
    async def scenario() -> list[int]:
        bus = EventBus()
        with bus.stream(types=["tick"]) as stream:

            def produce() -> None:
                for n in range(5):
                    bus.publish("tick", {"n": n})
                    bus.publish("other", {"n": n})

            thread = threading.Thread(target=produce)
            thread.start()
            got = []
            for _ in range(5):
                event = await stream.get(timeout=5)
                assert event is not None
                got.append(event.data["n"])
            thread.join()
            assert await stream.get(timeout=0.05) is None
            return got

    assert asyncio.run(scenario()) == [0, 1, 2, 3, 4]


def test_stream_overflow_drops_the_oldest() -> None:
    async def scenario() -> tuple[list[int], int]:
        bus = EventBus()
        stream = bus.stream(maxsize=3)
        for n in range(10):
            bus.publish("tick", {"n": n})
        got = []
        while (event := await stream.get(timeout=0.01)) is not None:
            got.append(event.data["n"])
        stream.close()
        bus.publish("tick", {"n": 99})
        assert await stream.get(timeout=0.01) is None
        return got, stream.dropped

    got, dropped = asyncio.run(scenario())
    assert got == [7, 8, 9]
    assert dropped == 7


def test_event_to_dict_is_json_ready() -> None:
    event = Event("archive.added", {"id": "r1"}, payload=object())
    out = event.to_dict()
    assert out["type"] == "archive.added"
    assert out["data"] == {"id": "r1"}
    assert out["time"].endswith("Z")
    assert "payload" not in out
