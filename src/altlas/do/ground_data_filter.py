"""Filters: typed comparisons ("more than 20 units", "stoğu 20'nin altında", "stock below
reorder_level") and values ("region is North", "customers in London", "Widget ürününe ait")."""

from __future__ import annotations

import re

from altlas.do import ground_data_lexicon as W
from altlas.do.ground_data_columns import Mention, column_of, id_like
from altlas.do.ground_data_dates import find_date_parts
from altlas.do.ground_data_parse import Parse, column_ref, literal
from altlas.do.ground_data_values import emit, find_values_filters

__all__ = ["find_filters"]


_Operand = tuple[str, int, Mention | None]
_ISO_DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")


def _operand_after(p: Parse, i: int) -> _Operand | None:
    k = i
    while k < len(p.toks) and p.fold(k) in W.SKIP_RHS:
        k += 1
    if k >= len(p.toks):
        return None
    tok = p.toks[k]
    if tok.kind == "num" and tok.number is not None:
        return literal(tok.number) or "", k + 1, None
    if tok.kind in ("date", "quote"):
        return literal(tok.text) or "", k + 1, None
    m = p.mention_at(k)
    if m is not None and p.free(m):
        return column_ref(m.column) or "", m.end, m
    if tok.kind == "word" and tok.number is not None:
        return literal(tok.number) or "", k + 1, None
    return None


def _ablative(p: Parse, i: int) -> bool:
    tok = p.toks[i]
    return tok.suffix in W.ABLATIVE or tok.fold.endswith(W.ABLATIVE)


def _operand_before(p: Parse, k: int, ablative: bool) -> _Operand | None:
    i = k - 1
    if i < 0:
        return None
    if ablative and not _ablative(p, i):
        return None
    tok = p.toks[i]
    if tok.kind == "num" and tok.number is not None:
        return literal(tok.number) or "", i, None
    if tok.kind in ("date", "quote"):
        return literal(tok.text) or "", i, None
    m = p.mention_ending(k)
    if m is not None and p.free(m):
        return column_ref(m.column) or "", m.start, m
    if tok.kind == "word" and tok.number is not None:
        return literal(tok.number) or "", i, None
    return None


def _fits(p: Parse, column: str, value: str) -> bool:
    """A number compares with a numeric column, a quoted text or date with any other one."""
    if value.startswith("`"):
        return True
    numeric = column in p.facts.numeric
    if value[:1].isdigit() or value[:1] == "-":
        return numeric
    if _ISO_DATE.match(value.strip("'\"")):
        return column in p.facts.temporal
    return not numeric


_BARRIERS = ("by", "per", "and", "then", "sorted", "sort", "order", "ordered", "gore", "ve", ",")


def _near(p: Parse, i: int, gap: int, *, after: bool, value: str) -> Mention | None:
    found = [
        m
        for m in p.free_mentions()
        if (0 <= m.start - i <= gap if after else 0 <= i - m.end <= gap)
        and _fits(p, m.column, value)
        and not any(
            p.fold(k) in _BARRIERS for k in (range(i, m.start) if after else range(m.end, i))
        )
    ]
    if not found:
        return None
    return found[0] if after else found[-1]


def _lhs(
    p: Parse, before: int, after: int, value: str, gaps: tuple[int, int] = (4, 2)
) -> Mention | None:
    return _near(p, before, gaps[0], after=False, value=value) or _near(
        p, after, gaps[1], after=True, value=value
    )


_TEMPORAL_WORDS = (
    "before",
    "after",
    "since",
    "until",
    "earlier",
    "later",
    "once",
    "sonra",
    "itibar",
)


def _year_left(p: Parse, rhs: str, i: int, n: int) -> tuple[str, str] | None:
    """ "hired before 2020": a year compared with the table's date column."""
    if not rhs.isdigit() or not 1900 <= int(rhs) <= 2100:
        return None
    if not any(p.fold(k).startswith(_TEMPORAL_WORDS) for k in range(i, i + max(n, 1))):
        return None
    dated = [c for c in p.facts.columns if c in p.facts.temporal]
    ref = column_ref(dated[0]) if len(dated) == 1 else None
    return (f"year {dated[0]}", f"year({ref})") if ref else None


