"""Small plans for the scale-out tests and benchmarks."""

from __future__ import annotations

from typing import Any


def small_plan(n: int, tasks: int = 2) -> dict[str, Any]:
    steps: list[dict[str, Any]] = [
        {"id": f"t{i}", "type": "echo", "parameters": {"message": f"plan {n} step {i}"}}
        for i in range(tasks)
    ]
    for i in range(1, tasks):
        steps[i]["dependencies"] = [f"t{i - 1}"]
    return {"format": "altlas.alt", "id": f"small-{n}", "tasks": steps}


def small_jobs(prefix: str, count: int, tasks: int = 2) -> list[tuple[str, dict[str, Any]]]:
    """(source, job) pairs for ``submit_jobs``: ``count`` small plans, run ids
    ``run_<prefix>_<i>``."""
    plans = [small_plan(i, tasks) for i in range(count)]
    return [(p["id"], {"run_id": f"run_{prefix}_{i}", "plan": p}) for i, p in enumerate(plans)]


def effect_plan(sleep: float) -> dict[str, Any]:
    """Two counted effects around a long step: kill the worker during the sleep."""
    return {
        "format": "altlas.alt",
        "id": "effects",
        "tasks": [
            {"id": "first", "type": "append_line"},
            {
                "id": "nap",
                "type": "delay",
                "parameters": {"seconds": sleep},
                "dependencies": ["first"],
            },
            {"id": "last", "type": "append_line", "dependencies": ["nap"]},
        ],
    }


def poison_plan() -> dict[str, Any]:
    return {"format": "altlas.alt", "id": "poison", "tasks": [{"id": "boom", "type": "crash"}]}
