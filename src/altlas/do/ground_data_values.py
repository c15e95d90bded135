"""Value filters: "region is North", "customers in London", "Widget ürününe ait",
"şehri Ankara olmayan", "North or South" → `region` in ('North', 'South')."""

from __future__ import annotations

from altlas.do import ground_data_lexicon as W
from altlas.do.ground_data_columns import ValueMention, column_of
from altlas.do.ground_data_parse import Parse, column_ref, literal

__all__ = ["emit", "find_values_filters"]


def emit(
    p: Parse, lhs: str, op: str, rhs: str, start: int, end: int, left: str | None = None
) -> None:
    left = left or column_ref(lhs)
    if left is None or not rhs:
        return
    p.filters.append(f"{left} {op} {rhs}")
    p.take(start, end)
    p.note(f"filter {lhs} {op} {rhs.strip('`')}", start, end)


def _negated(p: Parse, v: ValueMention) -> bool:
    for k in range(max(0, v.start - 3), v.start):
        if p.at(k, W.NEGATE_BEFORE):
            return True
    return any(p.at(k, W.NEGATE_AFTER) for k in range(v.end, min(len(p.toks), v.end + 3)))


def _value_column(p: Parse, v: ValueMention) -> tuple[str, int, int] | None:
    """The column holding ``v`` (the one named next to it, else the only one) and the span of
    words that chose it."""
    near = [
        m
        for m in p.free_mentions()
        if m.column in v.holders and (0 <= v.start - m.end <= 2 or 0 <= m.start - v.end <= 2)
    ]
    if near:
        m = near[0]
        return p.use(m), min(m.start, v.start), max(m.end, v.end)
    if len(v.holders) == 1:
        return next(iter(v.holders)), v.start, v.end
    return None


def _values(p: Parse) -> None:
    chosen: dict[tuple[str, bool], list[tuple[str, int, int]]] = {}
    for v in p.vals:
        if any(k in p.used for k in range(v.start, v.end)):
            continue
        found = _value_column(p, v)
        if found is None:
            continue
        column, start, end = found
        chosen.setdefault((column, _negated(p, v)), []).append((v.holders[column], start, end))
    for (column, negated), values in chosen.items():
        quoted = [literal(value) for value, _, _ in values]
        if any(q is None for q in quoted):
            continue
        start, end = min(s for _, s, _ in values), max(e for _, _, e in values)
        if len(quoted) == 1:
            emit(p, column, "!=" if negated else "==", str(quoted[0]), start, end)
            continue
        listed = f"({', '.join(str(q) for q in quoted)})"
        left = column_ref(column)
        if left is not None:
            p.filters.append(f"not ({left} in {listed})" if negated else f"{left} in {listed}")
            p.take(start, end)
            p.note(f"filter {column} {'not ' if negated else ''}in {listed}", start, end)


def _unknown_values(p: Parse) -> None:
    """ "city is Paris" where the sample does not hold Paris: the column was named, so trust it."""
    for m in p.free_mentions():
        if m.column not in p.facts.values:
            continue
        k = m.end + p.at(m.end, W.COLUMN_WORDS)
        negated = p.at(k, ("is not", "isn't", "!=", "<>"))
        said_is = negated or p.at(k, ("is", "=", "==", "equals"))
        k += said_is
        tok = p.toks[k] if k < len(p.toks) else None
        if tok is None or k in p.used or not (tok.kind == "quote" or tok.capitalized):
            continue
        olan = p.fold(k + 1).startswith(("olan", "olmayan"))
        if not (said_is or olan):
            continue
        value = literal(tok.text)
        if value is not None:
            p.use(m)
            negated = negated or p.fold(k + 1).startswith("olmayan")
            emit(p, m.column, "!=" if negated else "==", value, m.start, k + 2 if olan else k + 1)


_LOCATIVE = ("da", "de", "ta", "te", "daki", "deki", "taki", "teki")


def _unknown_place(p: Parse) -> None:
    """ "Antalya'da", "in Oslo": a place name the sample does not hold, on a table with a city
    column (the filter then finds nothing, which is the honest answer)."""
    city = column_of(["city"], p.facts.columns)
    if city is None or city not in p.facts.values:
        return
    for k, tok in enumerate(p.toks):
        if k in p.used or not tok.capitalized or k == 0 or p.mention_covering(k) is not None:
            continue
        placed = tok.suffix in _LOCATIVE or p.fold(k - 1) in ("in", "from", "at")
        value = literal(tok.text)
        if placed and value is not None:
            emit(p, city, "==", value, k - (0 if tok.suffix else 1), k + 1)
            return


_TEXT_MATCH_EN = {
    "starts_with": ("starts with", "begins with", "starting with", "beginning with", "start with"),
    "ends_with": ("ends with", "ending with", "end with"),
    "contains": ("contains", "containing", "includes", "including", "contain"),
}
_TEXT_MATCH_TR = {
    "starts_with": ("ile baslayan*", "ile baslar*"),
    "ends_with": ("ile biten*", "ile biter*"),
    "contains": ("iceren*", "gecen*", "icerir*"),
}


def _emit_call(p: Parse, fn: str, column: str, value: str, start: int, end: int) -> None:
    ref = column_ref(column)
    if ref is not None:
        p.filters.append(f"{fn}({ref}, {value})")
        p.take(start, end)
        p.note(f"filter {fn}({column}, {value})", start, end)


def _match_value(p: Parse, k: int) -> str | None:
    tok = p.toks[k] if 0 <= k < len(p.toks) else None
    if tok is None or k in p.used or tok.kind not in ("word", "quote", "num"):
        return None
    return literal(tok.text)


def _text_matches(p: Parse) -> None:
    """ "last name starts with K", "'ya' ile biten", "name contains 'an'"."""
    for i in range(len(p.toks)):
        for fn, phrases in _TEXT_MATCH_EN.items():
            n = p.at(i, phrases)
            value = _match_value(p, i + n) if n else None
            m = p.mention_before(i, gap=2) if value else None
            if m is not None and value is not None and m.column in p.facts.values:
                _emit_call(p, fn, p.use(m), value, m.start, i + n + 1)
        for fn, phrases in _TEXT_MATCH_TR.items():
            n = p.at(i, phrases)
            value = _match_value(p, i - 1) if n else None
            m = p.mention_before(i - 1, gap=3) if value else None
            if m is not None and value is not None and m.column in p.facts.values:
                _emit_call(p, fn, p.use(m), value, m.start, i + n)


def find_values_filters(p: Parse) -> None:
    _text_matches(p)
    _values(p)
    _unknown_values(p)
    if not p.filters:
        _unknown_place(p)