def _default_lhs(p: Parse, rhs: str, i: int) -> tuple[str, str | None] | None:
    """(label, left expression) of an unnamed left-hand side: the date column for a date, the
    price column for "cheaper than", the one measure mentioned or held by the table."""
    if rhs.startswith("'") and len(p.facts.temporal) == 1:
        return next(iter(p.facts.temporal)), None
    money = any(t.unit == "money" for t in p.toks[i : i + 4])  # "under 50 euros"
    if p.at(i, W.PRICE_WORDS) or money:
        price = column_of(["price"], p.facts.columns)
        return (price, None) if price else None
    if not (rhs[:1].isdigit() or rhs[:1] == "-"):
        return None
    said = {m.column for m in p.free_mentions() if m.column in p.facts.numeric}
    if len(said) == 1:
        return next(iter(said)), None
    measures = [c for c in p.facts.columns if c in p.facts.numeric and not id_like(c)]
    return (measures[0], None) if len(measures) == 1 else None


def _bound(p: Parse, k: int) -> str | None:
    tok = p.toks[k] if 0 <= k < len(p.toks) else None
    if tok is None or k in p.used:
        return None
    if tok.kind == "num" and tok.number is not None:
        return literal(tok.number)
    return literal(tok.text) if tok.kind == "date" else None


def _between(p: Parse, i: int) -> int:
    """ "between 10 and 20", "10 ile 20 arasında" → `col` between 10 and 20."""
    if p.at(i, W.BETWEEN_EN):
        low, high, start, end = _bound(p, i + 1), _bound(p, i + 3), i, i + 4
        joined = p.fold(i + 2) == "and"
    else:
        low, high, start = _bound(p, i), _bound(p, i + 2), i
        end = i + 3 + p.at(i + 3, W.BETWEEN_TR)
        joined = p.fold(i + 1) in ("ile", "ve") and end > i + 3
    if not (joined and low and high):
        return 0
    lhs = _lhs(p, start, end, low, (3, 2))
    left = (lhs.column, None) if lhs else _default_lhs(p, low, start)
    if left is None:
        return 0
    if lhs is not None:
        p.use(lhs)
    lo = min(start, lhs.start if lhs else start)
    hi = max(end, lhs.end if lhs else end)
    emit(p, left[0], "between", f"{low} and {high}", lo, hi, left[1])
    return end


_AVERAGE = ("average", "mean", "median", "ortalama", "medyan")


def _against_average(p: Parse) -> bool:
    """ "pay above average", "ortalamanın üstünde": a comparison with an aggregate, which a
    filter step cannot express; the segment is then not grounded (never a wrong answer)."""
    phrases = tuple(ph for group in (*W.EN_INFIX.values(), *W.TR_POSTFIX.values()) for ph in group)
    for i in range(len(p.toks)):
        n = p.at(i, phrases)
        if not n:
            continue
        near = (i - 1, i + n, i + n + 1)
        if any(p.fold(k).startswith(_AVERAGE) for k in near if k >= 0):
            return True
    return False


def _comparisons(p: Parse) -> None:
    if _against_average(p):
        p.failed = "a comparison with an average is not a filter a query can run"
        return
    i = 0
    while i < len(p.toks):
        if i in p.used:
            i += 1
            continue
        done = (
            _between(p, i)
            or _en_infix(p, i)
            or _en_postfix(p, i)
            or _tr_prefix(p, i)
            or _tr_postfix(p, i)
        )
        i = done if done else i + 1


def _en_infix(p: Parse, i: int) -> int:
    for op, phrases in W.EN_INFIX.items():
        n = p.at(i, phrases)
        if not n:
            continue
        rhs = _operand_after(p, i + n)
        if rhs is None:
            return 0
        value, end, right = rhs
        if right is not None:
            p.use(right)
        year = _year_left(p, value, i, n)
        lhs = None if year else _lhs(p, i, end, value)
        left = year or ((lhs.column, None) if lhs else _default_lhs(p, value, i))
        if left is None:
            if right is not None:
                p.release(right)
            return 0
        if lhs is not None:
            p.use(lhs)
        lo, hi = min(i, lhs.start if lhs else i), max(end, lhs.end if lhs else end)
        emit(p, left[0], op, value, lo, hi, left[1])
        return end
    return 0


