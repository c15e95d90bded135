"""The command handler: off by default, allowlisted argv, no shell, group kill on timeout."""

from __future__ import annotations

import os
import sys
import time

import pytest

import altlas
from altlas.formats.common import TaskStatus
from altlas.run.handlers.command import is_allowed

PY = sys.executable


def _run(mkplan, workspace, params, **options):
    plan = mkplan({"id": "c", "type": "system_command", "parameters": params})
    return altlas.run(plan, workspace=workspace, **options).task("c")


def test_refused_without_allow_exec(mkplan, workspace) -> None:
    """Without --allow-exec nothing runs and the error says how to allow it."""
    task = _run(mkplan, workspace, {"argv": [PY, "-c", "open('ran', 'w')"]})
    assert task.status is TaskStatus.FAILED
    assert task.error.type == "PermissionDenied"
    assert "--allow-exec" in task.error.message
    assert not (workspace / "ran").exists()


def test_refused_when_not_on_the_allowlist(mkplan, workspace) -> None:
    task = _run(
        mkplan, workspace, {"argv": [PY, "-c", "pass"]}, allow_exec=True, exec_allowlist=["ls"]
    )
    assert task.error.type == "PermissionDenied"
    assert "not on the exec allowlist (ls)" in task.error.message


def test_allowlist_matching() -> None:
    """Bare names match bare argv[0] only; paths match the same file."""
    assert is_allowed("echo", ["echo"])
    assert not is_allowed("/tmp/x/echo", ["echo"])
    assert is_allowed(PY, [PY])
    assert not is_allowed("python-other", [PY])


def test_runs_argv_and_records_streams(mkplan, workspace) -> None:
    """stdout, stderr and exit code are recorded; the cwd is the workspace."""
    code = "import os,sys; print(os.getcwd()); print('warn', file=sys.stderr)"
    task = _run(mkplan, workspace, {"argv": [PY, "-c", code]}, allow_exec=True, exec_allowlist=[PY])
    assert task.status is TaskStatus.COMPLETED
    assert task.output["stdout"].strip() == str(workspace)
    assert task.output["stderr"].strip() == "warn"
    assert task.output["exit_code"] == 0
    assert task.output["command"] == PY


def test_legacy_command_and_args_without_a_shell(mkplan, workspace) -> None:
    """command + args run directly: shell syntax is passed through as plain text."""
    task = _run(
        mkplan,
        workspace,
        {
            "command": PY,
            "args": ["-c", "import sys; print(sys.argv[1:])", "$HOME", ";", "rm -rf x", "&&"],
        },
        allow_exec=True,
        exec_allowlist=[PY],
    )
    assert task.output["stdout"].strip() == "['$HOME', ';', 'rm -rf x', '&&']"


def test_nonzero_exit_fails_with_output_kept(mkplan, workspace) -> None:
    """A failing command is a failed task that still carries stdout, stderr and the code."""
    code = "import sys; print('partial'); sys.exit('bad thing happened')"
    task = _run(mkplan, workspace, {"argv": [PY, "-c", code]}, allow_exec=True, exec_allowlist=[PY])
    assert task.status is TaskStatus.FAILED
    assert task.error.type == "CommandFailed"
    assert "exited with code 1: bad thing happened" in task.error.message
    assert task.output["stdout"].strip() == "partial"
    assert task.output["exit_code"] == 1


def test_stdin_and_env(mkplan, workspace) -> None:
    code = "import os,sys; print(sys.stdin.read().upper(), os.environ['ALTLAS_T'])"
    task = _run(
        mkplan,
        workspace,
        {"argv": [PY, "-c", code], "stdin": "abc", "env": {"ALTLAS_T": "v"}},
        allow_exec=True,
        exec_allowlist=[PY],
        exec_env_allow=["ALTLAS_T"],
    )
    assert task.output["stdout"].strip() == "ABC v"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie still answers kill(0); it has no state "R/S" though
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.slow
def test_timeout_kills_the_whole_process_group(mkplan, workspace) -> None:
    """A timed-out command and the child it spawned are both gone."""
    script = (
        "import subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        "open('child.pid', 'w').write(str(child.pid))\n"
        "time.sleep(60)\n"
    )
    plan = mkplan(
        {
            "id": "c",
            "type": "system_command",
            "timeout_seconds": 1.0,
            "parameters": {"argv": [PY, "-c", script]},
        }
    )
    started = time.monotonic()
    result = altlas.run(plan, workspace=workspace, allow_exec=True, exec_allowlist=[PY])
    assert time.monotonic() - started < 10
    task = result.task("c")
    assert task.status is TaskStatus.TIMEOUT
    pid = int((workspace / "child.pid").read_text())
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid)


def test_program_not_found(mkplan, workspace) -> None:
    task = _run(
        mkplan,
        workspace,
        {"argv": ["no-such-program-xyz"]},
        allow_exec=True,
        exec_allowlist=["no-such-program-xyz"],
    )
    assert (task.error.type, task.error.message) == (
        "NotFound",
        "program not found: no-such-program-xyz (looked on /usr/local/bin:/usr/bin:/bin)",
    )
