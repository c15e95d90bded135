"""Quantities in a data command: numbers in words and a number's unit, read into one token.

"the five cheapest" reads like "the 5 cheapest", "on iki" like "12", "1 MB" like 1000000
(KB/MB/GB are powers of 1000, KiB/MiB/GiB of 1024), "5 thousand"/"5 bin" like 5000, and a
currency after a number ("100 euros", "100 eurodan", "50 TL'den") is part of it: the number
keeps the Turkish case ending the currency word carried, so "100 eurodan pahalı" compares
like "100'den pahalı".
"""

from __future__ import annotations

from dataclasses import replace

from altlas.do.ground_data_token import Tok
from altlas.do.words import number_in_words

__all__ = ["MONEY", "SIZE_UNITS", "merge_quantities"]

MONEY = "money"
"""The unit of a number said with a currency: it compares with the table's price column."""

SIZE_UNITS = {
    "kb": 1e3,
    "mb": 1e6,
    "gb": 1e9,
    "tb": 1e12,
    "kib": 2.0**10,
    "mib": 2.0**20,
    "gib": 2.0**30,
    "byte": 1.0,
    "bytes": 1.0,
    "bayt": 1.0,
}
_MULTIPLIERS = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "k": 1e3}
_MULTIPLIERS_TR = {"bin": 1e3, "milyon": 1e6, "milyar": 1e9}
_CURRENCIES = (
    *("euros", "euro", "eur", "dollars", "dollar", "dolar", "usd", "pounds", "pound", "gbp"),
    *("tl", "lira", "try"),
)
_CASE_ENDINGS = ("dan", "den", "tan", "ten", "ya", "ye", "a", "e", "da", "de", "ta", "te")
_TENS = (20, 30, 40, 50, 10)


def _as_number(tok: Tok, lang: str | None) -> Tok:
    """A number word as a ``num`` token ("one", "bir", "zero", "none" keep being words with
    their number: "which one", "zero on hand" are read by the rules for those words)."""
    if tok.kind != "word":
        return tok
    found = number_in_words(tok.fold, lang)
    if found is None:
        return tok
    value, ending = found
    if value < 2:
        return replace(tok, number=float(value))
    suffix = tok.suffix or ending
    return replace(tok, kind="num", number=float(value), suffix=suffix)


def _split_ending(word: str, names: tuple[str, ...]) -> tuple[str, str]:
    """ "eurodan" → ("euro", "dan"), "binden" → ("bin", "den"); ("", "") for another word."""
    for name in sorted(names, key=len, reverse=True):
        if word == name:
            return name, ""
        if word.startswith(name) and word[len(name) :] in _CASE_ENDINGS:
            return name, word[len(name) :]
    return "", ""


def _join(first: Tok, last: Tok, text: str, **changes: object) -> Tok:
    return replace(first, text=text, end=last.end, **changes)  # type: ignore[arg-type]


def _unit_after(num: Tok, nxt: Tok | None, lang: str | None) -> tuple[Tok, bool] | None:
    """``num`` with the unit that follows it (in the next token or glued on as its suffix)."""
    glued = num.suffix
    if glued in SIZE_UNITS:
        return replace(
            num, number=(num.number or 0) * SIZE_UNITS[glued], unit=glued, suffix=""
        ), False
    if glued in _MULTIPLIERS:
        return replace(num, number=(num.number or 0) * _MULTIPLIERS[glued], suffix=""), False
    if nxt is None or nxt.kind != "word" or num.suffix:
        return None
    word = nxt.fold
    multipliers = dict(_MULTIPLIERS)
    if lang in (None, "tr"):
        multipliers |= _MULTIPLIERS_TR
    if word in SIZE_UNITS:
        scaled = (num.number or 0) * SIZE_UNITS[word]
        return _join(
            num, nxt, f"{num.text} {nxt.text}", number=scaled, unit=word, suffix=nxt.suffix
        ), True
    stem, ending = _split_ending(word, tuple(multipliers))
    if stem:
        scaled = (num.number or 0) * multipliers[stem]
        return _join(
            num, nxt, f"{num.text} {nxt.text}", number=scaled, suffix=nxt.suffix or ending
        ), True
    stem, ending = _split_ending(word, _CURRENCIES)
    if stem:
        money = {"suffix": nxt.suffix or ending, "unit": MONEY}
        return _join(num, nxt, f"{num.text} {nxt.text}", **money), True
    return None


