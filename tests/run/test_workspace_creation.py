"""When a run creates its workspace directory, and a workspace resolved by the caller."""

from __future__ import annotations

from pathlib import Path

import pytest

import altlas
from altlas.errors import ExecutionError
from altlas.formats.result import RunStatus
from altlas.run.options import RunOptions
from altlas.run.session import prepare


def test_a_run_of_echo_tasks_creates_no_workspace(mkplan, tmp_path: Path) -> None:
    ws = tmp_path / "never"
    plan = mkplan({"id": "a"}, {"id": "b", "type": "delay", "parameters": {"ms": 1}})
    result = altlas.run(plan, workspace=str(ws), journal=False)
    assert result.status is RunStatus.SUCCESS
    assert not ws.exists()
    assert result.metadata["workspace"] == str(ws.resolve())


def test_a_handler_that_may_touch_files_gets_the_workspace(mkplan, tmp_path: Path) -> None:
    ws = tmp_path / "made"
    plan = mkplan({"id": "a"}, {"id": "b", "type": "probe"})
    from altlas.run.handlers import HandlerRegistry, handler

    registry = HandlerRegistry.builtin()
    registry.register(handler("probe")(lambda ctx: {"cwd": str(ctx.workspace)}))
    result = altlas.run(plan, workspace=str(ws), journal=False, registry=registry)
    assert result.status is RunStatus.SUCCESS
    assert ws.is_dir()  # a handler from code may use it: it says nothing otherwise


def test_a_file_handler_writes_into_a_workspace_created_for_it(tmp_path: Path) -> None:
    ws = tmp_path / "files"
    plan = {
        "format": "altlas.alt",
        "id": "write",
        "tasks": [
            {
                "id": "w",
                "type": "file_operation",
                "parameters": {"operation": "write", "file_path": "a.txt", "content": "x"},
            }
        ],
    }
    result = altlas.run(plan, workspace=str(ws), journal=False)
    assert result.status is RunStatus.SUCCESS, result.tasks[0].error
    assert (ws / "a.txt").read_text() == "x"


def test_a_journaled_run_keeps_creating_its_workspace(mkplan, tmp_path: Path) -> None:
    ws = tmp_path / "journaled"
    result = altlas.run(mkplan({"id": "a"}), workspace=str(ws), home=str(tmp_path / "home"))
    assert result.status is RunStatus.SUCCESS
    assert ws.is_dir()


def test_a_resolved_workspace_is_taken_as_given_and_must_be_absolute(
    mkplan, tmp_path: Path
) -> None:
    link = tmp_path / "link"
    link.symlink_to(tmp_path, target_is_directory=True)
    options = RunOptions(journal=False, workspace="/elsewhere")
    prep = prepare(mkplan({"id": "a"}), options, resolved_workspace=link / "run")
    assert prep.workspace == link / "run"  # not resolved again, and the option lost
    with pytest.raises(ExecutionError, match="must be absolute"):
        prepare(mkplan({"id": "a"}), options, resolved_workspace=Path("relative"))
