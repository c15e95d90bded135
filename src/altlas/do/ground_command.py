"""Explicit commands only: text after "run this:" / "şu komutu çalıştır:", or backticked.

Never a guessed verb. The command is split like a shell line and run as an argv list without
a shell; text that needs a shell (``&&``, pipes, redirections, substitutions) is refused here,
and the run still needs ``--allow-exec`` and the program on the allowlist.
"""

from __future__ import annotations

import re
import shlex

from altlas.do.context import GroundContext
from altlas.do.operations import Operation
from altlas.do.words import folded

__all__ = ["explicit_command", "ground_command"]

_INTRO = re.compile(
    r"^\s*(?:please\s+|lutfen\s+)?(?:run|execute|exec)\s+(?:this|the following|the command|"
    r"this command|command)?\s*:\s*(?P<cmd>.+)$"
    r"|^\s*(?:lutfen\s+)?(?:su|bu|asagidaki)?\s*komut(?:u)?\s+calistir\w*\s*:\s*(?P<tr>.+)$",
    re.IGNORECASE | re.DOTALL,
)
_TICKS = re.compile(r"`([^`\n]+)`")
_RUN_WORD = re.compile(r"\b(run|execute|exec|calistir\w*|komut\w*)\b")
_SHELL = re.compile(r"&&|\|\||[|;<>]|\$\(|`|\$\{?\w")


def explicit_command(text: str) -> str | None:
    """The command the person typed, when they typed one explicitly."""
    low = folded(text)
    if len(low) == len(text):
        match = _INTRO.match(low)
        if match is not None:
            start = match.start("cmd") if match.group("cmd") is not None else match.start("tr")
            return text[start:].strip()
    ticks = _TICKS.search(text)
    if ticks is not None and _RUN_WORD.search(low):
        return ticks.group(1).strip()
    return None


def ground_command(text: str, lang: str, ctx: GroundContext) -> Operation | None:
    command = explicit_command(text)
    if command is None:
        return None
    shell = _SHELL.search(command)
    if shell is not None:
        reason = (
            f"'{command}' needs a shell ({shell.group(0)}); altlas runs one program without a "
            "shell, so it ran nothing"
        )
        return Operation("refuse", {"reason": reason, "kind": "shell"}, "an explicit command")
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        reason = f"cannot read the command '{command}': {exc}"
        return Operation("refuse", {"reason": reason, "kind": "shell"}, "an explicit command")
    if not argv:
        return None
    return Operation("command", {"argv": argv}, "an explicit command", "text")
