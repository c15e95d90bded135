"""A worker's runs leave no cyclic garbage: each run's objects go by reference counting.

``altlas worker`` raises Python's young-collection threshold (``settle_heap``) on that
promise; a cycle per run (as hooks -> scheduler -> emitter -> hooks once was) would pile up
until a collection and cost the worker ~10 % of its CPU per small plan. A real nats-server,
the real Worker in this process, jobs submitted as ``altlas submit`` does.
"""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path
from typing import Any

from tests.scale.plans import small_jobs, small_plan

from altlas.config import load_settings
from altlas.scale.config import NatsConfig
from altlas.scale.submit import submit_jobs
from altlas.scale.worker import Worker


def test_runs_through_a_worker_leave_no_cyclic_garbage(tmp_path: Path, nats_server: Any) -> None:
    config = NatsConfig(url=nats_server.url)
    worker = Worker(config, load_settings(tmp_path / "home"), concurrency=4)

    async def garbage_after(prefix: str, runs: int) -> int:
        gc.collect()
        gc.disable()  # what the runs leave in cycles stays countable
        try:
            done = await submit_jobs(
                config, small_jobs(prefix, runs, tasks=3), wait=True, timeout=60
            )
            assert [d.status for d in done] == ["success"] * runs
            return gc.collect()
        finally:
            gc.enable()

    async def scenario() -> tuple[int, int]:
        stop = asyncio.Event()
        serving = asyncio.create_task(worker.serve(stop))
        try:
            # the first runs build what lives on (connections, subscriptions, caches)
            await submit_jobs(config, small_jobs("warm", 8, tasks=3), wait=True, timeout=60)
            # the submitting client shares the process and leaves its connection's cycles
            # once per call: only what grows with the number of runs is the worker's
            return await garbage_after("few", 5), await garbage_after("many", 45)
        finally:
            stop.set()
            await asyncio.wait_for(serving, 30)

    few, many = asyncio.run(scenario())
    assert many - few < 20, f"{many} objects in cycles after 45 runs, {few} after 5"
    assert worker.stats.completed == 58


def test_a_run_through_the_runner_leaves_no_cycle(tmp_path: Path) -> None:
    from altlas.scale.runner import RunHooks, execute_job

    settings = load_settings(tmp_path / "home")

    async def scenario() -> int:
        async def one(n: int) -> None:
            job = {"run_id": f"run_cycle_{n}", "plan": small_plan(n, tasks=3)}
            hooks = RunHooks(lambda _event: None)
            result = await execute_job(
                job, workspace=tmp_path / f"ws{n}", settings=settings, completed=[], hooks=hooks
            )
            assert result.status.value == "success"

        await one(-1)
        gc.collect()
        gc.disable()
        try:
            for n in range(10):
                await one(n)
            return gc.collect()
        finally:
            gc.enable()

    assert asyncio.run(scenario()) == 0


def test_settle_heap_freezes_the_warm_heap_and_raises_the_young_threshold() -> None:
    import subprocess
    import sys

    probe = (
        "import gc; from altlas.scale.service import settle_heap, GEN0_THRESHOLD;"
        "assert gc.get_freeze_count() == 0; settle_heap();"
        "assert gc.get_threshold()[0] == GEN0_THRESHOLD, gc.get_threshold();"
        "assert gc.get_freeze_count() > 1000, gc.get_freeze_count()"
    )
    # process-wide: in a process of its own, as `altlas worker` calls it
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