def _en_postfix(p: Parse, i: int) -> int:
    tok = p.toks[i]
    if tok.kind != "num" or tok.number is None:
        return 0
    for op, phrases in W.EN_POSTFIX.items():
        n = p.at(i + 1, phrases)
        if n:
            lhs = _lhs(p, i, i + 1 + n, literal(tok.number) or "")
            if lhs is None:
                return 0
            p.use(lhs)
            emit(
                p,
                lhs.column,
                op,
                literal(tok.number) or "",
                min(i, lhs.start),
                max(i + 1 + n, lhs.end),
            )
            return i + 1 + n
    return 0


def _tr_prefix(p: Parse, i: int) -> int:
    for op, phrases in W.TR_PREFIX.items():
        n = p.at(i, phrases)
        tok = p.toks[i + n] if n and i + n < len(p.toks) else None
        if tok is None or tok.number is None or tok.kind == "quote":
            continue
        value = literal(tok.number) or ""
        lhs = _near(p, i + n + 1, 1, after=True, value=value) or _near(
            p, i, 2, after=False, value=value
        )
        if lhs is None:
            return 0
        p.use(lhs)
        emit(
            p, lhs.column, op, literal(tok.number) or "", min(i, lhs.start), max(i + n + 1, lhs.end)
        )
        return i + n + 1
    return 0


def _tr_postfix(p: Parse, k: int) -> int:
    if p.fold(k - 1) == "en":  # "en düşük 3" is a bottom-N, not a comparison
        return 0
    for op, phrases in W.TR_POSTFIX.items():
        for phrase in phrases:
            n = p.at(k, (phrase,))
            if not n:
                continue
            needs = phrase.split()[-1].rstrip("*") in W.TR_NEEDS_ABLATIVE
            rhs = _operand_before(p, k, ablative=needs)
            if rhs is None:
                continue
            value, start, right = rhs
            if right is not None:
                p.use(right)
            year = _year_left(p, value, k, n)
            lhs = None if year else _lhs(p, start, k + n, value, (3, 2))
            left = year or ((lhs.column, None) if lhs else _default_lhs(p, value, k))
            if left is None:
                if right is not None:
                    p.release(right)
                continue
            if lhs is not None:
                p.use(lhs)
            lo, hi = min(start, lhs.start if lhs else start), max(k + n, lhs.end if lhs else k + n)
            emit(p, left[0], op, value, lo, hi, left[1])
            return k + n
    return 0


def _zero_equalities(p: Parse) -> None:
    for i, tok in enumerate(p.toks):
        if i in p.used:
            continue
        zero = (tok.kind == "word" and tok.number == 0) or tok.fold in W.ZERO_WORDS
        if zero:
            m = p.mention_after(i + 1, gap=0) or p.mention_before(i, gap=2)
            if m is not None and m.column in p.facts.numeric:
                p.use(m)
                emit(p, m.column, "==", "0", min(i, m.start), max(i + 1, m.end))
                continue
        if tok.kind == "num" and tok.number is not None:
            m = p.mention_before(i, gap=1)
            said_is = i > 0 and p.fold(i - 1) in W.IS
            olan = p.fold(i + 1).startswith("olan")
            if m is not None and (said_is or olan) and m.column in p.facts.numeric:
                p.use(m)
                emit(p, m.column, "==", literal(tok.number) or "", m.start, i + 1)


def _reorder(p: Parse) -> None:
    """ "items that need reordering" on a table with stock and reorder-level columns."""
    hit = p.free_hit(W.REORDER)
    if hit is None:
        return
    covering = p.mention_covering(hit[0])
    if covering is not None and p.fold(hit[0]) == "reorder":
        return  # "reorder level" is a column, not a need
    stock = column_of(["stock"], p.facts.columns)
    level = column_of(["reorder_level"], p.facts.columns)
    if stock and level and stock != level and stock in p.facts.numeric:
        if covering is not None:
            p.use(covering)
        emit(p, stock, "<=", column_ref(level) or "", hit[0], hit[0] + hit[1])


def _removal(p: Parse) -> None:
    hit = p.free_hit(W.REMOVE_ROWS)
    if hit is not None and p.filters:
        p.negate = True
        p.take(hit[0], hit[0] + hit[1])
        p.note("keep the other rows", hit[0], hit[0] + hit[1])


def find_filters(p: Parse) -> None:
    find_date_parts(p)
    _comparisons(p)
    _zero_equalities(p)
    find_values_filters(p)
    if not p.filters:
        _reorder(p)
    _removal(p)
