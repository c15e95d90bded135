"""The safety net of the files and text families: every meaningful word must be accounted for.

A listing that silently drops "ERROR satırlarını", or a line search that drops "the first
five", reports success while doing less than was asked. These helpers say which words an
operation did not account for, so the family can decline and the segment fail honestly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from altlas.do.operations import Operation
from altlas.do.words import folded, mentions, quoted

__all__ = ["QUALIFIERS", "file_words", "not_understood", "unaccounted", "unread_qualifiers"]

# words any request may carry without changing what is asked (both languages, folded)
_FILLERS = (
    r"(the|a|an|all|every|each|any|of|in|inside|into|from|under|within|on|at|for|to|with|"
    r"and|is|are|there|here|it|its|this|that|these|those|them|me|my|our|we|i|you|your|"
    r"please|can|could|would|will|kindly|do|does|have|has|got|just|now|currently|"
    r"s|what|whats|which|how|tell|give|let|know|see|want|like|need|"
    r"bana|benim|bizim|lutfen|bu|su|o|bir|ve|ile|icin|da|de|mi|mu|misin|musun|"
    r"acaba|simdi|hem|tum|butun|hepsi\w*|var\w*|mevcut\w*|bulunan|olan\w*)"
)
# a number, a count word or an order is never decoration: it limits or orders the result
QUALIFIERS = (
    r"\b\d+\b",
    r"\b(one|two|three|four|five|six|seven|eight|nine|ten|twenty|dozen|hundred)\b",
    r"\b(iki|uc|dort|bes|alti|yedi|sekiz|dokuz|on|yirmi|yuz)\b",
    r"\b(first|last|latest|newest|oldest|earliest|top|bottom|unique|distinct|sorted|sort|"
    r"before|after|since|until|between|except|excluding|without|not)\b",
    r"\b(ilk|son|en yeni|en eski|benzersiz|sirala\w*|haric|disinda\w*)\b",
    # "10'dan sonra" limits; "kopyaladıktan sonra" only orders the steps
    r"\b\w+(?<!dik|duk|tik|tuk)(?:dan|den|tan|ten)\s+(?:once|sonra)\b",
    r"\b(twice|thrice|times|kez|kere|defa)\b",
    r"\b(than|older|newer|modified|larger|bigger|smaller|daha)\b",
    r"\b(yesterday|today|tonight|week|month|year|dun|dunku|bugun|bugunku|hafta\w*|ay\w*lik)\b",
    r"\b(uppercase|lowercase|upper case|lower case|capitals?|capital letters|bold|italic|"
    r"buyuk harf\w*|kucuk harf\w*)\b",
)


def _blank_names(text: str) -> str:
    """``text`` without its file names (and their Turkish endings: "sales.csv'ye") and quotes."""
    for token in [*mentions(text), *quoted(text)]:
        text = re.sub(rf"{re.escape(token)}(?:['’]\w+)?", " ", text)
    return text


def unaccounted(text: str, allowed: Iterable[str], named: Iterable[str] = ()) -> list[str]:
    """The words of ``text`` matched neither by the fillers, nor by the ``allowed`` patterns
    (folded, anchored to a whole word), nor by a ``named`` word or file (with any ending)."""
    rest = _blank_names(text)
    pattern = re.compile(rf"^(?:{_FILLERS}|{'|'.join(allowed) or '(?!)'})$")
    names = [folded(n).strip("/") for n in named if n]
    out: list[str] = []
    for word in re.findall(r"[\w]+", folded(rest)):
        if len(word) == 1 or pattern.match(word):
            continue
        if any(word.startswith(n) for n in names if len(n) >= 2):
            continue  # "assets" in "assetsteki", "docs'taki"
        out.append(word)
    return out


def unread_qualifiers(text: str, read: Iterable[str] = ()) -> list[str]:
    """Numbers and order words in ``text`` (outside file names and quotes) not in ``read``."""
    low = folded(_blank_names(text))
    done = {folded(r) for r in read}
    found: list[str] = []
    for pattern in QUALIFIERS:
        found += [m.group(0) for m in re.finditer(pattern, low) if m.group(0) not in done]
    return found


def not_understood(op: Operation, words: list[str]) -> Operation:
    """An honest refusal: what altlas understood, and the words it would have ignored."""
    shown = ", ".join(f"'{w}'" for w in dict.fromkeys(words))
    reason = (
        f"altlas understood '{op.why}' but not {shown}; it ran nothing rather than "
        "ignore those words (docs/do.md lists what it can do)"
    )
    return Operation("refuse", {"reason": reason, "kind": "unknown"}, "words not accounted for")


def file_words(path: str) -> list[str]:
    """The words of a file's name ("depo_notu.txt" -> depo, notu), which may name it in text."""
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return [w for w in re.split(r"[\W_]+", folded(stem)) if len(w) >= 2]
