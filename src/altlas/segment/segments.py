"""The analysed segment: token range, joining marker, main verb and type."""

from __future__ import annotations

from dataclasses import dataclass, field

from altlas.segment.text import Token

__all__ = ["Segment", "trim"]

# Punctuation that separates segments and is never part of a segment's text.
EDGE_PUNCT = frozenset(",.;:!?…")


@dataclass(slots=True)
class Segment:
    """One action of a command, before it becomes a Task.

    ``first``/``last`` are inclusive token indexes; ``marker`` is how it joins the previous
    segment (``seq`` for then/sonra, ``add`` for and/ve/commas, ``sentence``, or None for the
    first); ``converb`` says the segment ends in a Turkish converb that chains it to the next.
    """

    first: int
    last: int
    marker: str | None = None
    converb: bool = False
    verb: int | None = None
    verb_first: int | None = None
    verb_key: str = ""
    type: str = "search"
    confidence: float = 0.4
    question: bool = False
    verb_only: bool = False
    elided: bool = False
    notes: list[str] = field(default_factory=list)

    def start(self, tokens: list[Token]) -> int:
        return tokens[self.first].start

    def end(self, tokens: list[Token]) -> int:
        return tokens[self.last].end


def trim(
    tokens: list[Token],
    first: int,
    last: int,
    lead: frozenset[str],
    tail: frozenset[str],
) -> tuple[int, int]:
    """Drop separating punctuation and filler words (``please``, ``lütfen``) at both edges."""
    while first <= last and (
        (tokens[first].kind == "punct" and tokens[first].text in EDGE_PUNCT)
        or tokens[first].fold in lead
    ):
        first += 1
    while last >= first and (
        (tokens[last].kind == "punct" and tokens[last].text in EDGE_PUNCT)
        or tokens[last].fold in tail
    ):
        last -= 1
    return first, last
