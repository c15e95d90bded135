"""The one write helper every plan write goes through: the overwrite rule, atomic, confined."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from altlas.config import load_settings
from altlas.formats.plan import Task
from altlas.run.handlers.base import HandlerContext, PermanentError, write_workspace_file
from altlas.run.options import RunConfig


def _ctx(workspace: Path) -> HandlerContext:
    task = Task.model_validate({"id": "t", "type": "echo"})
    return HandlerContext(
        task=task,
        params={},
        inputs={},
        workspace=workspace,
        config=RunConfig(),
        settings=load_settings(),
        run_id="r",
    )


def test_new_file_parents_created_not_executable(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        path = write_workspace_file(_ctx(tmp_path), "a/b/c.txt", b"hi\n", overwrite=False)
    finally:
        os.umask(old)
    assert path == (tmp_path / "a/b/c.txt").resolve()
    assert path.read_bytes() == b"hi\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert [p.name for p in path.parent.iterdir()] == ["c.txt"]  # no temp file left behind


def test_umask_applies(tmp_path: Path) -> None:
    old = os.umask(0o077)
    try:
        path = write_workspace_file(_ctx(tmp_path), "x.txt", b"x", overwrite=False)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_different_content_refused_without_overwrite(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_bytes(b"hand edited\n")
    with pytest.raises(PermanentError, match=r"keep\.txt already exists .*--overwrite"):
        write_workspace_file(_ctx(tmp_path), "keep.txt", b"new\n", overwrite=False)
    assert (tmp_path / "keep.txt").read_bytes() == b"hand edited\n"


def test_identical_content_is_a_noop_and_overwrite_replaces(tmp_path: Path) -> None:
    target = tmp_path / "same.txt"
    target.write_bytes(b"same\n")
    before = target.stat().st_mtime_ns
    write_workspace_file(_ctx(tmp_path), "same.txt", b"same\n", overwrite=False)
    assert target.stat().st_mtime_ns == before
    write_workspace_file(_ctx(tmp_path), "same.txt", b"other\n", overwrite=True)
    assert target.read_bytes() == b"other\n"


def test_outside_the_workspace_is_refused(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    with pytest.raises(PermanentError, match="outside the workspace"):
        write_workspace_file(_ctx(ws), "../escape.txt", b"x", overwrite=True)
    assert not (tmp_path / "escape.txt").exists()
