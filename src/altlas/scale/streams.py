"""Streams, consumers, KV buckets and the object store altlas uses; created idempotently.

``ALTLAS_RUNS`` (work queue) carries run jobs to the ``workers`` consumer; ``ALTLAS_EVENTS``
(limits) carries run events; ``ALTLAS_RESULTS`` carries finished results to the ``archive``
consumer: the server copies them in from the commit markers (``ALTLAS_RUNSTATE`` ``done.*``).
``ALTLAS_DEAD`` keeps the server's max-deliveries advisories and the dead letters moved out of
the work queue (a work-queue stream would keep them forever: nats-server#5564).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
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
    "NO_ARCHIVE_HEADER",
    "OBJECTS",
    "RESULTS",
    "RUNS",
    "STATE",
    "WORKER_CONSUMER",
    "ensure_all",
    "key_of",
    "wants_archive",
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
NO_ARCHIVE_HEADER = "Altlas-Archive"
"""On a result whose run asked ``archive: false``; the follower acks it unarchived."""
ADVISORY = f"$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.{RUNS}.{WORKER_CONSUMER}"
_DAY = 86400.0


def key_of(identifier: str) -> str:
    """A subject/KV-safe token for a run or task id (ids may hold dots, spaces, anything)."""
    return base64.urlsafe_b64encode(identifier.encode()).decode().rstrip("=")


def wants_archive(job: Mapping[str, Any]) -> bool:
    """A run job's ``archive`` flag; a job without one (an older submitter) is archived."""
    return job.get("archive", True) is not False


async def _stream(js: JetStreamContext, update: bool, **fields: Any) -> None:
    from nats.js.api import StorageType, StreamConfig
    from nats.js.errors import BadRequestError, NotFoundError

    if not update:
        try:
            await js.stream_info(fields["name"])
            return
        except NotFoundError:
            pass
    config = StreamConfig(storage=StorageType.FILE, **fields)
    try:
        await js.add_stream(config)
    except BadRequestError:
        # exists with other settings (e.g. a new ack_wait): bring it up to date
        await js.update_stream(config)


async def _consumer(js: JetStreamContext, stream: str, update: bool, **fields: Any) -> None:
    from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
    from nats.js.errors import NotFoundError

    if not update:
        try:
            await js.consumer_info(stream, fields["durable_name"])
            return
        except NotFoundError:
            pass

    config = ConsumerConfig(
        ack_policy=AckPolicy.EXPLICIT, deliver_policy=DeliverPolicy.ALL, **fields
    )
    await js.add_consumer(stream, config)


async def _bucket(js: JetStreamContext, bucket: str, ttl: float) -> None:
    from nats.js.api import KeyValueConfig, StorageType
    from nats.js.errors import BucketNotFoundError, NotFoundError

    try:
        await js.key_value(bucket)  # an existing bucket keeps its TTL: leases in flight rely on it
    except (BucketNotFoundError, NotFoundError):
        await js.create_key_value(
            KeyValueConfig(bucket=bucket, ttl=ttl, history=1, storage=StorageType.FILE)
        )


async def ensure_all(js: JetStreamContext, config: NatsConfig, *, update: bool = False) -> None:
    """Create what is missing; with ``update`` (workers) bring streams and consumers in line
    with ``config`` too. Other commands never reconfigure what workers set up."""
    from nats.js.api import (
        ObjectStoreConfig,
        RetentionPolicy,
        StorageType,
        StreamSource,
        SubjectTransform,
    )

    window = config.duplicate_window_seconds
    await _bucket(js, LEASES, config.lease_ttl)
    await _bucket(js, STATE, 7 * _DAY)  # before ALTLAS_RESULTS, which sources from it
    await _stream(
        js,
        update,
        name=RUNS,
        subjects=["altlas.runs.>"],
        retention=RetentionPolicy.WORK_QUEUE,
        duplicate_window=window,
    )
    await _stream(
        js,
        update,
        name=EVENTS,
        subjects=["altlas.events.>"],
        retention=RetentionPolicy.LIMITS,
        max_age=7 * _DAY,
        duplicate_window=window,
    )
    await _stream(
        js,
        update,
        name=RESULTS,
        # no subjects of its own: the server copies each commit marker in (one write per
        # run, not a commit and a publish), so nothing but a commit can become a result
        sources=[
            StreamSource(
                name=f"KV_{STATE}",
                subject_transforms=[
                    SubjectTransform(
                        src=f"$KV.{STATE}.done.*", dest="altlas.results.{{wildcard(1)}}"
                    )
                ],
            )
        ],
        retention=RetentionPolicy.LIMITS,
        max_age=7 * _DAY,
    )
    await _stream(
        js,
        update,
        name=DEAD,
        subjects=[ADVISORY, "altlas.dead.>"],
        retention=RetentionPolicy.LIMITS,
        duplicate_window=window,
    )
    backoff = list(config.backoff_seconds) or None
    await _consumer(
        js,
        RUNS,
        update,
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
        update,
        durable_name=ARCHIVE_CONSUMER,
        filter_subject="altlas.results.>",
        ack_wait=max(30.0, config.ack_wait_seconds),
        max_deliver=-1,
    )
    await _consumer(
        js,
        DEAD,
        update,
        durable_name=DEAD_CONSUMER,
        filter_subject=ADVISORY,
        ack_wait=30.0,
        max_deliver=-1,
    )
    await js.create_object_store(
        OBJECTS, config=ObjectStoreConfig(bucket=OBJECTS, storage=StorageType.FILE)
    )
