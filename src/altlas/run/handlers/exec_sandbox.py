"""The rules that keep a plan's command inside its workspace (docs/security.md, issue 9).

Everything here runs *before* a program starts: the environment a plan asks for is filtered
through an allowlist of names, the program is looked up on a fixed PATH and must not live in
the workspace, and every argument that looks like a path must resolve (symlinks included)
inside the workspace. A refusal is a :class:`PermanentError` naming the task.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Mapping
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from altlas.run.handlers.base import PermanentError

__all__ = [
    "DEFAULT_ENV_ALLOW",
    "REFUSED_ENV",
    "child_env",
    "confine_arguments",
    "plan_env",
    "resolve_program",
]

DEFAULT_ENV_ALLOW = ("LANG", "LANGUAGE", "LC_*", "TZ", "TERM", "NO_COLOR", "COLUMNS", "LINES")
"""Names a plan may set without configuration: they change formatting, never what runs."""

# Hooks that make the loader, libc, a shell or an interpreter load code or config chosen by
# whoever sets them. Matched case-insensitively, and refused even when [run] exec_env_allow
# names them, because no operator setting can make them safe for plan-written values.
REFUSED_ENV = (
    "LD_*", "DYLD_*", "_RLD*", "LIBPATH", "SHLIB_PATH",
    "PATH", "HOME", "SHELL", "IFS", "ENV", "BASH_ENV", "BASH_FUNC_*", "SHELLOPTS",
    "BASHOPTS", "PS4", "PROMPT_COMMAND", "CDPATH", "GLOBIGNORE",
    "PYTHON*", "PERL5*", "PERLLIB", "PERL_*", "RUBY*", "GEM_*", "NODE_*", "NPM_*",
    "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS", "CLASSPATH", "LUA_*", "TCL*",
    "GCONV_PATH", "LOCPATH", "NLSPATH", "GLIBC_TUNABLES", "MALLOC_*", "HOSTALIASES",
    "RES_OPTIONS", "LOCALDOMAIN", "OPENSSL_*", "SSL_*", "GIT_*", "TMPDIR",
    "PAGER", "EDITOR", "VISUAL", "LESS*", "MANPAGER", "BROWSER", "*_PROXY",
)  # fmt: skip

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_MAX_VALUE = 4096
_PATH_MAX = 4096
_GLUED_FLAGS = 8
# Characters that end a path inside a longer argument: `--file=/x`, `if=/x`, `a:/x,/y`,
# `@/x` (response files), `'/x'` inside code. Path characters (letters, digits, . _ - ~ /)
# never split, so every token is a whole candidate path and the tokens are disjoint.
_SEPARATORS = re.compile(r"[^\w.~/-]+")


def _matches(name: str, patterns: tuple[str, ...] | list[str]) -> str | None:
    upper = name.upper()
    for pattern in patterns:
        if fnmatchcase(upper, pattern.upper()):
            return pattern
    return None


def _check_value(task_id: str, name: str, value: str) -> None:
    if "\x00" in value or "\n" in value or len(value) > _MAX_VALUE:
        raise PermanentError(
            f"task '{task_id}': environment variable {name} has a value with a NUL, a newline "
            f"or more than {_MAX_VALUE} characters",
            error_type="EnvRefused",
        )
    # a locale, terminal or zone name with a path in it makes libc or curses read that file
    upper = name.upper()
    named_file = upper.startswith(("LANG", "LC_")) or upper == "TERM"
    locale_path = named_file and ("/" in value or ".." in value)
    zone_path = upper == "TZ" and (value.startswith(("/", ":")) or ".." in value)
    if locale_path or zone_path:
        raise PermanentError(
            f"task '{task_id}': environment variable {name}={value[:60]!r} names a path; "
            "only plain locale, terminal and zone names are passed on",
            error_type="EnvRefused",
        )


def plan_env(task_id: str, requested: Any, extra_allow: list[str]) -> dict[str, str]:
    """The variables of ``parameters.env`` a command may get, or a one-line refusal."""
    if requested is None:
        return {}
    if not isinstance(requested, Mapping):
        raise PermanentError(f"task '{task_id}': parameters.env must be an object")
    allowed = [*DEFAULT_ENV_ALLOW, *extra_allow]
    env: dict[str, str] = {}
    for raw_name, raw_value in requested.items():
        name = str(raw_name)
        hook = _matches(name, REFUSED_ENV)
        if hook is not None or not _NAME.match(name):
            raise PermanentError(
                f"task '{task_id}': environment variable {name[:60]} is refused: loader, shell "
                "and interpreter hooks are never passed to a command",
                error_type="EnvRefused",
            )
        if _matches(name, allowed) is None:
            raise PermanentError(
                f"task '{task_id}': environment variable {name} is not allowed (allowed: "
                f"{', '.join(allowed)}); an operator can add it to [run] exec_env_allow",
                error_type="EnvRefused",
            )
        value = "" if raw_value is None else str(raw_value)
        _check_value(task_id, name, value)
        env[name] = value
    return env


def child_env(workspace: Path, exec_path: str, extra: Mapping[str, str]) -> dict[str, str]:
    """The whole environment of a command: nothing of the server's own environment."""
    return {"PATH": exec_path, "HOME": str(workspace), "LANG": "C.UTF-8", **extra}


