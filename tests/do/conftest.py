"""The do fixture workspace (a fresh copy per test), a fixed now, and shared helpers."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from altlas.do.api import plan_for

FIXTURE = Path(__file__).parent / "workspace"
NOW = datetime(2026, 3, 4, 15, 0, tzinfo=timezone(timedelta(hours=3)))
"""A fixed Wednesday afternoon in UTC+3, so reminders resolve the same every day."""


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    target = tmp_path / "ws"
    shutil.copytree(FIXTURE, target)
    return target


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def planned_ops(command: str, ws: Path) -> list[tuple[str, dict[str, Any]]]:
    """(handler, parameters) of each task the command is planned into, at the fixed NOW."""
    plan, _ = plan_for(command, ws, now=NOW)
    return [(str(t.handler), dict(t.parameters)) for t in plan.tasks]
