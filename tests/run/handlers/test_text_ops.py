"""The text and files handlers from hand-written plans: counts, grep, replace, copy, backup."""

from __future__ import annotations

from pathlib import Path

import altlas
from altlas.formats.common import TaskStatus

LOG = "10:00 INFO start\n10:01 ERROR disk full\n10:02 WARN slow\n10:03 error in text\n"


def _one(mkplan, workspace: Path, **params):
    plan = mkplan({"id": "t", "handler": "text", "type": "text", "parameters": params})
    return altlas.run(plan, workspace=workspace).task("t")


def test_counts(mkplan, workspace: Path) -> None:
    (workspace / "a.log").write_text(LOG)
    assert _one(mkplan, workspace, operation="count_lines", path="a.log").output["count"] == 4
    assert _one(mkplan, workspace, operation="count_words", path="a.log").output["count"] == 14
    capital = _one(mkplan, workspace, operation="count_lines", path="a.log", contains="ERROR")
    assert capital.output["count"] == 1  # capitals match capitals only
    lower = _one(mkplan, workspace, operation="count_lines", path="a.log", contains="error")
    assert lower.output["count"] == 2


def test_grep_to_a_file_and_nothing_found(mkplan, workspace: Path) -> None:
    (workspace / "a.log").write_text(LOG)
    task = _one(
        mkplan, workspace, operation="grep", path="a.log", contains="WARN", output="o/w.txt"
    )
    assert task.status is TaskStatus.COMPLETED
    assert (workspace / "o/w.txt").read_text() == "10:02 WARN slow\n"
    missing = _one(mkplan, workspace, operation="grep", path="a.log", contains="FATAL")
    assert missing.status is TaskStatus.FAILED and missing.error.type == "NothingFound"
    probe = _one(
        mkplan, workspace, operation="grep", path="a.log", contains="FATAL", allow_empty=True
    )
    assert probe.status is TaskStatus.COMPLETED and probe.output["count"] == 0


def test_replace_into_a_copy_and_the_overwrite_rule(mkplan, workspace: Path) -> None:
    (workspace / "n.md").write_text("Orion and orion's beta\n")
    params = {
        "operation": "replace",
        "path": "n.md",
        "old": "Orion",
        "new": "Vega",
        "output": "c.md",
    }
    assert _one(mkplan, workspace, **params).output["count"] == 2
    assert (workspace / "c.md").read_text() == "Vega and Vega's beta\n"
    assert (workspace / "n.md").read_text() == "Orion and orion's beta\n"
    (workspace / "c.md").write_text("hand edited\n")
    refused = _one(mkplan, workspace, **params)
    assert refused.error.type == "WouldOverwrite" and "--overwrite" in refused.error.message
    assert (workspace / "c.md").read_text() == "hand edited\n"
    assert _one(mkplan, workspace, **params, overwrite=True).status is TaskStatus.COMPLETED
    nothing = _one(mkplan, workspace, **{**params, "old": "Sirius", "output": "d.md"})
    assert nothing.error.type == "NothingFound" and not (workspace / "d.md").exists()


def test_files_copy_move_backup(mkplan, workspace: Path) -> None:
    (workspace / "a.txt").write_text("a\n")

    def files(**params):
        plan = mkplan({"id": "f", "type": "file_operation", "parameters": params})
        return altlas.run(plan, workspace=workspace).task("f")

    assert files(operation="copy", source="a.txt", dest="sub/").output["dest"] == "sub/a.txt"
    assert files(operation="move", source="sub/a.txt", dest="b.txt").status is TaskStatus.COMPLETED
    assert not (workspace / "sub/a.txt").exists() and (workspace / "b.txt").read_text() == "a\n"
    (workspace / "c.txt").write_text("other\n")
    refused = files(operation="move", source="b.txt", dest="c.txt")
    assert refused.error.type == "WouldOverwrite" and (workspace / "b.txt").exists()
    backup = files(operation="backup", dest="bk")
    assert backup.output["count"] == 3 and (workspace / "bk/c.txt").read_text() == "other\n"
    again = files(operation="backup", dest="bk")
    assert again.status is TaskStatus.FAILED  # a backup never goes into an existing folder
    appended = files(operation="append", path="c.txt", line="more")
    assert appended.status is TaskStatus.COMPLETED
    assert (workspace / "c.txt").read_text() == "other\nmore\n"
