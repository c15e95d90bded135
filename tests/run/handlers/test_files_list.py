"""The files handler's list: a bad pattern is a one-line error, the row limit holds mid-walk."""

from __future__ import annotations

import pytest

import altlas
from altlas.formats.common import TaskStatus


def _list(mkplan, workspace, rows=10_000, **params):
    task = {"id": "t", "type": "file_operation", "parameters": {"operation": "list", **params}}
    return altlas.run(mkplan(task), workspace=workspace, max_output_rows=rows).task("t")


@pytest.mark.parametrize("pattern", ["/etc/*", "/tmp", "../*", "a/../../*"])
def test_absolute_or_escaping_pattern_fails_in_one_line(mkplan, workspace, pattern) -> None:
    task = _list(mkplan, workspace, path=".", pattern=pattern)
    assert task.status is TaskStatus.FAILED
    assert pattern in task.error.message and "\n" not in task.error.message


def test_row_limit_applies_while_walking(mkplan, workspace) -> None:
    for i in range(30):
        (workspace / "many" / f"d{i % 3}").mkdir(parents=True, exist_ok=True)
        (workspace / "many" / f"d{i % 3}" / f"f{i:02}.txt").write_text("x")
    task = _list(mkplan, workspace, rows=7, path="many", pattern="*.txt", recursive=True)
    assert task.status is TaskStatus.COMPLETED
    paths = [e["path"] for e in task.output["files"]]
    assert len(paths) == task.output["count"] == 7
    assert paths == sorted(paths)