def resolve_program(task_id: str, program: str, cwd: Path, workspace: Path, exec_path: str) -> str:
    """The absolute file to execute; never one inside the workspace."""
    if os.sep in program:
        candidate = Path(program)
        if not candidate.is_absolute():
            # the allowlist compares absolute files; a relative one would mean another file
            # from the workspace (./tool) or from wherever ../ leads
            raise PermanentError(
                f"task '{task_id}': program {program} is a relative path; name a program by "
                "its bare name or its absolute path",
                error_type="PermissionDenied",
            )
        found = str(candidate) if os.access(candidate, os.X_OK) and candidate.is_file() else None
    else:
        found = shutil.which(program, path=exec_path)
    if found is None:
        where = "" if os.sep in program else f" (looked on {exec_path})"
        raise PermanentError(f"program not found: {program}{where}", error_type="NotFound")
    real = Path(found).resolve()
    if real.is_relative_to(workspace):
        raise PermanentError(
            f"task '{task_id}': program {program} lives inside the workspace; files a plan can "
            "write are never executed",
            error_type="PermissionDenied",
        )
    return found


def _pieces(arg: str) -> set[str]:
    """The parts of an argument a program may take as a path: the whole argument, every
    token between separators, and a value glued to options (``-I/x``, ``-xf/x``, ``-xfname``).
    """
    pieces = {arg, *_SEPARATORS.split(arg)}
    if arg.startswith("-"):
        # getopt lets a value follow any run of single-letter flags
        pieces.update(arg[i:] for i in range(1, min(len(arg), _GLUED_FLAGS + 1)))
        start = re.search(r"[/~.]", arg)
        if start is not None:
            pieces.add(arg[start.start() :])
    pieces.discard("")
    return pieces


def _is_path_like(piece: str, cwd: Path) -> bool:
    if len(piece.encode("utf-8", "surrogatepass")) > _PATH_MAX:
        return False  # the kernel refuses longer paths (ENAMETOOLONG): it names no file
    if piece.startswith(("/", "~")) or "/" in piece or ".." in piece:
        return True
    try:
        return os.path.lexists(cwd / piece)
    except (OSError, ValueError):
        return True


def _outside(piece: str, cwd: Path, workspace: Path) -> bool:
    if piece.startswith("~"):
        head, _, rest = piece.partition("/")
        if head != "~":
            return True  # ~user names another account's home
        # the program may expand ~ itself (HOME is the workspace) or take it literally
        targets = [workspace / rest, cwd / piece]
    else:
        targets = [Path(piece) if piece.startswith("/") else cwd / piece]
    try:
        return any(not t.resolve().is_relative_to(workspace) for t in targets)
    except (OSError, RuntimeError, ValueError):
        return True  # a symlink loop or an invalid name is not provably inside


def confine_arguments(task_id: str, args: list[str], cwd: Path, workspace: Path) -> None:
    """Refuse the first argument that names, or may name, something outside the workspace."""
    for arg in args:
        for piece in _pieces(arg):
            if _is_path_like(piece, cwd) and _outside(piece, cwd, workspace):
                raise PermanentError(
                    f"task '{task_id}': argument {arg[:200]!r} reaches outside the workspace "
                    f"{workspace}",
                    error_type="PathOutsideWorkspace",
                )
