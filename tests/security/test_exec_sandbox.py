"""Issue 9 item 2: with exec on, a plan's command stays inside its sandbox.

The exploit: a plan wrote a shared object through the files handler (latin-1 lets a plan write
any bytes), then ran the allowlisted ``ls`` with ``LD_PRELOAD=./evil.so``; the injected code ran
as the server's user. Each test below reproduces one route with real processes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import altlas
from altlas.formats.common import TaskStatus
from altlas.formats.plan import Plan
from altlas.formats.result import TaskResult
from altlas.run.handlers.base import PermanentError
from altlas.run.handlers.exec_sandbox import confine_arguments

pytestmark = pytest.mark.slow

_EVIL_C = r"""
#include <stdio.h>
__attribute__((constructor)) static void evil(void) {
    FILE *f = fopen(MARKER, "w");
    if (f) { fputs("pwned", f); fclose(f); }
}
"""


def _plan(*tasks: dict[str, Any]) -> Plan:
    return Plan.model_validate({"id": "plan_sec", "tasks": list(tasks)})


def _command(params: dict[str, Any], **task: Any) -> dict[str, Any]:
    return {"id": "c", "type": "system_command", "parameters": params, **task}


def _run_one(workspace: Path, params: dict[str, Any], **options: Any) -> TaskResult:
    options.setdefault("allow_exec", True)
    result = altlas.run(_plan(_command(params)), workspace=workspace, **options)
    return result.task("c")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    return ws


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """A server started with umask 0 must still not hand out writable or executable files."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def _compile_evil(tmp_path: Path, marker: Path) -> bytes:
    if shutil.which("gcc") is None:
        pytest.skip("gcc is not installed: cannot build the LD_PRELOAD payload")
    source = tmp_path / "evil.c"
    source.write_text(_EVIL_C)
    built = tmp_path / "evil-build.so"
    subprocess.run(
        ["gcc", "-shared", "-fPIC", f'-DMARKER="{marker}"', "-o", str(built), str(source)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    # the payload must really work here, or the test below could not fail
    subprocess.run(
        ["ls"],
        env={"LD_PRELOAD": str(built), "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,
        check=True,
        capture_output=True,
        timeout=30,
    )
    if not marker.exists():
        pytest.skip("LD_PRELOAD has no effect on ls on this machine")
    marker.unlink()
    return built.read_bytes()


def test_ld_preload_payload_written_by_the_plan_never_runs(tmp_path: Path, workspace: Path) -> None:
    """The reported exploit end to end: the marker the payload writes never appears."""
    marker = tmp_path / "PWNED"
    payload = _compile_evil(tmp_path, marker)
    plan = _plan(
        {
            "id": "drop",
            "type": "file_operation",
            "parameters": {
                "operation": "write",
                "path": "evil.so",
                "content": payload.decode("latin-1"),
                "encoding": "latin-1",
            },
        },
        _command({"argv": ["ls"], "env": {"LD_PRELOAD": "./evil.so"}}, dependencies=["drop"]),
    )
    result = altlas.run(plan, workspace=workspace, allow_exec=True, exec_allowlist=["ls"])
    assert result.task("drop").status is TaskStatus.COMPLETED
    assert (workspace / "evil.so").read_bytes() == payload
    assert (workspace / "evil.so").stat().st_mode & 0o111 == 0
    task = result.task("c")
    assert task.status is TaskStatus.FAILED
    assert task.error.type == "EnvRefused"
    assert "LD_PRELOAD" in task.error.message and "'c'" in task.error.message
    assert "\n" not in task.error.message
    assert not marker.exists()


@pytest.mark.parametrize(
    "name",
    [
        "LD_PRELOAD",
        "LD_LIBRARY_PATH",
        "ld_audit",
        "DYLD_INSERT_LIBRARIES",
        "PYTHONSTARTUP",
        "PYTHONPATH",
        "PATH",
        "IFS",
        "BASH_ENV",
        "ENV",
        "PERL5OPT",
        "RUBYOPT",
        "NODE_OPTIONS",
        "GCONV_PATH",
        "GLIBC_TUNABLES",
        "BASH_FUNC_ls%%",
    ],
)
def test_loader_and_interpreter_hooks_are_refused_even_when_configured(
    workspace: Path, name: str
) -> None:
    task = _run_one(
        workspace,
        {"argv": ["env"], "env": {name: "x"}},
        exec_allowlist=["env"],
        exec_env_allow=[name, "*"],
    )
    assert task.status is TaskStatus.FAILED
    assert task.error.type == "EnvRefused"
    assert name in task.error.message and "'c'" in task.error.message
    assert task.output is None


def test_env_names_go_through_an_allowlist(workspace: Path) -> None:
    refused = _run_one(
        workspace, {"argv": ["env"], "env": {"ALTLAS_T": "v"}}, exec_allowlist=["env"]
    )
    assert refused.error.type == "EnvRefused"
    assert "ALTLAS_T" in refused.error.message and "exec_env_allow" in refused.error.message
    allowed = _run_one(
        workspace,
        {
            "argv": ["env"],
            "env": {"ALTLAS_T": "v", "LC_ALL": "C.UTF-8", "TZ": "Europe/Istanbul"},
        },
        exec_allowlist=["env"],
        exec_env_allow=["ALTLAS_*"],
    )
    assert allowed.status is TaskStatus.COMPLETED
    lines = set(allowed.output["stdout"].splitlines())
    assert {"ALTLAS_T=v", "LC_ALL=C.UTF-8", "TZ=Europe/Istanbul"} <= lines


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LANG", "../../tmp/x"),
        ("LC_ALL", "/tmp/locale"),
        ("TERM", "../../tmp/terminfo"),
        ("TZ", "/etc/shadow"),
        ("TZ", ":/tmp/zone"),
        ("TZ", "Europe/../../../tmp/zone"),
        ("LANG", "C\x00x"),
    ],
)
def test_allowed_names_cannot_carry_a_path(workspace: Path, name: str, value: str) -> None:
    task = _run_one(workspace, {"argv": ["env"], "env": {name: value}}, exec_allowlist=["env"])
    assert task.error.type == "EnvRefused", task.error
    assert name in task.error.message and "\n" not in task.error.message


def test_the_child_gets_a_minimal_environment(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server's secrets, PATH and HOME never reach the command."""
    monkeypatch.setenv("ALTLAS_SERVER_SECRET", "s3cr3t-token")
    monkeypatch.setenv("LD_LIBRARY_PATH", "/tmp/not-for-children")
    task = _run_one(workspace, {"argv": ["env"]}, exec_allowlist=["env"])
    assert task.status is TaskStatus.COMPLETED
    env = dict(line.split("=", 1) for line in task.output["stdout"].splitlines())
    assert "s3cr3t-token" not in task.output["stdout"]
    assert env == {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(workspace.resolve()),
        "LANG": "C.UTF-8",
    }


@pytest.mark.parametrize(
    "args",
    [
        ["-la", "{home}/keys"],
        ["-la", "{home}/keys/jwt.key"],
        ["../"],
        ["sub/../../"],
        ["~root"],
        ["--hide={home}"],
        ["-I{home}"],
        ["-xf{home}/keys"],
        ["-xfkeys-link"],
        ["@{home}/keys/jwt.key"],
        ["x=/etc"],
        ["keys-link"],
        ["keys-link/jwt.key"],
    ],
)
def test_path_arguments_are_confined_to_the_workspace(
    workspace: Path, altlas_home: Path, args: list[str]
) -> None:
    """``ls -la <home>/keys`` (and its disguises) fails before anything runs."""
    keys = altlas_home / "keys"
    keys.mkdir(parents=True, exist_ok=True)
    (keys / "jwt.key").write_text("signing-key")
    (workspace / "keys-link").symlink_to(keys)
    (workspace / "sub").mkdir()
    argv = ["ls", *(a.format(home=altlas_home) for a in args)]
    task = _run_one(workspace, {"argv": argv}, exec_allowlist=["ls"])
    assert task.status is TaskStatus.FAILED
    assert task.error.type == "PathOutsideWorkspace", task.error.message
    assert "'c'" in task.error.message
    assert task.output is None


def test_the_working_directory_is_confined_too(workspace: Path, altlas_home: Path) -> None:
    (workspace / "home-link").symlink_to(altlas_home)
    task = _run_one(workspace, {"argv": ["ls"], "cwd": "home-link"}, exec_allowlist=["ls"])
    assert task.error.type == "PathOutsideWorkspace"
    assert task.output is None


def test_a_nul_in_an_argument_is_a_clear_error(workspace: Path) -> None:
    task = _run_one(workspace, {"argv": ["ls", "a\x00b"]}, exec_allowlist=["ls"])
    assert task.status is TaskStatus.FAILED
    assert "parameters.argv[1] contains a NUL character" in task.error.message
    assert "\n" not in task.error.message


def test_paths_inside_the_workspace_still_work(workspace: Path) -> None:
    (workspace / "sub").mkdir()
    (workspace / "sub" / "a.txt").write_text("a")
    task = _run_one(
        workspace,
        {"argv": ["ls", "-1", "sub/a.txt", f"{workspace}/sub", "./sub/../sub"]},
        exec_allowlist=["ls"],
    )
    assert task.status is TaskStatus.COMPLETED, task.error
    assert "sub/a.txt" in task.output["stdout"]


def test_a_program_inside_the_workspace_is_never_executed(workspace: Path) -> None:
    """Allowlisting a path that is (or links to) a workspace file does not make it runnable."""
    marker = workspace / "ran"
    planted = workspace / "tool"
    planted.write_text(f"#!/bin/sh\ntouch {marker}\n")
    planted.chmod(0o755)
    outside_link = workspace.parent / "tool-link"
    outside_link.symlink_to(planted)
    for program in (str(planted), str(outside_link)):
        task = _run_one(workspace, {"argv": [program]}, exec_allowlist=[program])
        assert task.status is TaskStatus.FAILED
        assert task.error.type == "PermissionDenied", task.error.message
        assert "inside the workspace" in task.error.message
    for program in ("./tool", "sub/../tool"):
        task = _run_one(workspace, {"argv": [program]}, exec_allowlist=[program])
        assert task.error.type == "PermissionDenied", task.error.message
        assert "relative path" in task.error.message
    assert not marker.exists()


def test_bare_names_are_looked_up_on_the_fixed_path_only(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A workspace directory put on the server's PATH does not shadow a system program."""
    shadow = workspace / "bin"
    shadow.mkdir()
    (shadow / "altlas-shadow-tool").write_text("#!/bin/sh\necho shadowed\n")
    (shadow / "altlas-shadow-tool").chmod(0o755)
    monkeypatch.setenv("PATH", f"{shadow}:{os.environ['PATH']}")
    task = _run_one(
        workspace, {"argv": ["altlas-shadow-tool"]}, exec_allowlist=["altlas-shadow-tool"]
    )
    assert task.error.type == "NotFound"
    assert "/usr/local/bin:/usr/bin:/bin" in task.error.message


@pytest.mark.usefixtures("loose_umask")
def test_files_a_command_creates_are_not_group_or_world_writable(workspace: Path) -> None:
    task = _run_one(workspace, {"argv": ["touch", "made.txt"]}, exec_allowlist=["touch"])
    assert task.status is TaskStatus.COMPLETED, task.error
    assert (workspace / "made.txt").stat().st_mode & 0o777 == 0o644


def _written_modes(workspace: Path, *tasks: dict[str, Any]) -> dict[str, int]:
    result = altlas.run(_plan(*tasks), workspace=workspace)
    assert all(t.status is TaskStatus.COMPLETED for t in result.tasks), [
        t.error for t in result.tasks
    ]
    return {p.name: p.stat().st_mode & 0o777 for p in (workspace / "a").iterdir()}


@pytest.mark.usefixtures("loose_umask")
def test_files_report_and_data_handlers_write_plain_files(workspace: Path) -> None:
    """Written 0o644 & ~umask: never executable, never world-writable, whatever the name."""
    modes = _written_modes(
        workspace,
        {
            "id": "f",
            "type": "file_operation",
            "parameters": {"operation": "write", "path": "a/f.sh", "content": "#!/bin/sh\n"},
        },
        {
            "id": "g",
            "type": "file_operation",
            "parameters": {"operation": "append", "path": "a/g.log", "content": "line\n"},
        },
        {"id": "r", "type": "report", "parameters": {"format": "markdown", "path": "a/r.md"}},
        {
            "id": "d",
            "type": "data_processing",
            "parameters": {
                "operation": "convert",
                "input_data": [{"x": 1}],
                "to": "csv",
                "output": "a/d.csv",
            },
        },
        {
            "id": "q",
            "type": "data_processing",
            "dependencies": ["d"],
            "parameters": {
                "operation": "query",
                "source": "a/d.csv",
                "steps": [{"op": "limit", "n": 1}],
                "output": "a/q.json",
            },
        },
    )
    assert modes == {"f.sh": 0o644, "g.log": 0o644, "r.md": 0o644, "d.csv": 0o644, "q.json": 0o644}


@given(
    arg=st.text(alphabet="/.~=@:,-_ kaI'", max_size=24),
)
@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_an_accepted_argument_names_nothing_outside(tmp_path: Path, arg: str) -> None:
    """Whatever way a program reads an accepted argument, it stays inside the workspace."""
    workspace = tmp_path / "fuzz-ws"
    if not workspace.exists():
        workspace.mkdir()
        (tmp_path / "outside").mkdir()
        (workspace / "k").symlink_to(tmp_path / "outside")
    root = workspace.resolve()
    try:
        confine_arguments("c", [arg], workspace, root)
    except PermanentError as exc:
        assert exc.error_type == "PathOutsideWorkspace"
        return
    readings = [arg, arg.partition("=")[2], arg.rpartition("@")[2], arg.rpartition(":")[2]]
    if arg.startswith("-"):
        readings.extend(arg[i:] for i in range(1, min(len(arg), 5)))
    if arg.startswith("~/"):
        readings.append(str(root / arg[2:]))
    for reading in filter(None, readings):
        assert Path(root, reading).resolve().is_relative_to(root), (arg, reading)
