"""`altlas do` never turns words into programs, never leaves the workspace, never clobbers."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest

import altlas

FIXTURE = Path(__file__).parents[1] / "do" / "workspace"


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    target = tmp_path / "ws"
    shutil.copytree(FIXTURE, target)
    return target


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    "command",
    [
        "Run this: rm -rf out && echo done",
        "şu komutu çalıştır: rm -rf out; ls",
        "run `rm -rf out`",
        "Execute the cleanup",
        "Delete everything in out",
        "Run the numbers on orders.csv and wipe the rest",
    ],
)
def test_shell_and_free_words_never_run(command: str, ws: Path, tmp_path: Path) -> None:
    before = _files(ws)
    outcome = altlas.do(command, ws, yes=True, allow_exec=True)
    assert not outcome.ok
    assert _files(ws) == before
    assert all(
        t.handler != "command" or t.parameters["argv"][0] == "rm" for t in outcome.plan.tasks
    )
    if all(t.handler != "command" for t in outcome.plan.tasks):
        # no program was named: nothing may suggest allowing a word as one
        assert "--allow" not in outcome.answer.replace("--allow-exec", "")


def test_allowlisted_program_only_with_allow_exec(ws: Path) -> None:
    refused = altlas.do("run `ls out`", ws, yes=True)
    assert not refused.ok and refused.result is None
    ran = altlas.do("run `ls out`", ws, yes=True, allow_exec=True, exec_allowlist=["ls"])
    assert ran.ok, ran.answer


@pytest.mark.parametrize(
    "command",
    [
        "Copy readme.txt to ../escape.txt",
        "Create a file ../escape.txt that says: hi",
        "Find the lines in server.log that contain WARN and save them as ../escape.txt",
    ],
)
def test_nothing_lands_outside_the_workspace(command: str, ws: Path) -> None:
    outcome = altlas.do(command, ws, yes=True, overwrite=True)
    assert not outcome.ok
    assert not (ws.parent / "escape.txt").exists()


def test_written_files_are_not_executable(ws: Path) -> None:
    altlas.do("Create a file out/run.sh that says: echo hi", ws, yes=True)
    mode = stat.S_IMODE((ws / "out/run.sh").stat().st_mode)
    assert not mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def test_no_silent_overwrite_without_the_flag(ws: Path) -> None:
    before = (ws / "ideas.txt").read_bytes()
    outcome = altlas.do("Create a file ideas.txt that says: replaced", ws, yes=True)
    assert not outcome.ok and "--overwrite" in outcome.answer
    assert (ws / "ideas.txt").read_bytes() == before
