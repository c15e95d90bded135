"""The ``text`` handler: count lines or words, find lines, replace a word into a copy.

Operations (``parameters.operation``):

* ``count_lines`` ``path`` [``contains``]: the number of lines (containing a word);
* ``count_words`` ``path``: the number of whitespace-separated words;
* ``count_matches`` ``path`` ``contains``: how many times a word occurs;
* ``head`` / ``tail`` ``path`` [``lines``]: the first or last lines (10);
* ``grep`` ``path`` ``contains`` [``allow_empty``]: the lines containing a word. Finding
  nothing fails the task unless ``allow_empty`` (a condition's probe) says zero is an answer;
* ``replace`` ``path`` ``old`` ``new`` ``output``: the file with every ``old`` replaced by
  ``new``, written to ``output`` (the source stays as it is unless ``output`` is the source
  and ``overwrite`` is true). No occurrence of ``old`` fails the task.

Every operation takes an optional ``output``: the result's text is written there under the
overwrite rule (:func:`~altlas.run.handlers.base.write_workspace_file`). A word matches at
the start of a word, case-insensitively; a word typed in capitals ("ERROR") matches only in
capitals, as log levels are written.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from typing import Any

from altlas.formats.plan import Task
from altlas.run.handlers.base import (
    Handler,
    HandlerContext,
    PermanentError,
    file_stamp,
    unknown_operation,
    write_workspace_file,
)
from altlas.run.handlers.files import read_file

__all__ = ["OPERATIONS", "TextHandler", "word_pattern"]

OPERATIONS = ("count_lines", "count_words", "count_matches", "grep", "head", "tail", "replace")
_NEEDS = {
    "count_lines": ("path",),
    "count_words": ("path",),
    "count_matches": ("path", "contains"),
    "grep": ("path", "contains"),
    "head": ("path",),
    "tail": ("path",),
    "replace": ("path", "old", "new", "output"),
}


def word_pattern(word: str) -> re.Pattern[str]:
    """``word`` at the start of a word; capitals ("ERROR") only match capitals.

    Only the start is anchored so that endings still match: "timeout" finds "timeouts" and
    "Haziran" finds "Haziran'da" and "Haziranda".
    """
    flags = 0 if (word.isupper() and len(word) > 1) else re.IGNORECASE
    return re.compile(rf"(?<!\w){re.escape(word)}", flags)


def _missing(params: Mapping[str, Any], op: str) -> list[str]:
    return [
        key
        for key in _NEEDS.get(op, ())
        if not (isinstance(params.get(key), str) and (key == "new" or params[key].strip()))
    ]


class TextHandler(Handler):
    name = "text"
    description = "count lines or words, find lines containing a word, replace a word into a copy"

    def check(self, task: Task, params: Mapping[str, Any]) -> str | None:
        op = str(params.get("operation", "")).lower()
        refused = unknown_operation(op, OPERATIONS)
        if refused is not None:
            return refused
        missing = _missing(params, op)
        return f"needs parameters.{', parameters.'.join(missing)}" if missing else None

    def is_cacheable(self, params: Mapping[str, Any]) -> bool:
        return not params.get("output")

    def cache_salt(self, params: Mapping[str, Any], workspace: Any) -> Any:
        return file_stamp(workspace, params.get("path"))

    def describe(self, task: Task, params: Mapping[str, Any]) -> str:
        op = str(params.get("operation", ""))
        what = f" '{params['contains']}'" if params.get("contains") else ""
        out = f" -> {params['output']}" if params.get("output") else ""
        return f"{op} {params.get('path', '')}{what}{out}"

    async def run(self, ctx: HandlerContext) -> Any:
        op = str(ctx.params.get("operation", "")).lower()
        refused = unknown_operation(op, OPERATIONS)
        if refused is not None:
            raise PermanentError(f"parameters.{refused}")
        missing = _missing(ctx.params, op)
        if missing:
            raise PermanentError(f"text {op} needs parameters.{', parameters.'.join(missing)}")
        return await asyncio.to_thread(_do, ctx, op)


def _do(ctx: HandlerContext, op: str) -> dict[str, Any]:
    path = str(ctx.params["path"])
    content = read_file(ctx, path)["content"]
    if op == "replace":
        return _replace(ctx, path, content)
    if op in ("head", "tail"):
        return _written(ctx, _ends(ctx, op, path, content))
    if op == "count_matches":
        needle = str(ctx.params["contains"]).strip()
        count = len(word_pattern(needle).findall(content))
        times = "time" if count == 1 else "times"
        return _written(ctx, _counted(count, f"'{needle}' occurs {count} {times} in {path}"))
    if op == "count_words":
        count = len(content.split())
        out = _counted(count, f"{path} has {_plural(count, 'word')}")
    else:
        lines = content.splitlines()
        word = ctx.params.get("contains")
        if isinstance(word, str) and word.strip():
            pattern = word_pattern(word.strip())
            lines = [line for line in lines if pattern.search(line)]
            out = _found(ctx, op, path, word.strip(), lines)
        elif op == "grep":
            raise PermanentError("text grep needs parameters.contains")
        else:
            count = len(lines)
            out = _counted(count, f"{path} has {_plural(count, 'line')}")
    return _written(ctx, out)


def _found(ctx: HandlerContext, op: str, path: str, word: str, lines: list[str]) -> dict[str, Any]:
    count = len(lines)
    what = f"{_plural(count, 'line')} in {path} containing '{word}'"
    headline = what[0].upper() + what[1:]
    if op == "count_lines":
        return _counted(count, f"{path} has {_plural(count, 'line')} containing '{word}'")
    if not lines and not ctx.params.get("allow_empty"):
        raise PermanentError(
            f"no line in {path} contains '{word}'; nothing was found",
            error_type="NothingFound",
            output={"count": 0, "lines": [], "text": ""},
        )
    shown = lines[:20]
    more = f"\n... and {count - len(shown)} more" if count > len(shown) else ""
    answer = f"{headline}:\n" + "\n".join(shown) + more if lines else f"No {what}"
    return {
        "count": count,
        "lines": lines[: ctx.config.max_output_rows],
        "text": "\n".join(lines) + ("\n" if lines else ""),
        "answer": answer,
    }


def _ends(ctx: HandlerContext, op: str, path: str, content: str) -> dict[str, Any]:
    """The first (head) or last (tail) ``lines`` lines, 10 unless given."""
    try:
        wanted = max(1, int(ctx.params.get("lines", 10)))
    except (TypeError, ValueError):
        raise PermanentError("parameters.lines must be a whole number") from None
    lines = content.splitlines()
    picked = lines[:wanted] if op == "head" else lines[-wanted:]
    which = "first" if op == "head" else "last"
    head = f"The {which} {_plural(len(picked), 'line')} of {path}:"
    return {
        "count": len(picked),
        "lines": picked,
        "text": "\n".join(picked) + ("\n" if picked else ""),
        "answer": head + "\n" + "\n".join(picked) if picked else f"{path} is empty",
    }


def _counted(count: int, answer: str) -> dict[str, Any]:
    return {"count": count, "text": f"{count}\n", "answer": answer}


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _replace(ctx: HandlerContext, path: str, content: str) -> dict[str, Any]:
    old, new = str(ctx.params["old"]), str(ctx.params["new"])
    result, count = word_pattern(old).subn(lambda _m: new, content)
    if count == 0:
        raise PermanentError(
            f"'{old}' does not occur in {path}; nothing to replace", error_type="NothingFound"
        )
    output = str(ctx.params["output"])
    write_workspace_file(
        ctx, output, result.encode("utf-8"), bool(ctx.params.get("overwrite", False))
    )
    return {
        "count": count,
        "written": output,
        "answer": f"Replaced {count} × '{old}' with '{new}'; wrote {output}",
    }


def _written(ctx: HandlerContext, out: dict[str, Any]) -> dict[str, Any]:
    target = ctx.params.get("output")
    if not (isinstance(target, str) and target.strip()):
        return out
    write_workspace_file(
        ctx, target, str(out["text"]).encode("utf-8"), bool(ctx.params.get("overwrite", False))
    )
    return {**out, "written": target, "answer": f"{out['answer']}\nWrote {target}"}