def _compound(first: Tok, second: Tok) -> Tok | None:
    """ "twenty five", "on iki", "yirmi beş": tens then units, one number."""
    if first.kind != "num" or second.kind != "num" or first.suffix:
        return None
    a, b = first.number or 0, second.number or 0
    if a in _TENS and 1 <= b <= 9 and first.text.isalpha() and second.text.isalpha():
        return _join(
            first, second, f"{first.text} {second.text}", number=a + b, suffix=second.suffix
        )
    return None


_MONTHS = {
    name: number
    for names in (
        ("january", "february", "march", "april", "may", "june", "july", "august"),
        ("september", "october", "november", "december"),
        ("ocak", "subat", "mart", "nisan", "mayis", "haziran", "temmuz", "agustos"),
        ("eylul", "ekim", "kasim", "aralik"),
    )
    for number, name in enumerate(names, start=1 if names[0] in ("january", "ocak") else 9)
}
_ORDINALS = ("", "st", "nd", "rd", "th")


def _int_between(tok: Tok | None, low: int, high: int, suffixes: tuple[str, ...]) -> int | None:
    if tok is None or tok.kind != "num" or tok.number is None or not tok.number.is_integer():
        return None
    value = int(tok.number)
    return value if low <= value <= high and tok.suffix in suffixes else None


def _full_date(toks: list[Tok], i: int) -> tuple[Tok, int] | None:
    """ "1 October 2024", "1st of October 2024", "October 1, 2024", "1 Ekim 2024'ten": one
    ``date`` token holding the ISO date (the year's Turkish ending kept), and its width."""
    import datetime as dt

    at = toks[i : i + 5]
    day = _int_between(at[0] if at else None, 1, 31, _ORDINALS)
    k = 1
    if day is not None:
        k += 1 if k < len(at) and at[k].fold == "of" else 0
        month = _MONTHS.get(at[k].fold) if k < len(at) else None
        k += 1
    else:
        month = _MONTHS.get(at[0].fold) if at else None
        day = _int_between(at[1] if len(at) > 1 else None, 1, 31, _ORDINALS)
        k = 2
        k += 1 if k < len(at) and at[k].text == "," else 0
    year_tok = at[k] if k < len(at) else None
    year = _int_between(year_tok, 1900, 2100, (year_tok.suffix,) if year_tok else ())
    if day is None or month is None or year is None or year_tok is None:
        return None
    try:
        iso = dt.date(year, month, day).isoformat()
    except ValueError:
        return None
    token = replace(at[0], kind="date", text=iso, fold=iso, end=year_tok.end, number=None)
    return replace(token, suffix=year_tok.suffix), k + 1


def _dates(toks: list[Tok]) -> list[Tok]:
    out: list[Tok] = []
    i = 0
    while i < len(toks):
        found = _full_date(toks, i)
        if found is None:
            out.append(toks[i])
            i += 1
        else:
            out.append(found[0])
            i += found[1]
    return out


def merge_quantities(toks: list[Tok], lang: str | None) -> list[Tok]:
    """``toks`` with number words as numbers, dates said in words as dates, and units read
    into the number before them."""
    words = [_as_number(tok, lang) for tok in _dates(toks)]
    out: list[Tok] = []
    i = 0
    while i < len(words):
        tok = words[i]
        nxt = words[i + 1] if i + 1 < len(words) else None
        if tok.kind == "num" and nxt is not None:
            joined = _compound(tok, nxt)
            if joined is not None:
                tok, i = joined, i + 1
                nxt = words[i + 1] if i + 1 < len(words) else None
        if tok.kind == "num" and tok.number is not None:
            scaled = _unit_after(tok, nxt, lang)
            if scaled is not None:
                tok = scaled[0]
                i += 1 if scaled[1] else 0
        out.append(tok)
        i += 1
    return out
