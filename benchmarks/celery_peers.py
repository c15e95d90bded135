"""The NATS workers' peers in benchmarks/test_scale_throughput.py: Celery + Redis and the
embedded SQLite queue, each running the same small plans with the same ``altlas.run``."""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
from tests.redis_support import redis_process
from tests.scale.plans import small_plan

REPO = Path(__file__).resolve().parents[1]

__all__ = ["Measured", "celery_rate", "cpu_seconds", "embedded_rate", "redis_server"]


@dataclass(slots=True)
class Measured:
    """Plans per second, and CPU milliseconds per plan summed over every process involved
    (workers, broker, client): the second is what a busy shared machine does not blur."""

    rate: float
    cpu_ms: float


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes and their live descendants (Linux /proc)."""
    total, seen, todo = 0.0, set(), list(pids)
    tick = os.sysconf("SC_CLK_TCK")
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue  # it ended meanwhile
    return total


def quiet_disk() -> None:
    """Write back what earlier measurements left dirty, so that the kernel's writeback (after
    up to 30 s) is not charged to whichever side happens to run then. Each side calls it just
    before its timed part."""
    os.sync()
    time.sleep(0.2)


@contextlib.contextmanager
def redis_server(tmp: Path) -> Iterator[tuple[str, int]]:
    """A real redis-server on a free loopback port, no persistence; its URL and pid."""
    binary = shutil.which("redis-server")
    assert binary is not None
    tmp.mkdir(parents=True, exist_ok=True)
    with redis_process(binary, tmp) as started:
        yield started


def _celery_workers(tmp: Path, redis_url: str, workers: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALTLAS_")}
    env.update(
        ALTLAS_HOME=str(tmp / "altlas-home"),
        ALTLAS_BENCH_REDIS=redis_url,
        PYTHONPATH=os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]),
    )
    log = (tmp / "celery.log").open("ab")
    try:
        pool = ["-P", "prefork", "-c", str(workers), "-l", "WARNING", "-n", f"bench{workers}@%h"]
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "benchmarks.celery_app", "worker", *pool],
            env=env,
            cwd=REPO,
            stdout=log,
            stderr=log,
        )
    finally:
        log.close()


def celery_rate(tmp: Path, redis: tuple[str, int], workers: int, plans: int) -> Measured:
    """Plans through ``workers`` prefork Celery processes: submit all, wait for all."""
    redis_url, redis_pid = redis
    os.environ["ALTLAS_BENCH_REDIS"] = redis_url
    from benchmarks.celery_app import app, run_plan
    from celery.result import ResultSet
    from redis import Redis

    tmp.mkdir(parents=True, exist_ok=True)
    Redis.from_url(redis_url).flushdb()
    app.conf.broker_url = app.conf.result_backend = redis_url
    process = _celery_workers(tmp, redis_url, workers)
    try:
        warm = [run_plan.delay(small_plan(-1), str(tmp / "ws" / f"warm{n}")) for n in range(8)]
        ResultSet(warm).get(timeout=120)
        time.sleep(1.0)
        quiet_disk()
        cpu = cpu_seconds([process.pid, redis_pid]) + time.process_time()
        start = time.perf_counter()
        sent = [run_plan.delay(small_plan(i), str(tmp / "ws" / f"run{i}")) for i in range(plans)]
        try:
            results = ResultSet(sent).get(timeout=600)
        except Exception as exc:  # the worker's log says which plan failed and why
            log = (tmp / "celery.log").read_text(errors="replace")[-3000:]
            raise RuntimeError(f"a Celery task failed: {exc!r}\n{log}") from exc
        elapsed = time.perf_counter() - start
        cpu = cpu_seconds([process.pid, redis_pid]) + time.process_time() - cpu
        assert all(orjson.loads(r)["status"] == "success" for r in results)
        # results let go while Redis is up (their finaliser unsubscribes there)
        del warm, sent
        gc.collect()
        return Measured(plans / elapsed, cpu / plans * 1000)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def embedded_rate(tmp: Path, workers: int, plans: int) -> Measured:
    """Plans per second through ``SqliteJobQueue`` with ``workers`` threads."""
    from altlas.events.embedded import SqliteJobQueue
    from altlas.events.queue import JobContext, JobOutcome
    from altlas.formats.io import to_bytes
    from altlas.run.api import run

    def execute(ctx: JobContext) -> JobOutcome:
        workspace = tmp / "ws" / ctx.job.id
        result = run(
            ctx.job.payload["plan"], journal=False, handle_signals=False, workspace=workspace
        )
        to_bytes(result, pretty=False)  # the same work as the other two sides
        return JobOutcome(data={"status": result.status.value})

    tmp.mkdir(parents=True, exist_ok=True)
    queue = SqliteJobQueue(tmp / f"q{workers}.db", workers=workers, poll_seconds=0.01)
    queue.register("run", execute)
    queue.start()
    try:
        quiet_disk()
        cpu = time.process_time()
        start = time.perf_counter()
        pending = [queue.enqueue("run", {"plan": small_plan(i)}).id for i in range(plans)]
        deadline = time.monotonic() + 600
        # oldest first: jobs end roughly in order, so a poll reads a few rows, not 1,000
        while pending and time.monotonic() < deadline:
            while pending and queue.get(pending[0]).state.terminal:
                pending.pop(0)
            time.sleep(0.02)
        elapsed = time.perf_counter() - start
        return Measured(plans / elapsed, (time.process_time() - cpu) / plans * 1000)
    finally:
        queue.stop()
