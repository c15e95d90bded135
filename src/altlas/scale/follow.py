"""``altlas archive follow``: the archive's single writer, fed by ``ALTLAS_RESULTS``.

Idempotent by run id (the archive refuses a second copy of the same result id), and fenced:
a result is taken only if it carries the revision of the run's commit marker in KV, so a
stale worker's late publish is refused.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from altlas.errors import AltlasError
from altlas.scale.config import NatsConfig, close_quietly, connect
from altlas.scale.deadletters import settle
from altlas.scale.invalidation import announce
from altlas.scale.runstate import get_object
from altlas.scale.streams import (
    ARCHIVE_CONSUMER,
    NO_ARCHIVE_HEADER,
    RESULTS,
    STATE,
    ensure_all,
    key_of,
)

if TYPE_CHECKING:
    from nats.aio.msg import Msg
    from nats.js.client import JetStreamContext
    from nats.js.kv import KeyValue

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
            state = await js.key_value(STATE)
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
                    await self._take_retrying(js, state, archive, msg)
        finally:
            archive.close()
            await close_quietly(nc)
        return self.stats

    async def _take_retrying(
        self, js: JetStreamContext, state: KeyValue, archive: Archive, msg: Msg, tries: int = 240
    ) -> None:
        """Ride out a server restart in place rather than wait ack_wait for a redelivery."""
        from nats.errors import Error as NatsError

        for attempt in range(tries):
            try:
                await self._take(js, state, archive, msg)
                return
            except (TimeoutError, NatsError, OSError):
                if attempt == tries - 1:
                    raise
                await asyncio.sleep(0.25)

    async def _settle(self, js: JetStreamContext) -> None:
        from nats.errors import Error as NatsError

        with contextlib.suppress(TimeoutError, NatsError, OSError):  # next idle turn
            self.stats.dead_letters += await settle(js)

    async def _fenced(self, state: KeyValue, run_id: str, fence: str | None) -> bool:
        from nats.js.errors import KeyNotFoundError

        try:
            entry = await state.get(f"done.{key_of(run_id)}")
        except KeyNotFoundError:
            return False
        return fence is not None and str(entry.revision) == fence

    async def _take(
        self, js: JetStreamContext, state: KeyValue, archive: Archive, msg: Msg
    ) -> None:
        headers: dict[str, Any] = dict(msg.headers or {})
        run_id = headers.get("Altlas-Run-Id", "")
        if not await self._fenced(state, run_id, headers.get("Altlas-Fence")):
            self.stats.refused += 1
            await msg.ack()
            return
        if headers.get(NO_ARCHIVE_HEADER) == "no":
            # the run asked `archive: false`: done, nothing written, nothing to invalidate
            self.stats.unarchived += 1
            await msg.ack_sync()
            return
        body = msg.data
        if headers.get("Altlas-Object"):
            body = await get_object(js, headers["Altlas-Object"])
        try:
            status = await asyncio.to_thread(_archive_one, archive, body)
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
