"""Filters on parts of a date: "in 2023", "2024 yılında", "in March", "şubat ayındaki",
"March 2024" → year(`date`) == 2023, month(`date`) == 3 on the table's date column."""

from __future__ import annotations

from altlas.do.ground_data_parse import Parse, column_ref

__all__ = ["find_date_parts"]

_MONTHS_EN = (
    *("january", "february", "march", "april", "may", "june"),
    *("july", "august", "september", "october", "november", "december"),
)
_MONTHS_TR = (
    *("ocak", "subat", "mart", "nisan", "mayis", "haziran"),
    *("temmuz", "agustos", "eylul", "ekim", "kasim", "aralik"),
)
_LOCATIVE = ("da", "de", "ta", "te", "daki", "deki", "taki", "teki", "nda", "nde")
_BEFORE_YEAR = ("in", "during", "for", "of", "from")
_EN_ONLY_AFTER_IN = ("may", "march")  # also plain words: a month only after "in" or before a year


def _date_column(p: Parse, i: int) -> str | None:
    near = [m for m in p.free_mentions() if m.column in p.facts.temporal and abs(m.start - i) <= 4]
    if near:
        return p.use(near[0])
    dated = [c for c in p.facts.columns if c in p.facts.temporal]
    return dated[0] if len(dated) == 1 else None


def _year_at(p: Parse, i: int) -> int | None:
    tok = p.toks[i] if 0 <= i < len(p.toks) else None
    if tok is None or tok.kind != "num" or tok.number is None or i in p.used:
        return None
    if not tok.number.is_integer() or not 1900 <= tok.number <= 2100:
        return None
    return int(tok.number)


def _month_at(p: Parse, i: int) -> int | None:
    tok = p.toks[i] if 0 <= i < len(p.toks) else None
    if tok is None or tok.kind != "word" or i in p.used:
        return None
    word = tok.fold
    for number, name in enumerate(_MONTHS_TR, start=1):
        if word == name or (word.startswith(name) and word[len(name) :] in _LOCATIVE):
            return number
    if word in _MONTHS_EN:
        if word in _EN_ONLY_AFTER_IN and p.fold(i - 1) != "in" and _year_at(p, i + 1) is None:
            return None
        return _MONTHS_EN.index(word) + 1
    return None


def _said_year(p: Parse, i: int) -> bool:
    tok = p.toks[i]
    return (
        p.fold(i - 1) in _BEFORE_YEAR
        or tok.suffix in _LOCATIVE
        or p.fold(i + 1).startswith("yil")
        or _month_at(p, i - 1) is not None
    )


def find_date_parts(p: Parse) -> None:
    for i in range(len(p.toks)):
        month = _month_at(p, i)
        year = _year_at(p, i)
        if month is None and (year is None or not _said_year(p, i)):
            continue
        column = _date_column(p, i)
        ref = column_ref(column) if column else None
        if ref is None:
            return
        end = i + 1
        parts = []
        if month is not None:
            parts.append(f"month({ref}) == {month}")
            follow = _year_at(p, i + 1)
            if follow is not None:
                parts.insert(0, f"year({ref}) == {follow}")
                end = i + 2
        else:
            parts.append(f"year({ref}) == {year}")
        if p.fold(end).startswith(("ayi", "yili")):
            end += 1
        p.filters.extend(parts)
        p.take(i, end)
        p.note(f"filter {' and '.join(parts).replace('`', '')}", i, end)
