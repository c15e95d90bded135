"""Helpers for runner tests: plans in one line, and small real handlers registered in code."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from altlas.formats.plan import Plan
from altlas.run.handlers import HandlerContext, HandlerRegistry, TransientError, handler

FAST = {"backoff_initial": 0.001, "backoff_max": 0.01, "backoff_jitter": 0.0}
"""Retry options that keep tests fast."""


def make_plan(*tasks: dict[str, Any], **fields: Any) -> Plan:
    """A canonical plan from task dicts (``id`` required; ``type`` defaults to echo)."""
    return Plan.model_validate(
        {
            "id": fields.pop("id", "plan_test"),
            "tasks": [{"type": "echo", **t} for t in tasks],
            **fields,
        }
    )


class Probe:
    """Counts calls and concurrency of the ``probe`` handler; fails on demand."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = {}
        self.active = 0
        self.max_active = 0
        self.order: list[str] = []
        self.fail_first: dict[str, int] = {}

    async def __call__(self, ctx: HandlerContext) -> Any:
        tid = ctx.task.id
        self.calls[tid] = self.calls.get(tid, 0) + 1
        self.order.append(tid)
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        try:
            await asyncio.sleep(float(ctx.params.get("sleep", 0)))
            if self.fail_first.get(tid, 0) >= self.calls[tid]:
                raise TransientError(f"{tid} failed on call {self.calls[tid]}")
            if ctx.params.get("fail"):
                raise RuntimeError(str(ctx.params["fail"]))
            return {"text": f"{tid} done", "inputs": sorted(ctx.inputs)}
        finally:
            self.active -= 1


@pytest.fixture
def probe() -> Probe:
    return Probe()


@pytest.fixture
def registry(probe: Probe) -> HandlerRegistry:
    """Built-ins plus ``probe``."""
    reg = HandlerRegistry.builtin()
    reg.register(handler("probe")(probe))
    return reg


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    return ws


@pytest.fixture
def mkplan():
    """``mkplan({"id": "a"}, {"id": "b", "dependencies": ["a"]})`` -> Plan."""
    return make_plan


@pytest.fixture
def fast() -> dict[str, Any]:
    return dict(FAST)
