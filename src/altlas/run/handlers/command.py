"""The ``command`` handler: run a program from an argv list, never through a shell.

Off unless the run allows it (``--allow-exec``) *and* the program is on the allowlist. Even
then it runs sandboxed (:mod:`altlas.run.handlers.exec_sandbox`): a minimal environment, no
loader or interpreter hooks, path arguments inside the workspace, no program from the
workspace, umask 0o022. The program starts in its own process group, so a timeout or a
cancel kills it and every child it spawned. stdout, stderr and the exit code are recorded,
also when the command fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import signal
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from altlas.formats.plan import Task
from altlas.run.handlers.base import (
    Handler,
    HandlerContext,
    PermanentError,
    TransientError,
    refusal,
)
from altlas.run.handlers.exec_sandbox import (
    child_env,
    confine_arguments,
    plan_env,
    resolve_program,
)

__all__ = ["CommandHandler", "argv_of", "is_allowed"]

_KILL_GRACE = 0.5


def argv_of(params: Mapping[str, Any]) -> list[str]:
    """``argv`` (a list), or the original runner's ``command`` + ``args``."""
    argv = params.get("argv")
    if argv is None:
        command = params.get("command")
        args = params.get("args") or []
        if not isinstance(command, str) or not command.strip():
            raise PermanentError("needs parameters.argv (a list) or parameters.command")
        if not isinstance(args, list):
            raise PermanentError("parameters.args must be a list")
        # a command line without args is split like a shell would, but never run by one
        head = shlex.split(command) if not args else [command]
        argv = [*head, *args]
    if (
        not isinstance(argv, list)
        or not argv
        or not all(isinstance(a, str | int | float) for a in argv)
    ):
        raise PermanentError("parameters.argv must be a non-empty list of strings")
    out = [str(a) for a in argv]
    for index, arg in enumerate(out):
        if "\x00" in arg:
            raise PermanentError(f"parameters.argv[{index}] contains a NUL character")
    return out


def is_allowed(program: str, allowlist: list[str]) -> bool:
    """A bare name on the list allows PATH lookups of that name; a path allows that path."""
    for entry in allowlist:
        if os.sep in entry:
            if os.sep in program and Path(program).resolve() == Path(entry).resolve():
                return True
        elif program == entry:
            return True
    return False


def _decode(data: bytes, limit: int) -> tuple[str, bool]:
    cut = len(data) > limit
    return data[:limit].decode("utf-8", errors="replace"), cut


def _kill_group(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


class CommandHandler(Handler):
    name = "command"
    description = "run an argv without a shell (needs --allow-exec and an allowlist)"
    breaker = True
    cacheable = False

    def check(self, task: Task, params: Mapping[str, Any]) -> str | None:
        return refusal(argv_of, params)

    def target(self, params: Mapping[str, Any], ctx: HandlerContext | None = None) -> str | None:
        try:
            return argv_of(params)[0]
        except PermanentError:
            return None

    def describe(self, task: Task, params: Mapping[str, Any]) -> str:
        return shlex.join(argv_of(params))

    async def run(self, ctx: HandlerContext) -> Any:
        argv = argv_of(ctx.params)
        _check_allowed(argv[0], ctx.config.allow_exec, ctx.config.exec_allowlist)
        config = ctx.config
        workspace = ctx.workspace.resolve()
        cwd = ctx.path(ctx.params.get("cwd", "."), what="cwd")
        task_id = ctx.task.id
        extra_env = plan_env(task_id, ctx.params.get("env"), config.exec_env_allow)
        program = resolve_program(task_id, argv[0], cwd, workspace, config.exec_path)
        confine_arguments(task_id, argv[1:], cwd, workspace)
        stdin = ctx.params.get("stdin")
        env = child_env(workspace, config.exec_path, extra_env)
        data = str(stdin).encode() if stdin is not None else None
        returncode, out, err = await _spawn(argv, program, cwd, env, data)
        limit = config.max_output_bytes
        stdout, out_cut = _decode(out, limit)
        stderr, err_cut = _decode(err, limit)
        result = {
            "command": argv[0],
            "args": argv[1:],
            "stdout": stdout,
            "stderr": stderr,
            "exit_code": returncode,
        }
        if out_cut or err_cut:
            result["truncated"] = True
        ok_codes = ctx.params.get("ok_exit_codes", [0])
        if returncode not in (ok_codes if isinstance(ok_codes, list) else [ok_codes]):
            tail = stderr.strip().splitlines()[-1:] or stdout.strip().splitlines()[-1:]
            raise TransientError(
                f"'{argv[0]}' exited with code {returncode}"
                + (f": {tail[0][:200]}" if tail else ""),
                error_type="CommandFailed",
                output=result,
            )
        return result


def _check_allowed(program: str, allow_exec: bool, allowlist: list[str]) -> None:
    if not allow_exec:
        raise PermanentError(
            f"the command handler is off: run with --allow-exec and allow '{program}' "
            "(--allow NAME or [run] exec_allowlist)",
            error_type="PermissionDenied",
        )
    if not is_allowed(program, allowlist):
        allowed = ", ".join(allowlist) or "empty"
        raise PermanentError(
            f"'{program}' is not on the exec allowlist ({allowed}); add it with --allow {program}",
            error_type="PermissionDenied",
        )


async def _spawn(
    argv: list[str], program: str, cwd: Path, env: dict[str, str], stdin: bytes | None
) -> tuple[int | None, bytes, bytes]:
    """Run to the end; a timeout or cancel kills the whole process group, children included."""
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv,
            executable=program,
            cwd=cwd,
            env=env,
            stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,
            # whatever the server's umask, files the command creates are not group- or
            # world-writable (and it cannot run anything it writes: see resolve_program)
            umask=0o022,
        )
    except FileNotFoundError:
        raise PermanentError(f"program not found: {argv[0]}", error_type="NotFound") from None
    except PermissionError:
        raise PermanentError(
            f"program is not executable: {argv[0]}", error_type="PermissionDenied"
        ) from None
    try:
        out, err = await proc.communicate(stdin)
    except BaseException:
        _kill_group(proc.pid, signal.SIGTERM)
        with contextlib.suppress(TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(asyncio.shield(proc.wait()), _KILL_GRACE)
        _kill_group(proc.pid, signal.SIGKILL)
        raise
    # a child that outlived its parent still belongs to the group
    _kill_group(proc.pid, signal.SIGKILL)
    return proc.returncode, out, err
