"""Server figures (issues 6 and 12): wrk against real server processes on loopback.

Run: pytest benchmarks/test_bench_server.py -s -p no:cacheprovider   (apt-get install wrk)

Alternating rounds, each: a bare Litestar hello-world (benchmarks/hello_app.py, uvicorn, one
worker, the same as ``altlas serve``), then the cached, authenticated
``GET /v1/archive/search`` with an API key and with a Bearer access token, then
``POST /v1/segment``. 16 connections, 2 wrk threads, 10 s each (ALTLAS_BENCH_SECONDS,
ALTLAS_BENCH_ROUNDS change that). Only ratios measured in the same round are compared.
Target (issue 12 item 8): the cached GET at >= 50% of the bare hello-world (median of the
rounds), p99 < 50 ms. The p99 is judged only in rounds where the hello-world itself kept
its p99 under 50 ms: above that the machine, not the server, sets the tail.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest

pytest.importorskip("litestar")

from altlas.server.accounts import AccountStore
from altlas.server.process import ServerProcess, free_port

from .load import LoadResult, run_load

pytestmark = pytest.mark.slow

SECONDS = float(os.environ.get("ALTLAS_BENCH_SECONDS", "10"))
ROUNDS = int(os.environ.get("ALTLAS_BENCH_ROUNDS", "3"))
CONNECTIONS = 16
THREADS = 2
TARGET_RATIO = 0.50
TARGET_P99_MS = 50.0
PASSWORD = "bench password 1"
SEGMENT_TEXT = "Summarize the quarterly report and email it to Ana"


@pytest.fixture
def hello_url() -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--app-dir", str(Path(__file__).parent),
         "hello_app:app", "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
         "--log-level", "warning"],
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/hello"
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "hello-world server did not start"
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture
def altlas_server(altlas_home: Path) -> Iterator[tuple[ServerProcess, dict[str, str]]]:
    with AccountStore(altlas_home) as store:
        keys = {role: store.create_key(f"bench {role}", role)[1] for role in ("viewer", "operator")}
        store.add_user("bench", PASSWORD, "viewer")
    env = {
        # Limits stay on (they are part of the measured path), just far above the load.
        "ALTLAS_SERVER__RATE_LIMITS": orjson.dumps(
            {"search": "100000000/hour", "segment": "100000000/hour", "runs": "100000/hour",
             "archive": "100000/hour", "auth": "100000/hour"}
        ).decode(),
        "ALTLAS_SERVER__ACCESS_TOKEN_MINUTES": "120",
    }  # fmt: skip
    with ServerProcess(altlas_home, env=env) as server:
        yield server, keys


def _seed(server: ServerProcess, keys: dict[str, str], count: int = 20) -> None:
    """Real results in the archive, so the search is not of an empty index."""
    with httpx.Client(base_url=server.url, timeout=60) as client:
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
            assert response.status_code == 202, response.text
        deadline = time.monotonic() + 60
        while True:
            found = client.get(
                "/v1/archive/search?q=report", headers={"X-API-Key": keys["viewer"]}
            ).json()
            if found["total"] >= count:
                return
            assert time.monotonic() < deadline, found
            time.sleep(0.2)


def _bearer(server: ServerProcess) -> dict[str, str]:
    answer = httpx.post(
        f"{server.url}/v1/auth/token", json={"username": "bench", "password": PASSWORD}
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _round(
    hello_url: str, server: ServerProcess, keys: dict[str, str], bearer: dict[str, str]
) -> list[LoadResult]:
    search = f"{server.url}/v1/archive/search?q=report&limit=10"

    def load(name: str, url: str, **kw: object) -> LoadResult:
        return run_load(name, url, seconds=SECONDS, connections=CONNECTIONS, threads=THREADS,
                        **kw)  # type: ignore[arg-type]  # fmt: skip

    return [
        load("bare Litestar hello-world", hello_url),
        load("GET /v1/archive/search (key)", search, headers={"X-API-Key": keys["viewer"]}),
        load("GET /v1/archive/search (Bearer)", search, headers=bearer),
        load(
            "POST /v1/segment",
            f"{server.url}/v1/segment",
            method="POST",
            body=orjson.dumps({"text": SEGMENT_TEXT}),
            headers={"X-API-Key": keys["operator"], "Content-Type": "application/json"},
        ),
    ]


def test_cached_authenticated_get_beside_hello_world_and_segment(
    hello_url: str, altlas_server: tuple[ServerProcess, dict[str, str]]
) -> None:
    server, keys = altlas_server
    _seed(server, keys)
    bearer = _bearer(server)
    search = f"{server.url}/v1/archive/search?q=report&limit=10"
    for headers in ({"X-API-Key": keys["viewer"]}, bearer):  # primes the cache, checks auth
        assert httpx.get(search, headers=headers).json()["total"] >= 20
    ratios: dict[str, list[float]] = {"key": [], "Bearer": [], "segment": []}
    judged_p99: list[float] = []
    print()
    for number in range(1, ROUNDS + 1):
        results = _round(hello_url, server, keys, bearer)
        hello, by_key, by_bearer, segment = results
        for result in results:
            print(f"round {number}  {result.row()}")
        for name, result in (("key", by_key), ("Bearer", by_bearer), ("segment", segment)):
            ratios[name].append(result.rps / hello.rps)
            assert result.errors == 0, f"{result.name} answered errors under load"
        if hello.p99_ms < TARGET_P99_MS:
            judged_p99 += [by_key.p99_ms, by_bearer.p99_ms]
        print(
            f"round {number}  ratio to hello-world: key {ratios['key'][-1]:.0%}, "
            f"Bearer {ratios['Bearer'][-1]:.0%}, segment {ratios['segment'][-1]:.0%}"
        )
    medians = {name: statistics.median(values) for name, values in ratios.items()}
    print("median ratios: " + ", ".join(f"{k} {v:.0%}" for k, v in medians.items()))
    assert medians["key"] >= TARGET_RATIO, medians
    assert medians["Bearer"] >= TARGET_RATIO, medians
    if not judged_p99:
        pytest.skip(f"ratios met {medians}; p99 not judged: the machine was saturated")
    assert max(judged_p99) < TARGET_P99_MS, judged_p99
