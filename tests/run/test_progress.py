"""Progress displays: plain lines and the live table."""

from __future__ import annotations

import io

from rich.console import Console

import altlas
from altlas.run.progress import LiveProgress, PlainProgress


def test_plain_progress_lines(mkplan, workspace) -> None:
    """One line per start and finish, with errors spelled out."""
    out = io.StringIO()
    plan = mkplan({"id": "a"}, {"id": "b", "type": "nope"})
    altlas.run(plan, workspace=workspace, events=PlainProgress(out), run_id="run_p")
    lines = out.getvalue().splitlines()
    assert lines[0] == "run run_p: 2 tasks"
    assert "  a: started (echo)" in lines
    assert any(line.startswith("  a: completed in ") for line in lines)
    assert any(line.startswith("  b: failed") and "NoHandler" in line for line in lines)
    assert lines[-1] == "run run_p: partial_success (50%)"


def test_live_progress_renders_task_states(mkplan, workspace) -> None:
    """The live table ends showing every task with its final status."""
    buf = io.StringIO()
    console = Console(file=buf, width=120, force_terminal=True, color_system=None)
    live = LiveProgress(console)
    with live:
        altlas.run(
            mkplan({"id": "a"}, {"id": "b", "type": "nope"}), workspace=workspace, events=live
        )
    text = buf.getvalue()
    assert "2/2" in text
    assert "completed" in text and "failed" in text
    assert live.states["a"]["status"] == "completed"
