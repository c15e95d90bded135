"""A KV watch that lives as long as its task: made again when it breaks or the client
reconnects (a watch does not survive a nats-server restart: its ordered consumer is gone,
nats.py#504). Each new watch replays the current values, which brings a mirror up to date."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nats.aio.client import Client
    from nats.js.kv import KeyValue

__all__ = ["Apply", "watch_forever"]

Apply = Callable[[str, bytes | None, bool], Awaitable[None]]
"""``apply(key, value or None when deleted, initial)``; ``initial`` while the watch replays
the values that were there when it started. ValueError: an entry to skip."""

log = logging.getLogger("altlas.scale.kvwatch")


async def watch_forever(nc: Client, kv: KeyValue, keys: str, apply: Apply) -> None:
    """Until cancelled."""
    while True:
        try:
            await _watch_once(nc, kv, keys, apply)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("KV watch on %s broke; watching again", keys, exc_info=True)
            await asyncio.sleep(1.0)


async def _watch_once(nc: Client, kv: KeyValue, keys: str, apply: Apply) -> None:
    from nats.errors import TimeoutError as NatsTimeout

    epoch = nc.stats["reconnects"]
    watcher = await kv.watch(keys)
    initial = True
    try:
        while nc.stats["reconnects"] == epoch:
            try:
                entry = await watcher.updates(timeout=1.0)  # type: ignore[no-untyped-call]
            except NatsTimeout:
                continue
            if entry is None:  # the current values are all delivered
                initial = False
                continue
            if getattr(entry, "key", None) is None:  # the watcher was stopped
                return
            gone = entry.operation in ("DEL", "PURGE")
            try:
                await apply(entry.key, None if gone else entry.value, initial)
            except ValueError:  # not a key or value altlas wrote: skipped, not fatal
                log.warning("KV %s: skipped the entry %r", keys, entry.key)
    finally:
        with contextlib.suppress(Exception):
            await watcher.stop()  # type: ignore[no-untyped-call]
