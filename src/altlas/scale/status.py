"""``altlas nats status``: streams, consumers, pending and redelivered counts, dead letters."""

from __future__ import annotations

from typing import Any

from altlas.scale.config import NatsConfig, close_quietly, connect
from altlas.scale.deadletters import dead_letters, settle
from altlas.scale.streams import (
    ARCHIVE_CONSUMER,
    DEAD,
    EVENTS,
    RESULTS,
    RUNS,
    WORKER_CONSUMER,
    ensure_all,
)

__all__ = ["cancel", "status"]


async def status(config: NatsConfig) -> dict[str, Any]:
    nc = await connect(config, name="altlas-status")
    try:
        js = nc.jetstream()
        await ensure_all(js, config)
        await settle(js)
        streams = []
        for name in (RUNS, EVENTS, RESULTS, DEAD):
            info = await js.stream_info(name)
            streams.append(
                {"stream": name, "messages": info.state.messages, "bytes": info.state.bytes}
            )
        consumers = []
        for stream, durable in ((RUNS, WORKER_CONSUMER), (RESULTS, ARCHIVE_CONSUMER)):
            info = await js.consumer_info(stream, durable)
            consumers.append(
                {
                    "stream": stream,
                    "consumer": durable,
                    "pending": info.num_pending,
                    "ack_pending": info.num_ack_pending,
                    "redelivered": info.num_redelivered,
                    "waiting": info.num_waiting,
                }
            )
        dead = [d.to_dict() for d in await dead_letters(js)]
        return {"url": config.url, "streams": streams, "consumers": consumers, "dead_letters": dead}
    finally:
        await close_quietly(nc)


async def cancel(config: NatsConfig, run_ids: list[str]) -> None:
    """Flag each run for cancellation; its worker stops it at the next heartbeat."""
    from altlas.scale.runstate import request_cancel
    from altlas.scale.streams import STATE

    nc = await connect(config, name="altlas-cancel")
    try:
        js = nc.jetstream()
        await ensure_all(js, config)
        state = await js.key_value(STATE)
        for run_id in run_ids:
            await request_cancel(state, run_id)
    finally:
        await close_quietly(nc)
