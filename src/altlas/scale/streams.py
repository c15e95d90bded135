"""Streams, consumers, KV buckets and the object store altlas uses; created idempotently.

``ALTLAS_RUNS`` (work queue) carries run jobs to the ``workers`` consumer; ``ALTLAS_EVENTS``
(limits) carries run events; ``ALTLAS_RESULTS`` carries finished results to the ``archive``
consumer. ``ALTLAS_DEAD`` keeps the server's max-deliveries advisories and the dead letters
moved out of the work queue (a work-queue stream would keep them forever: nats-server#5564).
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from altlas.scale.config import NatsConfig

if TYPE_CHECKING:
    from nats.js.client import JetStreamContext

__all__ = [
    "ARCHIVE_CONSUMER",
    "DEAD",
    "DEAD_CONSUMER",
    "EVENTS",
    "LEASES",
    "OBJECTS",
    "RESULTS",
    "RUNS",
    "STATE",
    "WORKER_CONSUMER",
    "ensure_all",
    "key_of",
]

RUNS = "ALTLAS_RUNS"
EVENTS = "ALTLAS_EVENTS"
RESULTS = "ALTLAS_RESULTS"
DEAD = "ALTLAS_DEAD"
LEASES = "ALTLAS_LEASES"
STATE = "ALTLAS_RUNSTATE"
OBJECTS = "ALTLAS_OBJECTS"
WORKER_CONSUMER = "workers"
ARCHIVE_CONSUMER = "archive"
DEAD_CONSUMER = "dead-letters"
ADVISORY = f"$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.{RUNS}.{WORKER_CONSUMER}"
_DAY = 86400.0


def key_of(identifier: str) -> str:
    """A subject/KV-safe token for a run or task id (ids may hold dots, spaces, anything)."""
    return base64.urlsafe_b64encode(identifier.encode()).decode().rstrip("=")


async def _stream(js: JetStreamContext, **fields: Any) -> None:
    from nats.js.api import StorageType, StreamConfig
    from nats.js.errors import BadRequestError

    config = StreamConfig(storage=StorageType.FILE, **fields)
    try:
        await js.add_stream(config)
    except BadRequestError:
        # exists with other settings (e.g. a new ack_wait): bring it up to date
        await js.update_stream(config)


async def _consumer(js: JetStreamContext, stream: str, **fields: Any) -> None:
    from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

    config = ConsumerConfig(
        ack_policy=AckPolicy.EXPLICIT, deliver_policy=DeliverPolicy.ALL, **fields
    )
    await js.add_consumer(stream, config)


async def ensure_all(js: JetStreamContext, config: NatsConfig) -> None:
    """Create (or update) every stream, consumer, bucket and the object store."""
    from nats.js.api import KeyValueConfig, ObjectStoreConfig, RetentionPolicy, StorageType

    window = config.duplicate_window_seconds
    await _stream(
        js,
        name=RUNS,
        subjects=["altlas.runs.>"],
        retention=RetentionPolicy.WORK_QUEUE,
        duplicate_window=window,
    )
    await _stream(
        js,
        name=EVENTS,
        subjects=["altlas.events.>"],
        retention=RetentionPolicy.LIMITS,
        max_age=7 * _DAY,
        duplicate_window=window,
    )
    await _stream(
        js,
        name=RESULTS,
        subjects=["altlas.results.>"],
        retention=RetentionPolicy.LIMITS,
        max_age=7 * _DAY,
        duplicate_window=window,
    )
    await _stream(
        js,
        name=DEAD,
        subjects=[ADVISORY, "altlas.dead.>"],
        retention=RetentionPolicy.LIMITS,
        duplicate_window=window,
    )
    backoff = list(config.backoff_seconds) or None
    await _consumer(
        js,
        RUNS,
        durable_name=WORKER_CONSUMER,
        filter_subject="altlas.runs.>",
        ack_wait=config.ack_wait_seconds,
        max_deliver=config.max_deliver,
        backoff=backoff,
        max_ack_pending=10_000,
    )
    await _consumer(
        js,
        RESULTS,
        durable_name=ARCHIVE_CONSUMER,
        filter_subject="altlas.results.>",
        ack_wait=max(30.0, config.ack_wait_seconds),
        max_deliver=-1,
    )
    await _consumer(
        js,
        DEAD,
        durable_name=DEAD_CONSUMER,
        filter_subject=ADVISORY,
        ack_wait=30.0,
        max_deliver=-1,
    )
    await js.create_key_value(
        KeyValueConfig(bucket=LEASES, ttl=config.lease_ttl, history=1, storage=StorageType.FILE)
    )
    await js.create_key_value(
        KeyValueConfig(bucket=STATE, ttl=7 * _DAY, history=1, storage=StorageType.FILE)
    )
    await js.create_object_store(
        OBJECTS, config=ObjectStoreConfig(bucket=OBJECTS, storage=StorageType.FILE)
    )
