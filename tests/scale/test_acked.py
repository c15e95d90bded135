"""The worker's fast acked publish (``altlas.scale.acked``) against a real nats-server: a clean
write answers with its sequence, anything else is nats-py's answer, as if it had gone that way."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from altlas.scale.acked import AckedPublisher, Fallback, kv_create
from altlas.scale.config import NatsConfig, close_quietly, connect

pytest.importorskip("nats")


@contextlib.asynccontextmanager
async def _publisher_over(url: str, stream: str, subjects: list[str]) -> AsyncIterator[Any]:
    """A started AckedPublisher on a new connection, and that connection's JetStream context
    with ``stream`` made."""
    nc = await connect(NatsConfig(url=url))
    try:
        js = nc.jetstream()
        await js.add_stream(name=stream, subjects=subjects)
        acked = AckedPublisher(nc)
        await acked.start()
        yield js, acked
    finally:
        await close_quietly(nc)


def test_create_is_fast_when_clean_and_nats_pys_when_the_key_is_there(nats_server: Any) -> None:
    from nats.js.errors import KeyWrongLastSequenceError

    async def scenario() -> None:
        nc = await connect(NatsConfig(url=nats_server.url))
        try:
            js = nc.jetstream()
            kv = await js.create_key_value(bucket="ACKED")
            acked = AckedPublisher(nc)
            with pytest.raises(Fallback):  # not started: nats-py's way
                await acked.publish("$KV.ACKED.k", b"zero", {})
            await acked.start()
            first = await kv_create(acked, kv, "ACKED", "k", b"one")
            assert acked._count == 1  # the fast way answered
            assert first == (await kv.get("k")).revision
            with pytest.raises(Fallback):  # refused, and its "seq" 0 is no revision
                await acked.publish(
                    "$KV.ACKED.k", b"two", {"Nats-Expected-Last-Subject-Sequence": "0"}
                )
            with pytest.raises(KeyWrongLastSequenceError):
                await kv_create(acked, kv, "ACKED", "k", b"two")
            assert (await kv.get("k")).value == b"one"
            await kv.delete("k")
            # over the tombstone: nats-py's way
            again = await kv_create(acked, kv, "ACKED", "k", b"three")
            entry = await kv.get("k")
            assert (entry.value, entry.revision) == (b"three", again)
        finally:
            await close_quietly(nc)

    asyncio.run(scenario())


def test_publish_without_a_stream_falls_back_and_a_stream_acks_with_its_sequence(
    nats_server: Any,
) -> None:
    async def scenario() -> None:
        async with _publisher_over(nats_server.url, "ACKED", ["acked.>"]) as (js, acked):
            with pytest.raises(Fallback):  # no responders
                await acked.publish("nowhere.x", b"x", {})
            seqs = [await acked.publish("acked.x", b"x", {"Nats-Msg-Id": "m1"}) for _ in range(2)]
            assert seqs == [1, 1]  # the second is a duplicate of the first
            assert (await js.stream_info("ACKED")).state.messages == 1

    asyncio.run(scenario())


def test_publish_acked_stores_once_the_fast_way_and_falls_back_to_nats_py(nats_server: Any) -> None:
    from nats.errors import TimeoutError as NatsTimeout

    from altlas.scale.acked import publish_acked

    async def scenario() -> tuple[int, int, int]:
        async with _publisher_over(nats_server.url, "SUBMITTED", ["submitted.>"]) as (js, acked):
            await publish_acked(acked, js, "submitted.a", b"1", {"Nats-Msg-Id": "a"})
            fast = acked._count
            # a resubmission inside the duplicate window: acked, not stored again
            await publish_acked(acked, js, "submitted.a", b"1", {"Nats-Msg-Id": "a"})
            # without the fast publisher: nats-py's publish
            await publish_acked(None, js, "submitted.b", b"2", {"Nats-Msg-Id": "b"})
            # without a Nats-Msg-Id a retry could store twice: not the fast way either
            await publish_acked(acked, js, "submitted.c", b"3", {})
            calls = acked._count
            # the fast way stored it but its ack was lost: nats-py's publish again is a duplicate
            fast_publish = acked.publish

            async def lost_ack(subject: str, data: bytes, headers: dict[str, str]) -> int:
                await fast_publish(subject, data, headers)
                raise NatsTimeout

            acked.publish = lost_ack  # type: ignore[method-assign]
            await publish_acked(acked, js, "submitted.d", b"4", {"Nats-Msg-Id": "d"})
            stored = (await js.stream_info("SUBMITTED")).state.messages
            return fast, calls, stored

    fast, calls, stored = asyncio.run(scenario())
    assert (fast, calls) == (1, 2)  # a and its resubmission went the fast way, c did not
    assert stored == 4  # a, b, c and d, each once
