"""``altlas archive follow``: the archive's single writer, fed by ``ALTLAS_RESULTS``.

Idempotent by run id (the archive refuses a second copy of the same result id), and fenced:
``ALTLAS_RESULTS`` has no subjects of its own, the server copies each run's commit marker
into it, so a result is a commit (one per run, under the lease), never a worker's publish.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from altlas.errors import AltlasError
from altlas.scale.config import NatsConfig, close_quietly, connect
from altlas.scale.deadletters import settle
from altlas.scale.invalidation import announce
from altlas.scale.runstate import published
from altlas.scale.streams import (
    ARCHIVE_CONSUMER,
    RESULTS,
    ensure_all,
)

if TYPE_CHECKING:
    from nats.aio.msg import Msg
    from nats.js.client import JetStreamContext

    from altlas.index import Archive

__all__ = ["FollowStats", "Follower"]


@dataclass(slots=True)
class FollowStats:
    archived: int = 0
    unarchived: int = 0
    duplicates: int = 0
    refused: int = 0
    failed: int = 0
    dead_letters: int = 0
    errors: list[str] = field(default_factory=list)


class Follower:
    def __init__(
        self, config: NatsConfig, home: Path, *, batch: int = 64, idle_exit: float | None = None
    ) -> None:
        self.config = config
        self.idle_exit = idle_exit
        self.home = home
        self.batch = batch
        self.stats = FollowStats()

    async def serve(self, stop: asyncio.Event) -> FollowStats:
        from nats.errors import Error as NatsError
        from nats.errors import TimeoutError as NatsTimeout

        from altlas.index import Archive

        nc = self._nc = await connect(self.config, name="altlas-archive-follow")
        archive = Archive(self.home)
        try:
            js = nc.jetstream()
            await ensure_all(js, self.config)
            psub = await js.pull_subscribe(
                "altlas.results.>", durable=ARCHIVE_CONSUMER, stream=RESULTS
            )
            archive.open()
            idle = 0
            while not stop.is_set():
                try:
                    msgs = await psub.fetch(self.batch, timeout=1.0)
                except NatsTimeout:
                    idle += 1
                    if idle % 2 == 1:
                        await self._settle(js)
                    if self.idle_exit is not None and idle >= self.idle_exit:
                        break
                    continue
                except (TimeoutError, NatsError, OSError):
                    await asyncio.sleep(0.2)
                    continue
                idle = 0
                for msg in msgs:
                    await self._take_retrying(js, archive, msg)
        finally:
            archive.close()
            await close_quietly(nc)
        return self.stats

    async def _take_retrying(
        self, js: JetStreamContext, archive: Archive, msg: Msg, tries: int = 240
    ) -> None:
        """Ride out a server restart in place rather than wait ack_wait for a redelivery."""
        from nats.errors import Error as NatsError

        for attempt in range(tries):
            try:
                await self._take(js, archive, msg)
                return
            except (TimeoutError, NatsError, OSError):
                if attempt == tries - 1:
                    raise
                await asyncio.sleep(0.25)

    async def _settle(self, js: JetStreamContext) -> None:
        from nats.errors import Error as NatsError

        with contextlib.suppress(TimeoutError, NatsError, OSError):  # next idle turn
            self.stats.dead_letters += await settle(js)

    async def _take(self, js: JetStreamContext, archive: Archive, msg: Msg) -> None:
        found = await published(js, msg)
        if found is None:  # a marker's delete copied in, or nothing a commit wrote
            self.stats.refused += 1
            await msg.ack()
            return
        run_id = found.run_id
        if not found.archive:
            # the run asked `archive: false`: done, nothing written, nothing to invalidate
            self.stats.unarchived += 1
            await msg.ack_sync()
            return
        try:
            status = await asyncio.to_thread(_archive_one, archive, found.result)
        except AltlasError as exc:
            self.stats.failed += 1
            self.stats.errors.append(f"{run_id}: {exc}")
            await msg.term()
            return
        if status == "added":
            self.stats.archived += 1
            # `altlas serve --nats` instances drop their cached searches (scale/invalidation)
            await announce(
                self._nc, "archive.added", {"run_id": run_id, "source": "follow"}, "follow"
            )
        else:
            self.stats.duplicates += 1
        await msg.ack_sync()


def _archive_one(archive: Archive, body: bytes) -> str:
    from altlas.formats.io import read_bytes
    from altlas.formats.result import Result

    loaded = read_bytes(body, kind="last")
    result = loaded.document
    assert isinstance(result, Result)
    return archive.add_result(result, raw=body).status
