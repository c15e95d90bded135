"""Small plans through NATS workers (1, 2, 4 processes) against the embedded SQLite queue.

Run: ``pytest benchmarks/test_scale_throughput.py -s -p no:cacheprovider``
(``ALTLAS_BENCH_PLANS`` sets the plan count; the default 200 keeps a shared 2-core machine usable).
Figures go to docs/performance.md.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("nats")

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.scale.harness import Cluster
from tests.scale.plans import small_plan

PLANS = int(os.environ.get("ALTLAS_BENCH_PLANS", "200"))


def _embedded(tmp: Path, workers: int) -> float:
    from altlas.events.embedded import SqliteJobQueue
    from altlas.events.queue import JobContext, JobOutcome
    from altlas.run.api import run

    def execute(ctx: JobContext) -> JobOutcome:
        result = run(
            ctx.job.payload["plan"], journal=False, handle_signals=False, workspace=str(tmp / "ws")
        )
        return JobOutcome(data={"status": result.status.value})

    queue = SqliteJobQueue(tmp / f"q{workers}.db", workers=workers, poll_seconds=0.01)
    queue.register("run", execute)
    queue.start()
    try:
        start = time.perf_counter()
        ids = [queue.enqueue("run", {"plan": small_plan(i)}).id for i in range(PLANS)]
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and not all(queue.get(i).state.terminal for i in ids):
            time.sleep(0.02)
        return PLANS / (time.perf_counter() - start)
    finally:
        queue.stop()


def _nats(tmp: Path, url: str, workers: int) -> float:
    tmp.mkdir(parents=True, exist_ok=True)
    cluster = Cluster(tmp, url, ack_wait_seconds=30)
    try:
        for n in range(workers):
            cluster.worker(n)
        cluster.submit([small_plan(-1)], wait=True, timeout=120)  # every worker connected, warm
        time.sleep(1.0)
        start = time.perf_counter()
        done = cluster.submit([small_plan(i) for i in range(PLANS)], wait=True, timeout=600)
        elapsed = time.perf_counter() - start
        assert all(d.status == "success" for d in done)
        return PLANS / elapsed
    finally:
        cluster.stop_all()


def _latency(tmp: Path, url: str, samples: int = 50) -> tuple[list[float], list[float]]:
    """Per plan, submit to result: through ``altlas submit --wait``'s function (a connection
    and stream check each time, as the CLI does) and over one kept connection."""
    tmp.mkdir(parents=True, exist_ok=True)
    cluster = Cluster(tmp, url, ack_wait_seconds=30)
    try:
        cluster.worker(0)
        cluster.submit([small_plan(-1)], wait=True, timeout=120)
        cold = []
        for i in range(samples // 2):
            start = time.perf_counter()
            cluster.submit([small_plan(i)], wait=True, timeout=60)
            cold.append((time.perf_counter() - start) * 1000)
        kept = asyncio.run(_kept_connection(cluster, samples))
        return cold, kept
    finally:
        cluster.stop_all()


async def _kept_connection(cluster: Cluster, samples: int) -> list[float]:
    import orjson

    from altlas.scale.config import close_quietly, connect
    from altlas.scale.streams import key_of

    nc = await connect(cluster.config)
    js = nc.jetstream()
    times = []
    try:
        for i in range(samples):
            run_id = f"run_lat_{i}"
            sub = await nc.subscribe(f"altlas.results.{key_of(run_id)}")
            job = {"run_id": run_id, "plan": small_plan(i), "options": {}}
            start = time.perf_counter()
            await js.publish(f"altlas.runs.{key_of(run_id)}", orjson.dumps(job))
            await sub.next_msg(timeout=30)
            times.append((time.perf_counter() - start) * 1000)
            await sub.unsubscribe()
    finally:
        await close_quietly(nc)
    return times


def test_throughput_of_small_plans(tmp_path: Path, capsys: Any) -> None:
    from altlas.scale.local_server import LocalNatsServer

    rows: list[tuple[str, float]] = []
    for workers in (1, 2, 4):
        rows.append((f"embedded SQLite queue, {workers} thread(s)", _embedded(tmp_path, workers)))
    for workers in (1, 2, 4):
        with LocalNatsServer(tmp_path / f"js{workers}") as server:
            rate = _nats(tmp_path / f"n{workers}", server.url, workers)
        rows.append((f"NATS JetStream, {workers} worker process(es)", rate))
    with LocalNatsServer(tmp_path / "jslat") as server:
        cold, kept = _latency(tmp_path / "lat", server.url)
    with capsys.disabled():
        print(f"\n{PLANS} small plans (2 echo tasks each)")
        for name, rate in rows:
            print(f"  {name:45s} {rate:8.1f} plans/s")
        for name, lat in (("submit --wait (new connection)", cold), ("kept connection", kept)):
            print(
                f"  latency per plan, 1 worker, {name}: p50 {statistics.median(lat):.1f} ms,"
                f" p90 {sorted(lat)[int(len(lat) * 0.9)]:.1f} ms"
            )
    assert all(rate > 0 for _, rate in rows)
    asyncio.set_event_loop(None)
