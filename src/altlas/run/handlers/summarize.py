"""The ``summarize`` handler: a deterministic extractive summary (no model, no randomness).

Sentences are scored by the document frequency of their content words (stop words removed,
English and Turkish), normalised by length, with a small bonus for the opening sentence; the
best ones are returned in their original order. Same input, same summary.
"""

from __future__ import annotations

import asyncio
import math
import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

from altlas.formats.plan import Task
from altlas.run.handlers.base import Handler, HandlerContext, PermanentError, write_workspace_file
from altlas.run.handlers.files import read_file

__all__ = ["SummarizeHandler", "summarize_text"]

_WORD = re.compile(r"\w+", re.UNICODE)
_STOP_WORDS = """
a an and are as at be been but by can could did do does for from had has have he her his i if
in into is it its me my no not of on or our so than that the their them then there these they
this to too up us was we were what when where which while who will with would you your
ve veya ile bu şu bir için de da mi mı mu mü gibi çok daha en ama fakat ki o olarak olan sonra
kadar her
"""
_STOP = frozenset(_STOP_WORDS.split())


_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
_CHECKBOX = re.compile(r"^\s*[-*•]\s+(\[[ xX]\]\s+)?")
_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_SPLIT = re.compile(r"(?<=[.!?…])\s+(?=[\"“(\w])")


def _sentences(text: str) -> list[str]:
    """Sentences of the prose, and each list item and heading as a piece of its own."""
    pieces: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        prose: list[str] = []
        for line in lines:
            if _ITEM.match(line) or _HEADING.match(line):
                pieces.extend(_SPLIT.split(" ".join(prose)) if prose else [])
                prose = []
                pieces.append(line)
            else:
                prose.append(line)
        if prose:
            pieces.extend(_SPLIT.split(" ".join(prose)))
    return [p.strip() for p in pieces if p.strip()]


def _words(sentence: str) -> list[str]:
    return [w for w in (m.casefold() for m in _WORD.findall(sentence)) if w not in _STOP]


def _title(text: str) -> str | None:
    """A document's own title: its first line when that is a top-level Markdown heading."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    match = _HEADING.match(first)
    return match.group(1) if match and first.lstrip().startswith("# ") else None


def summarize_text(text: str, *, sentences: int = 3) -> list[str]:
    """The ``sentences`` most representative sentences of ``text``, in original order.

    A Markdown document's title leads the summary (it names what the document is about), and
    headings are never picked as sentences.
    """
    title = _title(text)
    found = [
        _CHECKBOX.sub("- ", s) if _CHECKBOX.match(s) else s
        for s in _sentences(text)
        if not _HEADING.match(s)
    ]
    if title is not None:
        return [title, *_pick(found, sentences)]
    return _pick(found, sentences)


def _shape_weight(sentence: str) -> float:
    """Prose sentences say more than list items, and both more than "Key: value" lines."""
    text = sentence.strip()
    weight = 1.0
    if _CHECKBOX.match(text) or re.match(r"^\d+[.)]\s", text):
        weight *= 0.6
    if not text.endswith((".", "!", "?", "…")):
        weight *= 0.7
    if re.match(r"^[\w ]{1,20}:\s", text):
        weight *= 0.5
    return weight


def _pick(found: list[str], sentences: int) -> list[str]:
    if len(found) <= sentences:
        return found
    words = [_words(s) for s in found]
    freq = Counter(w for ws in words for w in set(ws))
    top = max(freq.values(), default=1)
    scores = []
    for i, ws in enumerate(words):
        score = sum(freq[w] / top for w in ws) / math.sqrt(len(ws)) if ws else 0.0
        if i == 0:
            score *= 1.25
        score *= _shape_weight(found[i])
        scores.append((score, -i))
    chosen = sorted(range(len(found)), key=lambda i: scores[i], reverse=True)[:sentences]
    return [found[i] for i in sorted(chosen)]


class SummarizeHandler(Handler):
    name = "summarize"
    description = "deterministic extractive summary of parameters.text or dependency outputs"

    def check(self, task: Task, params: Mapping[str, Any]) -> str | None:
        if task.dependencies or any(
            isinstance(params.get(k), str) and params[k].strip()
            for k in ("text", "path", "content")
        ):
            return None
        return "needs parameters.text, parameters.path or a dependency with text output"

    async def run(self, ctx: HandlerContext) -> Any:
        text = ctx.params.get("text")
        source = "parameters.text"
        path_param = ctx.params.get("path")
        if not (isinstance(text, str) and text.strip()) and isinstance(path_param, str):
            text, source = read_file(ctx, path_param)["content"], f"file {path_param}"
        if not (isinstance(text, str) and text.strip()):
            text, source = ctx.input_text(), "dependencies"
        if not text.strip():
            content = ctx.params.get("content")
            text, source = (content if isinstance(content, str) else ""), "parameters.content"
        if not text.strip():
            raise PermanentError(
                "nothing to summarize: give parameters.text or a dependency with text output",
                error_type="NoInput",
            )
        try:
            count = int(ctx.params.get("sentences", 3))
        except (TypeError, ValueError):
            raise PermanentError("parameters.sentences must be an integer") from None
        if count < 1:
            raise PermanentError("parameters.sentences must be at least 1")
        picked = summarize_text(text, sentences=count)
        out: dict[str, Any] = {
            "text": " ".join(picked),
            "sentences": picked,
            "source": source,
            "source_sentences": len(_sentences(text)),
            "source_chars": len(text),
        }
        target = ctx.params.get("output")
        if isinstance(target, str) and target.strip():
            # one sentence a line reads better in a file than one long paragraph
            data = ("\n".join(picked) + "\n").encode("utf-8")
            await asyncio.to_thread(
                write_workspace_file, ctx, target, data, bool(ctx.params.get("overwrite", False))
            )
            out["written"] = target
            out["answer"] = f"Summary of {source} written to {target}:\n" + "\n".join(picked)
        return out
