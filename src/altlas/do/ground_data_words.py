"""Tokens of a data command and the English/Turkish words that choose a query step.

Every word is compared folded (lower case, Turkish ı/İ/I → i, ş → s, ğ → g ...), so Turkish
typed without diacritics reads the same. A Turkish case ending written after an apostrophe
("sales.csv'den", "20'nin", "Izmir'de") is kept apart from its word as ``suffix``.
"""

from __future__ import annotations

import re
import unicodedata

from altlas.do.ground_data_quantities import merge_quantities
from altlas.do.ground_data_token import Tok

__all__ = [
    "NUMBER_WORDS",
    "Tok",
    "fold_word",
    "phrase_at",
    "tokenize",
]

_TOKEN = re.compile(
    r"""
    (?P<file>(?:[\w.-]+/)*[\w-][\w.-]*\.[^\W\d_][^\W_]{0,7})(?P<fsuf>['’][^\W\d_]+)?(?![\w/])
  | (?P<quote>(?<!\w)'[^'\n]+'(?!\w)|"[^"\n]+"|“[^”\n]+”|`[^`\n]+`)
  | (?P<arrow>->|→|=>)
  | (?P<cmp>>=|<=|!=|<>|==|=|>|<|≥|≤)
  | (?P<date>\d{4}-\d{2}(?:-\d{2})?)(?![\w-])(?P<dsuf>['’][^\W\d_]+)?
  | (?P<num>\d+(?:[.,]\d+)?)(?P<nsuf>['’]?[^\W\d_]+)?(?![\w-])
  | (?P<arith>[×*+/]|(?<=\s)x(?=\s))
  | (?P<word>[^\W_][\w-]*)(?P<wsuf>['’][^\W\d_]+)?
  | (?P<punct>[(),;:?!.])
    """,
    re.VERBOSE,
)

NUMBER_WORDS = {
    "zero": 0,
    "none": 0,
    "sifir": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twenty": 20,
    "iki": 2,
    "uc": 3,
    "dort": 4,
    "bes": 5,
    "sekiz": 8,
    "dokuz": 9,
}


def fold_word(text: str) -> str:
    """``text`` lower-cased without accents; Turkish dotted/dotless i all become ``i``."""
    text = text.replace("İ", "i").replace("I", "i").replace("ı", "i").casefold()
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )


def _number(raw: str) -> float:
    whole, sep, frac = raw.partition(",")
    if sep and len(frac) == 3:
        return float(whole + frac)  # 1,000 is a thousand; Turkish decimals (2,5) are short
    return float(raw.replace(",", "."))


_KINDS = ("file", "quote", "arrow", "cmp", "date", "num", "arith", "word", "punct")
_SUFFIX_GROUP = {"file": "fsuf", "date": "dsuf", "num": "nsuf", "word": "wsuf"}


def tokenize(text: str, lang: str | None = None) -> list[Tok]:
    """Split a command into tokens (whitespace and unknown symbols dropped).

    Numbers in words become numbers ("five", "a dozen", "beşini", "on iki"), and a number's
    unit is read into it: "1 MB" is 1000000, "5 thousand" 5000, "100 eurodan" is 100 with the
    ablative "dan" as its suffix.
    """
    return merge_quantities(_raw_tokens(text), lang)


def _raw_tokens(text: str) -> list[Tok]:
    out: list[Tok] = []
    for m in _TOKEN.finditer(text):
        kind = next(k for k in _KINDS if m.group(k) is not None)
        raw = m.group(kind)
        end = m.end(kind)
        group = _SUFFIX_GROUP.get(kind)
        suffix = m.group(group) if group else None
        if kind == "quote":
            raw = raw[1:-1]
        tok = Tok(
            kind,
            raw,
            fold_word(raw),
            fold_word(suffix.lstrip("'’")) if suffix else "",
            m.start(),
            end,
        )
        if kind == "num":
            tok.number = _number(raw)
        elif kind == "word" and tok.fold in NUMBER_WORDS:
            tok.number = float(NUMBER_WORDS[tok.fold])
        out.append(tok)
    return out


def phrase_at(toks: list[Tok], i: int, phrase: str) -> int:
    """The number of tokens ``phrase`` (folded words, space-separated) covers at ``i``, or 0.

    A trailing ``*`` on a word of the phrase matches any word starting with it.
    """
    words = phrase.split()
    if i + len(words) > len(toks):
        return 0
    for k, word in enumerate(words):
        tok = toks[i + k]
        if tok.kind not in ("word", "cmp", "arith", "punct"):
            return 0
        if word.endswith("*"):
            if not tok.fold.startswith(word[:-1]):
                return 0
        elif tok.fold != word:
            return 0
    return len(words)


def find_phrase(
    toks: list[Tok], phrases: tuple[str, ...], lo: int = 0
) -> tuple[int, int, str] | None:
    """The first (index, length, phrase) of any of ``phrases`` in ``toks[lo:]``; longest wins."""
    ordered = sorted(phrases, key=lambda p: -len(p.split()))
    for i in range(lo, len(toks)):
        for phrase in ordered:
            n = phrase_at(toks, i, phrase)
            if n:
                return i, n, phrase
    return None
