"""Verbs the families do not know, read as the verb they do know for the same operation.

Each operation has a lexicon of other verbs in both languages. English words are compared by
their Snowball stem ("tallying", "tallied" and "tally" are one word); Turkish verbs are
compared by their root, with any ending ("ayıklayıp", "ayıklar", "ayıkla"), because the
Snowball Turkish stemmer only strips noun endings. A segment that no family understood is
grounded once more with the unknown verb replaced; nothing else in the words changes, so
every other word must still be accounted for by the operation that then matches.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from altlas.do.words import folded, quoted_spans

__all__ = ["VERBS", "rewrites"]

# operation -> (canonical English verb, canonical Turkish verb, English verbs, Turkish roots)
VERBS: dict[str, tuple[str, str, tuple[str, ...], tuple[str, ...]]] = {
    "copy": (
        "copy",
        "kopyala",
        ("duplicate", "clone", "replicate", "make a copy of"),
        ("cogalt", "kopyasini cikar", "kopyasini al", "esini cikar"),
    ),
    "count": (
        "count",
        "say",
        ("tally", "tally up", "enumerate", "add up the number of"),
        ("sayimla", "sayip", "sayar", "sayiver", "sayarak", "hesapla"),
    ),
    "find": (
        "find",
        "bul",
        ("grab", "pull out", "pick out", "fish out", "dig out", "extract", "fetch", "single out"),
        ("ayikla", "cek", "suz", "cikart", "sec"),
    ),
    "show": (
        "show",
        "goster",
        ("display", "print out", "bring up", "pull up"),
        ("dok", "yazdir", "getir", "goruntule"),
    ),
    "list": (
        "list",
        "listele",
        ("enumerate the files", "itemise", "itemize", "inventory"),
        ("siral", "dokumunu"),
    ),
    "summarize": (
        "summarize",
        "ozetle",
        ("condense", "boil down", "recap", "digest", "abridge", "shorten"),
        ("kisalt", "ozetleyip", "ozetleyerek", "ozetler"),
    ),
    "create": (
        "create",
        "olustur",
        ("set up", "open a new", "put together"),
        ("ac", "yarat", "hazirla"),
    ),
}


@cache
def _stemmer() -> object:
    import snowballstemmer  # type: ignore[import-untyped]

    return snowballstemmer.stemmer("english")


def _stem(word: str) -> str:
    return str(_stemmer().stemWord(word))  # type: ignore[attr-defined]


def _turkish(root: str) -> re.Pattern[str]:
    words = root.split()
    body = r"\s+".join(re.escape(w) for w in words)
    return re.compile(rf"(?<![\w/.'-]){body}\w*(?![\w/.-])")


@cache
def _patterns() -> tuple[tuple[re.Pattern[str], str, bool], ...]:
    out: list[tuple[re.Pattern[str], str, bool]] = []
    for en, tr, en_words, tr_roots in VERBS.values():
        out += [(_english_exact(w), en, False) for w in en_words]
        out += [(_turkish(r), tr, True) for r in tr_roots]
    return tuple(out)


def _english_exact(phrase: str) -> re.Pattern[str]:
    """English verb phrases: each inflection the stem allows, and nothing longer."""
    words = phrase.split()
    last = words[-1]
    stem = _stem(last)
    endings = r"(?:e|es|ed|ing|s|ies|ied|ying|d)?"
    head = "".join(rf"{re.escape(w)}\s+" for w in words[:-1])
    return re.compile(
        rf"(?<![\w/.-]){head}(?:{re.escape(last)}|{re.escape(stem)}{endings})(?![\w/.-])"
    )


def rewrites(text: str, lang: str) -> Iterator[tuple[str, str, str]]:
    """(new text, the verb read, the verb it was read as) for each unknown verb in ``text``.

    The replacement works on the folded text only when folding kept every position, so the
    original spelling of file names and values survives elsewhere.
    """
    low = folded(text)
    if len(low) != len(text):
        return
    seen: set[str] = set()
    quotes = quoted_spans(text)
    for pattern, canonical, turkish in _patterns():
        if turkish and lang != "tr" and not re.search(r"[çğıöşü]|\b(ve|bir|bu|dosya\w*)\b", low):
            continue
        match = next((m for m in pattern.finditer(low) if not _inside(m.span(), quotes)), None)
        if match is None:
            continue  # a quoted text is what the file says, never a verb to read
        start, end = match.span()
        word = text[start:end]
        new = f"{text[:start]}{canonical}{text[end:]}"
        if new in seen:
            continue
        seen.add(new)
        yield new, word, canonical


def _inside(span: tuple[int, int], quotes: list[tuple[int, int]]) -> bool:
    return any(start <= span[0] and span[1] <= end for start, end in quotes)
