"""Search of the local archive of results: the query is the topic words, not the sentence."""

from __future__ import annotations

import re

from altlas.do.context import GroundContext
from altlas.do.operations import Operation
from altlas.do.words import folded, has_any

__all__ = ["ground_search", "topic_words"]

_SEARCH = (
    r"\bsearch\w*",
    r"\blook up\b",
    r"\blook for\b",
    r"\bara\b",
    r"\barat\w*",
    r"\barastir\w*",
)
_STOP = {
    "search", "searching", "the", "a", "an", "archive", "archives", "my", "our", "results",
    "for", "about", "on", "in", "of", "please", "can", "you", "could", "find", "look", "up",
    "me", "all", "any", "anything", "everything", "related", "to", "that", "mention", "mentions",
    "arsivde", "arsivi", "arsivden", "arsiv", "ara", "icin", "ile", "ilgili", "hakkinda", "bul",
    "lutfen", "sonuclarda", "sonuclari", "kayitlarda", "bana", "sonuclarini", "local",
}  # fmt: skip


def topic_words(text: str) -> str:
    """The words that say what to look for ("sales reports"), without verbs and fillers."""
    words = re.findall(r"[\w'-]+", text)
    kept = [
        w for w in words if folded(w).strip("'") not in _STOP and not folded(w).startswith("ara")
    ]
    return " ".join(kept)


def ground_search(text: str, lang: str, ctx: GroundContext) -> Operation | None:
    if not has_any(text, *_SEARCH):
        return None
    query = topic_words(text)
    if not query:
        return None
    return Operation("archive", {"query": query}, f"search the archive for '{query}'", "lines")
