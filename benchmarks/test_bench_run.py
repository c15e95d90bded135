"""Runner figures (issue 4): scheduling + journal overhead, fan-out and a sleeping chain.

Targets, all with the SQLite journal on (WAL, group commit):

* no-op tasks: at most 0.3 ms per task of scheduling and journal overhead, amortised;
* 10,000 independent no-op tasks: at most 5 s end to end;
* a chain of 40 tasks sleeping 10 ms each: at most 0.5 s end to end (the sleeps alone are 0.4 s).

Run: ``pytest benchmarks/test_bench_run.py --benchmark-columns=min,median,max,rounds``
"""

from __future__ import annotations

import pytest

import altlas.run as runner
from altlas.formats.plan import Plan
from altlas.formats.result import RunStatus


def _noop_plan(n: int) -> Plan:
    return Plan.model_validate(
        {"id": f"bench-{n}", "tasks": [{"id": f"t{i}", "type": "echo"} for i in range(n)]}
    )


def _chain(n: int, seconds: float) -> Plan:
    return Plan.model_validate(
        {
            "id": "bench-chain",
            "tasks": [
                {
                    "id": f"c{i}",
                    "type": "delay",
                    "parameters": {"seconds": seconds},
                    "dependencies": [f"c{i - 1}"] if i else [],
                }
                for i in range(n)
            ],
        }
    )


@pytest.mark.parametrize("concurrency", [4, 64])
def test_noop_overhead_per_task(benchmark, tmp_path, concurrency) -> None:
    """2,000 no-op tasks; the per-task cost is the run time divided by the task count."""
    n = 2000
    plan = _noop_plan(n)
    result = benchmark.pedantic(
        lambda: runner.run(plan, concurrency=concurrency, workspace=tmp_path),
        rounds=5,
        iterations=1,
        warmup_rounds=1,
    )
    assert result.status is RunStatus.SUCCESS
    per_task_ms = benchmark.stats.stats.median / n * 1000
    benchmark.extra_info["per_task_ms"] = round(per_task_ms, 4)
    assert per_task_ms <= 0.3


def test_ten_thousand_independent_tasks(benchmark, tmp_path) -> None:
    """10,000 independent no-op tasks (default concurrency 4) in at most 5 s."""
    plan = _noop_plan(10_000)
    result = benchmark.pedantic(
        lambda: runner.run(plan, workspace=tmp_path), rounds=3, iterations=1
    )
    assert len(result.tasks) == 10_000 and result.status is RunStatus.SUCCESS
    benchmark.extra_info["seconds"] = round(benchmark.stats.stats.median, 3)
    assert benchmark.stats.stats.median <= 5.0


def test_chain_of_40_sleeping_tasks(benchmark, tmp_path) -> None:
    """40 dependent tasks sleeping 10 ms each in at most 0.5 s end to end."""
    plan = _chain(40, 0.01)
    result = benchmark.pedantic(
        lambda: runner.run(plan, workspace=tmp_path), rounds=5, iterations=1
    )
    assert result.status is RunStatus.SUCCESS
    benchmark.extra_info["seconds"] = round(benchmark.stats.stats.median, 3)
    assert benchmark.stats.stats.median <= 0.5
