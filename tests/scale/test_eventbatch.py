"""A run's events in batches: when a batch goes out, and how readers unpack it in order."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import orjson

from altlas.run.events import EventType, RunEvent
from altlas.scale.eventbatch import FLUSH_SECONDS, MAX_EVENTS, SEQ_STRIDE, EventBatch, unpack
from altlas.scale.eventbridge import _decode


def _event(seq: int) -> RunEvent:
    return RunEvent(EventType.TASK_STARTED, "run_b", seq, datetime.now(UTC), f"t{seq}")


def test_a_batch_goes_out_when_it_waited_long_enough_or_is_full() -> None:
    async def scenario() -> tuple[int, list[list[int]], list[str]]:
        sent: list[tuple[str, bytes, dict[str, str]]] = []
        batch = EventBatch("run_b", 2, "w1", lambda *message: sent.append(message))
        batch(_event(1))
        batch(_event(2))
        early = len(sent)
        await asyncio.sleep(FLUSH_SECONDS * 3)  # a long run's view lags at most this
        for seq in range(3, 4 + MAX_EVENTS):
            batch(_event(seq))  # the MAX_EVENTS-th goes out at once
        batch.flush()  # the run ended: the rest goes out
        batch.flush()  # nothing left: nothing sent
        seqs = [[e["seq"] for e in unpack(body)] for _, body, _ in sent]
        return early, seqs, [headers["Nats-Msg-Id"] for _, _, headers in sent]

    early, seqs, ids = asyncio.run(scenario())
    assert early == 0
    assert seqs == [[1, 2], list(range(3, 3 + MAX_EVENTS)), [3 + MAX_EVENTS]]
    assert ids == ["run_b:2:1", "run_b:2:3", f"run_b:2:{3 + MAX_EVENTS}"]


def test_readers_give_each_event_of_a_batch_its_own_sequence_in_order() -> None:
    batch = [{"type": "task.started", "seq": n, "worker": "w1"} for n in (1, 2, 3)]
    events = _decode("run_b", 7, orjson.dumps(batch))
    assert [e.seq for e in events] == [7 * SEQ_STRIDE, 7 * SEQ_STRIDE + 1, 7 * SEQ_STRIDE + 2]
    assert [e.data["seq"] for e in events] == [1, 2, 3]
    single = _decode("run_b", 8, orjson.dumps({"type": "job.finished", "time": "t"}))
    assert [e.seq for e in single] == [8 * SEQ_STRIDE]  # after every event of message 7
    assert _decode("run_b", 9, b"not json") == [] and unpack(b"[1, 2]") == []
    assert len(unpack(orjson.dumps([{"type": "x"}] * (SEQ_STRIDE + 5)))) == SEQ_STRIDE


def test_an_event_in_a_batch_is_its_to_dict_with_the_attempt_and_the_worker() -> None:
    from datetime import timedelta, timezone

    times = [
        datetime.now(UTC).replace(microsecond=123456),
        datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),  # no microseconds: none written
        datetime(2026, 1, 2, 3, 4, 5, 7, tzinfo=timezone(timedelta(hours=2))),  # not UTC
    ]
    events = [
        RunEvent(EventType.TASK_FINISHED, "run_b", n + 1, when, "t", {"status": "completed"})
        for n, when in enumerate(times)
    ] + [RunEvent(EventType.RUN_STARTED, "run_b", 4, times[0], None, {"n": Path("x")})]

    async def scenario() -> bytes:
        sent: list[bytes] = []
        batch = EventBatch("run_b", 3, "w9", lambda _s, body, _h: sent.append(body))
        for event in events:
            batch(event)
        batch.flush()
        return sent[0]

    expected = [
        orjson.dumps(e.to_dict() | {"attempt": 3, "worker": "w9"}, default=str) for e in events
    ]
    assert asyncio.run(scenario()) == b"[" + b",".join(expected) + b"]"
    assert (
        b'"2026-01-02T03:04:05Z"' in expected[1] and b'"2026-01-02T01:04:05.000007Z"' in expected[2]
    )
