"""Pool overhead per call (issue 13): the pool against a direct httpx call, same server, same run.

Run: pytest benchmarks/test_llm_pool.py -s -p no:cacheprovider
Target: <= 1 ms added per call (strategy, budget reservation, retries wrapper, breaker, cache
lookup on a miss, the call log row in SQLite), and a cache hit <= 0.5 ms. The server is a
separate process (benchmarks/llm_server.py) so it does not share the client's GIL; direct and
pool calls alternate, so both see the same machine load, and medians are compared.
"""

from __future__ import annotations

import asyncio
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import orjson
import pytest

from altlas.config import Settings
from altlas.llm import ChatRequest
from altlas.llm.config import LlmSettings
from altlas.llm.pool import Pool

pytestmark = pytest.mark.slow

ROUNDS = 2000
WARMUP = 200
TARGET_ADDED_MS = 1.0
TARGET_HIT_MS = 0.5


@pytest.fixture
def server_url():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    script = Path(__file__).with_name("llm_server.py")
    proc = subprocess.Popen([sys.executable, str(script), str(port)])
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "benchmark server did not start"
            time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/v1"
    proc.terminate()
    proc.wait(10)


async def _measure(pool: Pool, url: str) -> tuple[list[float], list[float], list[float]]:
    messages = [{"role": "user", "content": "Say ok."}]
    sampled = ChatRequest(messages, params={"temperature": 0.7, "max_tokens": 8})
    direct_ms: list[float] = []
    pool_ms: list[float] = []
    async with pool.connected(), httpx.AsyncClient() as client:
        body = sampled.body("bench")
        for i in range(WARMUP + ROUNDS):
            t0 = time.perf_counter()
            response = await client.post(
                url + "/chat/completions",
                content=orjson.dumps(body),
                headers={"Content-Type": "application/json"},
            )
            orjson.loads(response.content)["choices"][0]["message"]["content"]
            t1 = time.perf_counter()
            await pool.chat(sampled)
            t2 = time.perf_counter()
            if i >= WARMUP:
                direct_ms.append((t1 - t0) * 1000)
                pool_ms.append((t2 - t1) * 1000)
        hit_request = ChatRequest(messages, params={"temperature": 0, "max_tokens": 8})
        await pool.chat(hit_request)
        hits_ms = []
        for _ in range(ROUNDS):
            t0 = time.perf_counter()
            answer = await pool.chat(hit_request)
            hits_ms.append((time.perf_counter() - t0) * 1000)
            assert answer.cached
    return direct_ms, pool_ms, hits_ms


def test_pool_overhead_against_a_direct_call(server_url, altlas_home) -> None:
    section = {"backends": [{"name": "bench", "base_url": server_url, "model": "bench"}]}
    settings = Settings(altlas_home, {"llm": section})
    pool = Pool(settings.section("llm", LlmSettings), home=altlas_home)
    try:
        direct, through_pool, hits = asyncio.run(_measure(pool, server_url))
    finally:
        pool.close()
    direct_p50, pool_p50 = statistics.median(direct), statistics.median(through_pool)
    added = pool_p50 - direct_p50
    hit_p50 = statistics.median(hits)
    hit_p99 = statistics.quantiles(hits, n=100)[98]
    print(
        f"\ndirect httpx p50 {direct_p50:.3f} ms | pool p50 {pool_p50:.3f} ms | "
        f"added {added:.3f} ms per call | cache hit p50 {hit_p50:.3f} ms, p99 {hit_p99:.3f} ms"
    )
    assert added <= TARGET_ADDED_MS
    assert hit_p50 <= TARGET_HIT_MS
