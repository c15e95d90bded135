"""A job through the worker's runner with a real RunState in JetStream KV: which completions are
written at once (tasks with effects) and which wait for a heartbeat (pure tasks)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.scale.effects import registered

from altlas.config import load_settings
from altlas.scale.config import NatsConfig, close_quietly, connect
from altlas.scale.runner import RunHooks, execute_job
from altlas.scale.runstate import RunState
from altlas.scale.streams import LEASES, STATE, ensure_all


@pytest.fixture(autouse=True)
def _effect_handlers() -> Iterator[None]:
    with registered():
        yield


def _plan() -> dict[str, Any]:
    return {
        "format": "altlas.alt",
        "id": "mixed",
        "tasks": [
            {"id": "hello", "type": "echo", "parameters": {"message": "hi"}},
            {"id": "effect", "type": "append_line", "dependencies": ["hello"]},
            {"id": "bye", "type": "echo", "dependencies": ["effect"]},
        ],
    }


def test_effectful_completions_are_written_at_once_and_pure_ones_wait(
    tmp_path: Path, nats_server: Any
) -> None:
    config = NatsConfig(url=nats_server.url)

    async def scenario() -> tuple[str, list[str], list[str]]:
        nc = await connect(config)
        try:
            js = nc.jetstream()
            await ensure_all(js, config)
            leases, state = await js.key_value(LEASES), await js.key_value(STATE)
            runstate = RunState(js, leases, state, "run_mixed", 1024)
            reader = RunState(js, leases, state, "run_mixed", 1024)
            job = {"run_id": "run_mixed", "plan": _plan(), "options": {}}
            result = await execute_job(
                job,
                workspace=tmp_path / "ws",
                settings=load_settings(),
                completed=[],
                hooks=RunHooks(lambda event: None, runstate),
            )
            await runstate.durable()
            at_end = sorted(r["task_id"] for r in await reader.completed_tasks())
            await runstate.save_progress()  # what a heartbeat does
            after_beat = sorted(r["task_id"] for r in await reader.completed_tasks())
            return result.status.value, at_end, after_beat
        finally:
            await close_quietly(nc)

    status, at_end, after_beat = asyncio.run(scenario())
    assert status == "success"
    assert at_end == ["effect"]  # the pure tasks' completions were not written yet
    assert after_beat == ["bye", "effect", "hello"]
    assert (tmp_path / "ws" / "effects.txt").read_text() == "effect\n"


def test_a_resumed_job_restores_completed_tasks_instead_of_running_them(tmp_path: Path) -> None:
    done = {
        "task_id": "effect",
        "status": "completed",
        "handler": "append_line",
        "attempts": 1,
        "started_at": "2026-01-01T00:00:00+00:00",
        "finished_at": "2026-01-01T00:00:01+00:00",
        "duration_ms": 1000,
        "output": {"appended": "effect"},
        "error": None,
        "cached": False,
        "artifacts": [],
        "metadata": {},
    }
    job = {"run_id": "run_resumed", "plan": _plan(), "options": {}}
    result = asyncio.run(
        execute_job(
            job,
            workspace=tmp_path / "ws",
            settings=load_settings(),
            completed=[done],
            hooks=RunHooks(lambda event: None),
        )
    )
    assert result.status.value == "success"
    assert not (tmp_path / "ws" / "effects.txt").exists()  # the effect did not run again
