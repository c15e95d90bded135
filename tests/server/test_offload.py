"""The document worker pool: real processes, killed on timeout, capped in memory, bounded."""

from __future__ import annotations

import asyncio
import time

import pytest

from altlas.errors import DecodeError
from altlas.server.offload import DocumentPool, PoolBusyError

pytestmark = pytest.mark.slow


def test_a_slow_document_has_its_worker_killed_and_replaced() -> None:
    pool = DocumentPool(1, queue=0, timeout=0.5)
    try:
        started = time.monotonic()
        with pytest.raises(DecodeError, match="document_timeout_seconds"):
            asyncio.run(pool.call(time.sleep, 30))
        assert time.monotonic() - started < 10
        assert asyncio.run(pool.call(len, b"abc")) == 3  # a fresh worker took over
    finally:
        pool.close()


def test_a_document_needing_too_much_memory_fails_alone() -> None:
    pool = DocumentPool(1, memory_mb=512)
    try:
        with pytest.raises(DecodeError, match="more memory"):
            asyncio.run(pool.call(bytearray, 3 << 30))
        assert asyncio.run(pool.call(len, b"ok")) == 2
    finally:
        pool.close()


def test_a_full_pool_refuses_instead_of_queueing_without_bound() -> None:
    pool = DocumentPool(1, queue=0, timeout=30)

    async def both() -> list[object]:
        slow = asyncio.ensure_future(pool.call(time.sleep, 1))
        await asyncio.sleep(0.1)
        refused = await asyncio.gather(pool.call(len, b"x"), return_exceptions=True)
        return [await slow, *refused]

    try:
        done, refused = asyncio.run(both())
        assert done is None
        assert isinstance(refused, PoolBusyError)
    finally:
        pool.close()
