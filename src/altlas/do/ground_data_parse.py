"""The working state of grounding one data segment: tokens, the column and value mentions found
in them, which tokens a rule has already used, and the query parts chosen so far."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from altlas.do.ground_data_columns import Mention, ValueMention
from altlas.do.ground_data_words import Tok, find_phrase, phrase_at
from altlas.do.tables import TableFacts

__all__ = ["Parse", "column_ref", "literal"]


def literal(value: float | str) -> str | None:
    """An expression-language literal: 20, 2.5, 'North' (None when it cannot be quoted)."""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if "'" not in value:
        return f"'{value}'"
    if '"' not in value:
        return f'"{value}"'
    return None


def column_ref(column: str) -> str | None:
    return None if "`" in column else f"`{column}`"


@dataclass(slots=True)
class Parse:
    text: str
    toks: list[Tok]
    facts: TableFacts
    lang: str = "en"
    cols: list[Mention] = field(default_factory=list)
    vals: list[ValueMention] = field(default_factory=list)
    used: set[int] = field(default_factory=set)
    used_mentions: set[int] = field(default_factory=set)
    """Start indices of column mentions a rule has taken."""
    filters: list[str] = field(default_factory=list)
    negate: bool = False
    """The filters name the rows to remove ("delete the rows where …")."""
    derives: list[dict[str, Any]] = field(default_factory=list)
    group: dict[str, Any] | None = None
    sorts: list[dict[str, Any]] = field(default_factory=list)
    limit: int | None = None
    select: list[str] | None = None
    distinct: bool = False
    distinct_on: list[str] | None = None
    answer: str | None = None
    produces: str = "table"
    why: list[str] = field(default_factory=list)
    failed: str | None = None
    """Why the segment cannot be grounded (a step's column word matched no column)."""

    # words -------------------------------------------------------------------------
    def words(self, start: int, end: int) -> str:
        if start >= end:
            return ""
        return self.text[self.toks[start].start : self.toks[end - 1].end]

    def note(self, step: str, start: int, end: int) -> None:
        self.why.append(f"{step} ← '{self.words(start, end)}'")

    def has(self, phrases: tuple[str, ...]) -> tuple[int, int, str] | None:
        return find_phrase(self.toks, phrases)

    def at(self, i: int, phrases: tuple[str, ...]) -> int:
        return max((phrase_at(self.toks, i, p) for p in phrases), default=0)

    def fold(self, i: int) -> str:
        return self.toks[i].fold if 0 <= i < len(self.toks) else ""

    def free_hit(self, phrases: tuple[str, ...], lo: int = 0) -> tuple[int, int] | None:
        """(index, width) of the first of ``phrases`` on tokens no rule has used yet."""
        for i in range(lo, len(self.toks)):
            if i in self.used:
                continue
            n = self.at(i, phrases)
            if n and not any(k in self.used for k in range(i, i + n)):
                return i, n
        return None

    def take(self, start: int, end: int) -> None:
        self.used.update(range(start, end))

    # mentions ----------------------------------------------------------------------
    def free(self, m: Mention) -> bool:
        return m.start not in self.used_mentions

    def use(self, m: Mention) -> str:
        self.used_mentions.add(m.start)
        self.take(m.start, m.end)
        return m.column

    def release(self, m: Mention) -> None:
        """Undo :meth:`use` when the rule that took ``m`` gave up."""
        self.used_mentions.discard(m.start)
        self.used.difference_update(range(m.start, m.end))

    def mention_at(self, i: int) -> Mention | None:
        return next((m for m in self.cols if m.start == i), None)

    def mention_ending(self, end: int) -> Mention | None:
        return next((m for m in self.cols if m.end == end), None)

    def mention_covering(self, i: int) -> Mention | None:
        return next((m for m in self.cols if m.start <= i < m.end), None)

    def mention_before(self, i: int, gap: int = 4) -> Mention | None:
        near = [m for m in self.cols if m.end <= i and i - m.end <= gap and self.free(m)]
        return near[-1] if near else None

    def mention_after(self, i: int, gap: int = 2) -> Mention | None:
        near = [m for m in self.cols if m.start >= i and m.start - i <= gap and self.free(m)]
        return near[0] if near else None

    def free_mentions(self) -> list[Mention]:
        return [m for m in self.cols if self.free(m)]

    # the result --------------------------------------------------------------------
    def steps(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        if self.filters:
            where = " and ".join(self.filters)
            out.append({"op": "filter", "where": f"not ({where})" if self.negate else where})
        out.extend(self.derives)
        if self.group is not None:
            out.append(self.group)
        if self.sorts:
            out.append({"op": "sort", "by": self.sorts})
        if self.limit is not None:
            out.append({"op": "limit", "n": self.limit})
        if self.select:
            out.append({"op": "select", "columns": self.select})
        if self.distinct:
            out.append({"op": "distinct", "columns": self.distinct_on})
        return out
