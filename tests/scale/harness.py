"""Real processes for the scale-out tests: workers and the follower as ``python -m altlas``."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import orjson

from altlas.scale.config import NatsConfig, close_quietly, connect
from altlas.scale.eventbatch import unpack
from altlas.scale.streams import EVENTS, key_of
from altlas.scale.submit import submit_jobs

REPO = Path(__file__).resolve().parents[2]


class Cluster:
    def __init__(self, tmp: Path, url: str, **nats: Any) -> None:
        self.tmp = tmp
        self.url = url
        self.home = tmp / "altlas-home"
        self.workspaces = tmp / "workspaces"
        self.config = NatsConfig(url=url, **nats)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("ALTLAS_")}
        self.env.update(
            ALTLAS_HOME=str(self.home),
            PYTHONPATH=os.pathsep.join([str(REPO), self.env.get("PYTHONPATH", "")]),
        )
        for key, value in nats.items():
            self.env[f"ALTLAS_NATS__{key.upper()}"] = (
                orjson.dumps(value).decode() if isinstance(value, list) else str(value)
            )
        self.processes: list[subprocess.Popen[bytes]] = []

    def _spawn(self, *args: str, log: str) -> subprocess.Popen[bytes]:
        out = (self.tmp / log).open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "altlas", *args], env=self.env, stdout=out, stderr=out
        )
        out.close()
        self.processes.append(process)
        return process

    def worker(self, n: int, concurrency: int = 1, grace: float = 10.0) -> subprocess.Popen[bytes]:
        return self._spawn(
            "worker", "--nats", self.url, "--handlers", "tests.scale.worker_handlers",
            "--workspace-root", str(self.workspaces), "--concurrency", str(concurrency),
            "--grace", str(grace), log=f"worker{n}.log",
        )  # fmt: skip

    def follower(self, idle_exit: float | None = None) -> subprocess.Popen[bytes]:
        extra = ["--idle-exit", str(idle_exit)] if idle_exit else []
        return self._spawn("archive", "follow", "--nats", self.url, *extra, log="follow.log")

    def submit(
        self, plans: list[dict[str, Any]], *, wait: bool, timeout: float = 300, archive: bool = True
    ) -> Any:
        jobs = [(p["id"], {"run_id": f"run_{p['id']}_{i}", "plan": p, "options": {},
                           "archive": archive}) for i, p in enumerate(plans)]  # fmt: skip
        return asyncio.run(submit_jobs(self.config, jobs, wait=wait, timeout=timeout))

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)

    def wait_pulling(self, workers: int, timeout: float = 120) -> None:
        """Until the run consumer has a waiting pull request from each of ``workers``: a worker
        warms up (``altlas.scale.runner.warm_up``) before it pulls, so then every one is ready."""
        asyncio.run(_all_pulling(self.config, workers, timeout))

    def log(self, name: str) -> str:
        path = self.tmp / name
        return path.read_text(errors="replace") if path.exists() else ""

    def archived(self) -> list[str]:
        from altlas.index import Archive

        with Archive(self.home) as archive:
            return [r.result_id for r in archive.records(limit=None)]

    def effects(self, run_id: str) -> list[str]:
        path = self.workspaces / key_of(run_id) / "effects.txt"
        return path.read_text().split() if path.exists() else []

    def events(self) -> dict[str, list[dict[str, Any]]]:
        return asyncio.run(_events(self.config))


async def _all_pulling(config: NatsConfig, workers: int, timeout: float) -> None:
    from altlas.scale.streams import RUNS, WORKER_CONSUMER, ensure_all

    nc = await connect(config)
    try:
        js = nc.jetstream()
        await ensure_all(js, config)
        deadline = time.monotonic() + timeout
        while (await js.consumer_info(RUNS, WORKER_CONSUMER)).num_waiting < workers:
            assert time.monotonic() < deadline, f"not {workers} workers pulling"
            await asyncio.sleep(0.05)
    finally:
        await close_quietly(nc)


async def _events(config: NatsConfig) -> dict[str, list[dict[str, Any]]]:
    from nats.errors import TimeoutError as NatsTimeout

    nc = await connect(config)
    try:
        js = nc.jetstream()
        info = await js.stream_info(EVENTS)
        total = info.state.messages
        sub = await js.subscribe("altlas.events.>", stream=EVENTS, ordered_consumer=True)
        by_run: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for _ in range(total):
            try:
                msg = await sub.next_msg(timeout=5)
            except NatsTimeout:
                break
            for event in unpack(msg.data):  # a worker's batch, or one event
                by_run[event["run_id"]].append(event)
        await sub.unsubscribe()
        return dict(by_run)
    finally:
        await close_quietly(nc)


def wait_for(predicate: Any, timeout: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return bool(predicate())
