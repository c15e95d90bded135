"""Server figures (issue 6): a real load generator against real server processes on loopback.

Run: pytest benchmarks/test_bench_server.py -s   (wrk if installed: apt-get install wrk)
Target: an authenticated, cached GET (archive search, API key) sustains >= 2,000 requests/s
with p99 < 50 ms on the 2-core machine. Reported beside a bare Litestar hello-world measured
in the same run (the ceiling of this stack on this machine) and beside POST /v1/segment.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import orjson
import pytest

pytest.importorskip("litestar")

from altlas.server.accounts import AccountStore
from altlas.server.process import ServerProcess, free_port

from .load import LoadResult, run_load

pytestmark = pytest.mark.slow

SECONDS = 10
CONNECTIONS = 16
TARGET_RPS = 2000
TARGET_P99_MS = 50.0


@pytest.fixture
def hello_url():
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--app-dir", str(Path(__file__).parent),
         "hello_app:app", "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
         "--log-level", "warning"],
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/hello"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "hello-world server did not start"
        time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def altlas_server(altlas_home: Path):
    with AccountStore(altlas_home) as store:
        keys = {role: store.create_key(f"bench {role}", role)[1] for role in ("viewer", "operator")}
    env = {
        # Limits stay on (they are part of the measured path), just far above the load.
        "ALTLAS_SERVER__RATE_LIMITS": orjson.dumps(
            {"search": "100000000/hour", "segment": "100000000/hour", "runs": "100000/hour",
             "archive": "100000/hour"}
        ).decode(),
    }  # fmt: skip
    with ServerProcess(altlas_home, env=env) as server:
        yield server, keys


def _seed(server: ServerProcess, keys: dict[str, str], count: int = 20) -> None:
    """Real results in the archive, so the search is not of an empty index."""
    with httpx.Client(base_url=server.url, timeout=60) as client:
        ids = []
        for n in range(count):
            plan = {
                "format": "altlas.alt",
                "id": f"plan_bench_{n}",
                "title": f"Quarterly report {n}",
                "tasks": [{"id": "t", "type": "echo", "parameters": {"message": f"report {n}"}}],
            }
            response = client.post(
                "/v1/runs", json={"plan": plan}, headers={"X-API-Key": keys["operator"]}
            )
            ids.append(response.json()["id"])
        deadline = time.monotonic() + 60
        while True:
            found = client.get(
                "/v1/archive/search?q=report", headers={"X-API-Key": keys["viewer"]}
            ).json()
            if found["total"] >= count:
                return
            assert time.monotonic() < deadline, found
            time.sleep(0.2)


def test_cached_authenticated_get_beside_hello_world_and_segment(hello_url, altlas_server):
    server, keys = altlas_server
    _seed(server, keys)
    search = f"{server.url}/v1/archive/search?q=report&limit=10"
    viewer = {"X-API-Key": keys["viewer"]}
    assert httpx.get(search, headers=viewer).json()["total"] >= 20  # primes the cache
    results: list[LoadResult] = [
        run_load("bare Litestar hello-world", hello_url, seconds=SECONDS, connections=CONNECTIONS),
        run_load(
            "GET /v1/archive/search (cached, key)",
            search,
            headers=viewer,
            seconds=SECONDS,
            connections=CONNECTIONS,
        ),
        run_load(
            "POST /v1/segment",
            f"{server.url}/v1/segment",
            method="POST",
            body=orjson.dumps({"text": "Summarize the quarterly report and email it to Ana"}),
            headers={"X-API-Key": keys["operator"], "Content-Type": "application/json"},
            seconds=SECONDS,
            connections=CONNECTIONS,
        ),
    ]
    print()
    for result in results:
        print(result.row())
    hello, cached, segment = results
    print(f"cached GET at {cached.rps / hello.rps:.0%} of the bare hello-world")
    if segment.errors:
        sample = httpx.post(
            f"{server.url}/v1/segment",
            json={"text": "Summarize the quarterly report and email it to Ana"},
            headers={"X-API-Key": keys["operator"]},
        )
        pytest.fail(f"POST /v1/segment failed under load: {sample.status_code} {sample.text}")
    assert cached.errors == 0
    assert cached.rps >= TARGET_RPS, cached.row()
    assert cached.p99_ms < TARGET_P99_MS, cached.row()
