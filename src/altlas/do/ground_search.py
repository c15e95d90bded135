"""Search of the local archive of results: the query is the topic words, not the sentence."""

from __future__ import annotations

from altlas.do.context import GroundContext
from altlas.do.operations import Operation
from altlas.do.words import has_any
from altlas.run.handlers.vocabulary import search_terms

__all__ = ["ground_search", "topic_words"]

_SEARCH = (
    r"\bsearch\w*",
    r"\blook up\b",
    r"\blook for\b",
    r"\bara\b",
    r"\barat\w*",
    r"\barastir\w*",
    r"\b(find|show|list)\b.*\b(archive|past runs|earlier runs|previous results)\b",
    r"\barsiv\w*\b.*\b(bul|goster|getir)\w*",
)


def topic_words(text: str) -> str:
    """The words that say what to look for ("sales reports"), without verbs and fillers."""
    return search_terms(text)


def ground_search(text: str, lang: str, ctx: GroundContext) -> Operation | None:
    if not has_any(text, *_SEARCH):
        return None
    query = topic_words(text)
    if not query:
        return None
    return Operation("archive", {"query": query}, f"search the archive for '{query}'", "lines")
