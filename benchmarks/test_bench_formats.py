"""Format figures (issue 2): JSON bytes -> validated model throughput, and cycle detection scaling.

Run: nox -s bench -- benchmarks/test_bench_formats.py   (or pytest benchmarks/test_bench_formats.py)
Targets: >= 50 MB/s from JSON bytes to a validated Plan for a 10,000-task .alt;
cycle detection linear in tasks + edges.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

import pytest

from altlas.formats import io
from altlas.formats.plan import Plan
from altlas.formats.result import ErrorInfo, Result, TaskResult, run_status_for, success_rate_of
from altlas.formats.validation import find_cycles

TYPES = ["search", "create", "analyze", "open", "transform", "execute", "summarize", "schedule"]


def big_plan(n: int, seed: int = 7) -> Plan:
    rnd = random.Random(seed)
    tasks = []
    for i in range(n):
        deps = sorted({f"t{rnd.randrange(i)}" for _ in range(rnd.randint(0, 3))}) if i else []
        tasks.append(
            {
                "id": f"t{i}",
                "type": TYPES[i % 8],
                "description": f"Görev {i}: raporu indir, özetle ve ekiple paylaş (step {i})",
                "parameters": {"query": f"sales report {i}", "limit": i % 50, "format": "pdf"},
                "dependencies": deps,
                "timeout_seconds": 30.0,
                "retry_count": 2,
                "tags": ["bench", TYPES[i % 8]],
                "confidence": 0.9,
                "span": {"text": f"step {i}", "start": 0, "end": 6 + len(str(i))},
            },
        )
    return Plan(
        id="bench",
        command="benchmark plan",
        language="en",
        created_at=datetime(2025, 1, 1, tzinfo=UTC),
        tasks=tasks,
    )


def typical_result(i: int) -> Result:
    rnd = random.Random(i)
    start = datetime(2025, 5, 1, tzinfo=UTC) + timedelta(minutes=i)
    tasks = []
    for j in range(rnd.randint(3, 8)):
        ok = rnd.random() > 0.2
        tasks.append(
            TaskResult(
                task_id=f"t{j + 1}",
                status="completed" if ok else "failed",
                type=TYPES[(i + j) % 8],
                handler="echo",
                attempts=1,
                started_at=start,
                finished_at=start + timedelta(milliseconds=40),
                duration_ms=40.0,
                output={"text": "lorem ipsum dolor sit amet " * rnd.randint(5, 30)} if ok else None,
                error=None if ok else ErrorInfo(type="HandlerError", message=f"failed on row {j}"),
            ),
        )
    rate = success_rate_of(tasks)
    return Result(
        id=f"last_{i}",
        run_id=f"run_{i}",
        plan_id=f"plan_{i}",
        command=f"Find sales data for region {i} and summarize it",
        status=run_status_for(rate, has_tasks=True),
        success_rate=rate,
        started_at=start,
        finished_at=start + timedelta(seconds=2),
        duration_ms=2000.0,
        tasks=tasks,
    )


@pytest.fixture(scope="module")
def plan_bytes() -> bytes:
    return io.to_bytes(big_plan(10_000), pretty=False)


def test_load_and_validate_10k_task_plan(benchmark, plan_bytes: bytes) -> None:
    """JSON bytes of a 10,000-task plan -> validated Plan (structure + graph rules)."""
    loaded = benchmark(io.read_bytes, plan_bytes)
    assert len(loaded.document.tasks) == 10_000
    mb_per_s = len(plan_bytes) / benchmark.stats.stats.median / 1e6
    benchmark.extra_info["bytes"] = len(plan_bytes)
    benchmark.extra_info["MB_per_s"] = round(mb_per_s, 1)
    print(f"\n10k-task plan: {len(plan_bytes) / 1e6:.2f} MB at {mb_per_s:.1f} MB/s")
    assert mb_per_s >= 50, f"{mb_per_s:.1f} MB/s is below the 50 MB/s target"


def test_load_1000_typical_results(benchmark) -> None:
    """1,000 typical .last files (bytes in memory) -> validated Results."""
    blobs = [io.to_bytes(typical_result(i)) for i in range(1000)]
    total = sum(map(len, blobs))

    def load_all() -> int:
        return sum(len(io.read_bytes(b).document.tasks) for b in blobs)

    assert benchmark(load_all) > 0
    mb_per_s = total / benchmark.stats.stats.median / 1e6
    benchmark.extra_info["MB_per_s"] = round(mb_per_s, 1)
    benchmark.extra_info["files_per_s"] = round(1000 / benchmark.stats.stats.median)
    print(f"\n1000 results: {total / 1e6:.2f} MB at {mb_per_s:.1f} MB/s")


def _chain_with_fanout(n: int) -> tuple[list[str], dict[str, list[str]]]:
    ids = [f"t{i}" for i in range(n)]
    edges = {ids[i]: [ids[i - 1], ids[i // 2]] for i in range(1, n)}
    return ids, edges


def test_cycle_detection_is_linear() -> None:
    """Time per (task + edge) stays flat from 10k to 160k tasks."""
    per_item = []
    for n in (10_000, 40_000, 160_000):
        ids, edges = _chain_with_fanout(n)
        items = n + sum(map(len, edges.values()))
        best = min(_timed(find_cycles, ids, edges) for _ in range(3))
        per_item.append(best / items)
    print("\ncycle detection ns per task+edge:", [round(p * 1e9, 1) for p in per_item])
    assert per_item[-1] < per_item[0] * 3, per_item


def _timed(fn, *args) -> float:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t0
