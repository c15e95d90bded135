"""The files handler: operations, the original runner's shapes, and workspace confinement."""

from __future__ import annotations

import os

import pytest

import altlas
from altlas.formats.common import TaskStatus


def _one(mkplan, workspace, **task):
    result = altlas.run(mkplan({"id": "t", **task}), workspace=workspace)
    return result.task("t")


def test_write_read_append_list_delete(mkplan, workspace) -> None:
    """Each operation does its job and reports in the original runner's shape."""
    plan = mkplan(
        {
            "id": "w",
            "type": "file_operation",
            "parameters": {"operation": "write", "file_path": "d/n.txt", "content": "one\n"},
        },
        {
            "id": "a",
            "type": "file_operation",
            "dependencies": ["w"],
            "parameters": {"operation": "append", "file_path": "d/n.txt", "content": "two\n"},
        },
        {
            "id": "r",
            "type": "file_operation",
            "dependencies": ["a"],
            "parameters": {"operation": "read", "file_path": "d/n.txt"},
        },
        {
            "id": "l",
            "type": "file_operation",
            "dependencies": ["a"],
            "parameters": {"operation": "list", "path": "d", "pattern": "*.txt"},
        },
        {
            "id": "x",
            "type": "file_operation",
            "dependencies": ["r", "l"],
            "parameters": {"operation": "delete", "file_path": "d/n.txt"},
        },
    )
    result = altlas.run(plan, workspace=workspace)
    assert result.task("w").output == {
        "bytes_written": 4,
        "file_path": "d/n.txt",
        "operation": "write",
    }
    assert result.task("a").output["bytes_written"] == 4
    read = result.task("r").output
    assert (
        read["content"] == "one\ntwo\n" and read["operation"] == "read" and read["size_bytes"] == 8
    )
    assert result.task("l").output["files"] == [
        {"path": "d/n.txt", "is_dir": False, "size_bytes": 8}
    ]
    assert result.task("x").output["deleted"] is True
    assert not (workspace / "d" / "n.txt").exists()


def test_create_with_content_writes_and_open_reads(mkplan, workspace) -> None:
    """Segmentation types route here: create+content writes, open+path reads."""
    plan = mkplan(
        {"id": "c", "type": "create", "parameters": {"path": "hello.md", "content": "# hi"}},
        {"id": "o", "type": "open", "dependencies": ["c"], "parameters": {"target": "hello.md"}},
    )
    result = altlas.run(plan, workspace=workspace)
    assert result.task("c").handler == "files"
    assert result.task("o").output["content"] == "# hi"


def test_write_without_content_takes_dependency_text(mkplan, workspace) -> None:
    """A write with no content writes its dependencies' text."""
    plan = mkplan(
        {"id": "e", "parameters": {"message": "from e"}},
        {
            "id": "w",
            "type": "file_operation",
            "dependencies": ["e"],
            "parameters": {"operation": "write", "path": "o.txt"},
        },
    )
    altlas.run(plan, workspace=workspace)
    assert (workspace / "o.txt").read_text() == "from e\n"


@pytest.mark.parametrize("path", ["../outside.txt", "/etc/passwd", "a/../../x"])
def test_paths_outside_the_workspace_are_refused(mkplan, workspace, path) -> None:
    """No path escapes the workspace, relative or absolute."""
    task = _one(
        mkplan,
        workspace,
        type="file_operation",
        parameters={"operation": "read", "file_path": path},
    )
    assert task.status is TaskStatus.FAILED
    assert task.error.type == "PathOutsideWorkspace"
    assert not (workspace.parent / "outside.txt").exists()


def test_symlink_escape_is_refused(mkplan, workspace, tmp_path) -> None:
    """A symlink inside the workspace that points out of it does not let writes through."""
    (tmp_path / "secret").mkdir()
    os.symlink(tmp_path / "secret", workspace / "link")
    task = _one(
        mkplan,
        workspace,
        type="file_operation",
        parameters={"operation": "write", "path": "link/x.txt", "content": "x"},
    )
    assert task.error.type == "PathOutsideWorkspace"
    assert not (tmp_path / "secret" / "x.txt").exists()


def test_absolute_path_inside_the_workspace_is_fine(mkplan, workspace) -> None:
    (workspace / "in.txt").write_text("ok")
    task = _one(mkplan, workspace, type="open", parameters={"path": str(workspace / "in.txt")})
    assert task.output["content"] == "ok"


def test_read_errors_are_clear(mkplan, workspace) -> None:
    """Missing files, directories and binary files each fail with a named type."""
    (workspace / "bin.dat").write_bytes(b"\xff\xfe\x00\x81")
    (workspace / "dir").mkdir()
    cases = {"missing.txt": "NotFound", "bin.dat": "NotText", "dir": "IsADirectory"}
    for path, kind in cases.items():
        task = _one(mkplan, workspace, type="open", parameters={"path": path})
        assert (task.status, task.error.type) == (TaskStatus.FAILED, kind), path


def test_large_reads_are_truncated(mkplan, workspace) -> None:
    """Reads stop at max_output_bytes and say so."""
    (workspace / "big.txt").write_text("x" * 5000)
    result = altlas.run(
        mkplan({"id": "t", "type": "open", "parameters": {"path": "big.txt"}}),
        workspace=workspace,
        max_output_bytes=2048,
    )
    out = result.task("t").output
    assert out["truncated"] is True and len(out["content"]) == 2048 and out["size_bytes"] == 5000


def test_unknown_operation_and_no_path_route_nowhere(mkplan, workspace) -> None:
    """An open task without a file-like target has no suitable handler."""
    task = _one(mkplan, workspace, type="open", parameters={"target": "the browser"})
    assert task.error.type == "NoHandler"
    assert "files: needs parameters.path" in task.error.message
    task = _one(
        mkplan, workspace, type="file_operation", parameters={"operation": "chmod", "path": "x"}
    )
    assert "operation 'chmod' is not one of" in task.error.message
