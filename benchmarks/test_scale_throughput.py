"""Small plans through NATS workers, the embedded SQLite queue and Celery + Redis, same run.

Run: ``pytest benchmarks/test_scale_throughput.py -s -p no:cacheprovider``
(``ALTLAS_BENCH_PLANS``: plans per measurement, default 1,000; ``ALTLAS_BENCH_ROUNDS``: rounds,
default 1; the three sides alternate within a round, so only ratios of one run are compared).
Figures go to docs/performance.md (scale section); the issue 14 targets are asserted.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("nats")

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.celery_peers import (
    Measured,
    celery_rate,
    cpu_seconds,
    embedded_rate,
    quiet_disk,
    redis_server,
)
from tests.scale.harness import Cluster
from tests.scale.plans import small_plan

PLANS = int(os.environ.get("ALTLAS_BENCH_PLANS", "1000"))
ROUNDS = int(os.environ.get("ALTLAS_BENCH_ROUNDS", "1"))
RUNS_PER_WORKER = int(os.environ.get("ALTLAS_BENCH_CONCURRENCY", "16"))
WORKERS = (1, 2, 4)
TARGET_RATIO = 3.0
TARGET_P50_MS = 20.0


def _nats(tmp: Path, server: Any, workers: int) -> Measured:
    tmp.mkdir(parents=True, exist_ok=True)
    cluster = Cluster(tmp, server.url, ack_wait_seconds=30)
    try:
        for n in range(workers):
            cluster.worker(n, concurrency=RUNS_PER_WORKER)
        # every worker started, warm and pulling: a late one's start-up is no plan's CPU
        cluster.wait_pulling(workers)
        cluster.submit([small_plan(-1)], wait=True, timeout=120)
        time.sleep(1.0)
        quiet_disk()
        sides = ([server.process.pid], [p.pid for p in cluster.processes])
        before = [cpu_seconds(pids) for pids in sides] + [time.process_time()]
        start = time.perf_counter()
        done = cluster.submit([small_plan(i) for i in range(PLANS)], wait=True, timeout=600)
        elapsed = time.perf_counter() - start
        after = [cpu_seconds(pids) for pids in sides] + [time.process_time()]
        assert all(d.status == "success" for d in done)
        spent = [(b - a) / PLANS * 1000 for a, b in zip(before, after, strict=True)]
        server_ms, workers_ms, client_ms = spent
        print(  # where a NATS plan's CPU goes
            f"  NATS {workers} worker(s): {PLANS / elapsed:.0f}/s, CPU ms per plan:"
            f" nats-server {server_ms:.2f}, workers {workers_ms:.2f}, client {client_ms:.2f}"
        )
        return Measured(PLANS / elapsed, server_ms + workers_ms + client_ms)
    finally:
        cluster.stop_all()


def _latency(tmp: Path, url: str, samples: int = 60) -> tuple[list[float], list[float]]:
    """Per plan, submit to result: through ``altlas submit --wait``'s function (a connection
    and stream check each time, as the CLI does) and over one kept connection."""
    tmp.mkdir(parents=True, exist_ok=True)
    cluster = Cluster(tmp, url, ack_wait_seconds=30)
    try:
        cluster.worker(0, concurrency=RUNS_PER_WORKER)
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
    from nats.js.api import ConsumerConfig, DeliverPolicy

    from altlas.scale.config import close_quietly, connect
    from altlas.scale.streams import RESULTS, key_of

    nc = await connect(cluster.config)
    js = nc.jetstream()
    times = []
    try:
        # the server copies each commit into ALTLAS_RESULTS: read it there, as `submit --wait`
        sub = await js.subscribe(
            "altlas.results.>",
            stream=RESULTS,
            ordered_consumer=True,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.NEW),
        )
        for i in range(samples):
            run_id = f"run_lat_{i}"
            job = {"run_id": run_id, "plan": small_plan(i), "options": {}}
            start = time.perf_counter()
            await js.publish(f"altlas.runs.{key_of(run_id)}", orjson.dumps(job))
            while (await sub.next_msg(timeout=30)).subject != f"altlas.results.{key_of(run_id)}":
                pass
            times.append((time.perf_counter() - start) * 1000)
        await sub.unsubscribe()
    finally:
        await close_quietly(nc)
    return times


def _recovery(tmp: Path, url: str, ack_wait: float = 3.0) -> tuple[float, int, int]:
    """1,000 plans (``PLANS``) on two workers; one is SIGKILLed a third of the way through.
    Returns the seconds from the kill until every run is acked (the victim's redelivered
    ones too), how many runs were redelivered, and how many results arrived (each run once)."""
    tmp.mkdir(parents=True, exist_ok=True)
    cluster = Cluster(tmp, url, ack_wait_seconds=ack_wait)
    try:
        victim = cluster.worker(0, concurrency=RUNS_PER_WORKER)
        cluster.worker(1, concurrency=RUNS_PER_WORKER)
        cluster.wait_pulling(2)  # else the victim may start after a third is done
        cluster.submit([small_plan(-1)], wait=True, timeout=120)
        recovered, rerun, results = asyncio.run(_kill_midway(cluster, victim))
    finally:
        cluster.stop_all()
    # a run the victim committed but had not acked comes back too: the survivor finds the
    # commit and acks it ("republished"); one it had not committed is run again (attempt 2)
    found = re.search(r"(\d+) republished", cluster.log("worker1.log"))
    return recovered, rerun + (int(found.group(1)) if found else 0), results


async def _kill_midway(cluster: Cluster, victim: Any) -> tuple[float, int, int]:
    import signal

    import orjson
    from nats.js.api import ConsumerConfig, DeliverPolicy

    from altlas.scale.config import close_quietly, connect
    from altlas.scale.streams import RESULTS, RUNS, WORKER_CONSUMER, key_of

    nc = await connect(cluster.config)
    js = nc.jetstream()
    arrived: dict[str, int] = {}
    killed_at = 0.0

    async def seen(msg: Any) -> None:  # a copy of the run's commit: its committing attempt
        arrived.setdefault(msg.subject, int(orjson.loads(msg.data).get("attempt", 1)))

    try:
        await js.subscribe(
            "altlas.results.>",
            stream=RESULTS,
            cb=seen,
            ordered_consumer=True,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.NEW),
        )
        jobs = [{"run_id": f"run_rec_{i}", "plan": small_plan(i)} for i in range(PLANS)]
        # all queued at once: a backlog, so the victim has runs in flight when it is killed
        await asyncio.gather(*(
            js.publish(f"altlas.runs.{key_of(job['run_id'])}", orjson.dumps(job)) for job in jobs
        ))  # fmt: skip
        deadline = time.monotonic() + 600
        while len(arrived) < PLANS and time.monotonic() < deadline:
            if not killed_at and len(arrived) >= PLANS // 3:
                victim.send_signal(signal.SIGKILL)
                killed_at = time.monotonic()
            await asyncio.sleep(0.01)
        assert killed_at, f"only {len(arrived)} of {PLANS} results arrived"
        while time.monotonic() < deadline:  # recovered: nothing queued, nothing unacked
            info = await js.consumer_info(RUNS, WORKER_CONSUMER)
            if not info.num_pending and not info.num_ack_pending:
                break
            await asyncio.sleep(0.02)
        recovered = time.monotonic() - killed_at
    finally:
        await close_quietly(nc)
    return recovered, sum(attempt > 1 for attempt in arrived.values()), len(arrived)


def _round(tmp: Path, redis: tuple[str, int]) -> dict[str, dict[int, Measured]]:
    from altlas.scale.local_server import LocalNatsServer

    rates: dict[str, dict[int, Measured]] = {"embedded": {}, "nats": {}, "celery": {}}
    for workers in WORKERS:
        rates["embedded"][workers] = embedded_rate(tmp / f"e{workers}", workers, PLANS)
        with LocalNatsServer(tmp / f"js{workers}") as server:
            rates["nats"][workers] = _nats(tmp / f"n{workers}", server, workers)
        rates["celery"][workers] = celery_rate(tmp / f"c{workers}", redis, workers, PLANS)
        for path in tmp.iterdir():  # 1,000 workspaces per side add up
            shutil.rmtree(path, ignore_errors=True)
    return rates


def test_throughput_latency_and_recovery(tmp_path: Path, capsys: Any) -> None:
    pytest.importorskip("celery")
    from altlas.scale.local_server import LocalNatsServer

    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    with redis_server(tmp_path / "redis") as redis:
        rounds = [_round(tmp_path / f"r{n}", redis) for n in range(ROUNDS)]
    with LocalNatsServer(tmp_path / "jslat") as server:
        cold, kept = _latency(tmp_path / "lat", server.url)
    with LocalNatsServer(tmp_path / "jsrec") as server:
        recovered, redelivered, results = _recovery(tmp_path / "rec", server.url)

    def median(side: str, workers: int, cpu: bool = False) -> float:
        return statistics.median(
            r[side][workers].cpu_ms if cpu else r[side][workers].rate for r in rounds
        )

    ratios = {w: median("nats", w) / median("celery", w) for w in WORKERS}
    p50 = statistics.median(kept)
    with capsys.disabled():
        print(f"\n{PLANS} small plans (2 echo tasks each), {ROUNDS} round(s), medians")
        for n, one in enumerate(rounds):
            print(f"  round {n + 1}: " + ", ".join(
                f"{side} {w}: {m.rate:.0f}/s {m.cpu_ms:.2f} ms" for side, by in one.items()
                for w, m in by.items()
            ))  # fmt: skip
        for workers in WORKERS:
            print(
                f"  {workers} worker(s): embedded {median('embedded', workers):7.1f}"
                f"  NATS {median('nats', workers):7.1f}  Celery {median('celery', workers):7.1f}"
                f" plans/s   NATS/Celery {ratios[workers]:.2f}x"
                f"   NATS/embedded {median('nats', workers) / median('embedded', workers):.2f}x"
            )
            print(
                "     CPU ms per plan (all processes):"
                f" embedded {median('embedded', workers, True):.2f}"
                f"  NATS {median('nats', workers, True):.2f}"
                f"  Celery {median('celery', workers, True):.2f}"
            )
        for name, lat in (("submit --wait (new connection)", cold), ("kept connection", kept)):
            print(
                f"  latency per plan, 1 worker, {name}: p50 {statistics.median(lat):.1f} ms,"
                f" p90 {sorted(lat)[int(len(lat) * 0.9)]:.1f} ms"
            )
        print(
            f"  recovery after SIGKILL at {PLANS} plans (ack_wait 3 s): {recovered:.2f} s,"
            f" {redelivered} runs redelivered, {results} results"
        )
    assert results == PLANS
    assert redelivered > 0, "the victim had no run in flight"
    assert recovered <= 3.0 + 1.0
    assert p50 <= TARGET_P50_MS
    # the issue 14 target, on the medians: a single round can dip under it when other load
    # lands on the NATS side's minute (docs/performance.md)
    assert all(ratio >= TARGET_RATIO for ratio in ratios.values()), (
        f"NATS/Celery throughput {ratios}, target >= {TARGET_RATIO}x"
    )
