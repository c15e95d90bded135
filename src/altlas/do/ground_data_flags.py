"""True/false columns named by a word: "the staff who work remotely" (remote == true), "active
users" (active == true), "inactive"/"not active"/"aktif olmayan" (== false).

A word names a flag column when it is the column's word ("remote" in ``is_remote``) or that
word with an English or Turkish ending ("remotely", "aktifler"). It must not be the object
of "by" or followed by "column": "sort by remote" and "the remote column" are not filters.
"""

from __future__ import annotations

import re

from altlas.do.ground_data_parse import Parse, column_ref
from altlas.do.ground_data_words import fold_word

__all__ = ["find_flags"]

_PREFIX_WORDS = ("is", "has", "was", "can", "flag")
_ENDINGS = ("ly", "s", "d", "ed", "ler", "lar", "leri", "lari", "olan", "olanlar", "lere", "lara")
_NEGATIONS = (
    *("not", "non", "no", "never", "dont", "doesnt", "don", "doesn", "isn", "aren"),
    *("haven", "hasn", "havent", "hasnt", "wasn", "weren", "didn", "didnt", "cannot"),
)
_TR_NEGATIVE_VERB = re.compile(r"m[ae]y[ae]n|m[iu]yor")
_TR_NEGATIONS = ("olmayan", "olmayanlar", "olmayanlari", "degil", "degiller")
_OPPOSITE_PREFIXES = ("non", "in", "un")
_NOT_A_FILTER_BEFORE = ("by", "per", "gore")
_NOT_A_FILTER_AFTER = ("column", "columns", "field", "sutun", "sutunu", "sutununu", "gore")


def _flag_words(column: str) -> list[str]:
    words = [w for w in re.split(r"[^a-z0-9]+", fold_word(column)) if w]
    return [w for w in words if w not in _PREFIX_WORDS and len(w) >= 3]


def _names(word: str, flag_word: str) -> bool:
    if word == flag_word:
        return True
    return word.startswith(flag_word) and word[len(flag_word) :] in _ENDINGS


def _negated(p: Parse, k: int) -> bool:
    before = [p.fold(i) for i in range(max(0, k - 3), k)]
    if any(w in _NEGATIONS for w in before):
        return True
    after = [p.fold(i) for i in range(k + 1, min(len(p.toks), k + 3))]
    # "çalışmayanlar", "gelmiyor": a Turkish verb made negative by -ma/-me
    return any(w in _TR_NEGATIONS or _TR_NEGATIVE_VERB.search(w) for w in after)


# Turkish words for the usual English flag names (and the opposite they say)
_TR_FLAGS = {
    "uzaktan": ("remote", False),
    "aktif": ("active", False),
    "etkin": ("active", False),
    "pasif": ("active", True),
    "odenmis": ("paid", False),
    "odenmemis": ("paid", True),
    "onayli": ("approved", False),
    "onaysiz": ("approved", True),
}


def _reading(word: str, words: list[str]) -> bool | None:
    """None when ``word`` does not name the flag; else whether it names its opposite
    ("inactive", "non-remote", "unpaid", "pasif")."""
    if any(_names(word, w) for w in words):
        return False
    for tr_word, (flag, opposite) in _TR_FLAGS.items():
        if flag in words and (word == tr_word or _names(word, tr_word)):
            return opposite
    for prefix in _OPPOSITE_PREFIXES:
        rest = word.removeprefix(prefix).lstrip("-")
        if rest != word and any(_names(rest, w) for w in words):
            return True
    return None


def find_flags(p: Parse) -> None:
    """A filter ``flag == true`` (or false) for each word that names a true/false column."""
    for column in sorted(p.facts.flags):
        ref = column_ref(column)
        words = _flag_words(column)
        if ref is None or not words:
            continue
        for k, tok in enumerate(p.toks):
            if k in p.used or tok.kind != "word":
                continue
            opposite = _reading(tok.fold, words)
            if opposite is None:
                continue
            if p.fold(k - 1) in _NOT_A_FILTER_BEFORE or p.fold(k + 1).startswith(
                _NOT_A_FILTER_AFTER
            ):
                continue
            value = "false" if _negated(p, k) != opposite else "true"
            p.filters.append(f"{ref} == {value}")
            mention = p.mention_covering(k)
            if mention is not None:
                p.use(mention)
            p.take(k, k + 1)
            p.note(f"filter {column} == {value}", k, k + 1)
            break
