"""English/Turkish detection that works on short commands and on Turkish typed without diacritics.

Each language collects evidence from function words, verbs in imperative position, Turkish
suffixes (after an apostrophe or on common nouns) and Turkish letters. The grammar words weigh
more than names, so ``README dosyasını aç`` is Turkish and ``Open "Günlük.txt"`` English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from altlas.segment import lexicon_en as en
from altlas.segment import lexicon_tr as tr
from altlas.segment.text import Token, fold, words

__all__ = ["Detection", "detect", "detect_tokens"]

_TR_LETTERS = frozenset("şğıİŞĞ")
_TR_SOFT_LETTERS = frozenset("çöüÇÖÜ")
_EN_APOSTROPHE = re.compile(r"'(?:s|t|re|ll|ve|d|m)$")
_TR_APOSTROPHE = re.compile(
    r"'(?:y?[aeıiuü]|n[aeıiuü]|[dt][aeıiuü]n?|[dt][ae]ki|n[ıiuü]n|[ıiuü]n|yl[ae]|l[ae]|"
    r"l[ae]r\w*|s[ıiuü]\w*|[ıiuü]\w+|[ae]\w+|n[aeıiuü]\w+|[dt][aeıiuü]\w+)$",
)
_TR_SUFFIX = re.compile(
    r"\w{2,}(?:lar|ler|lari|leri|larini|lerini|larin|lerin|ini|unu|yi|yu|daki|deki|taki|teki|"
    r"dan|den|tan|ten|nin|nun|sini|sunu|siyla|siyle|ina|ine|una|une|inda|inde|unda|unde|"
    r"imi|umu|imiz|imizi|iniz|ca|ce|sinde|sinda|mak|mek|dir|tir|lik|luk|siz|suz|li|lu)$",
)
_EN_SUFFIX = re.compile(r"\w{3,}(?:ing|tion|tions|ness|ment|ments|ed|ly|ies)$")

_COMMON_EN = frozenset(
    words(
        """at go is it on in an as am do so no to up we he me be by or if of us git sort set bat
cat dark kit bar say oral""",
    ),
)


def _tr_evidence_forms() -> frozenset[str]:
    clash = set(en.VERBS) | set(en.EVIDENCE_WORDS) | _COMMON_EN | set(en.PREPOSITIONS)
    return frozenset(clash)


_EN_CLASH = _tr_evidence_forms()


@dataclass
class Detection:
    """The detected language with the evidence that chose it."""

    language: str
    scores: dict[str, float]
    confidence: float
    fallback: bool = False
    reason: str | None = None
    mixed: bool = False
    notes: list[str] = field(default_factory=list)

    def as_metadata(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "method": "rules",
            "language": self.language,
            "scores": {k: round(v, 2) for k, v in self.scores.items()},
            "confidence": round(self.confidence, 3),
            "fallback": self.fallback,
        }
        if self.mixed:
            data["mixed"] = True
        if self.reason:
            data["reason"] = self.reason
        return data


def _clause_final(tokens: list[Token], k: int) -> bool:
    if k + 1 >= len(tokens):
        return True
    nxt = tokens[k + 1]
    return nxt.kind == "punct" or nxt.fold in ("ve", "sonra", "ardindan", "ayrica")


def detect_tokens(text: str, tokens: list[Token]) -> Detection:
    """Score English and Turkish on tokens that were lowercased the English way."""
    return _verdict(*_scores(text, tokens))


def _scores(text: str, tokens: list[Token]) -> tuple[float, float, int]:
    """English evidence, Turkish evidence, and the number of words."""
    en_score = 0.0
    tr_score = 0.0
    if not text.isascii():
        tr_score += 1.5 * sum(text.count(ch) for ch in _TR_LETTERS)
        tr_score += 0.5 * sum(text.count(ch) for ch in _TR_SOFT_LETTERS)
    words = 0
    first_word = True
    en_fn = en.EVIDENCE_WORDS
    tr_fn = tr.FUNCTION_WORDS
    for k, tok in enumerate(tokens):
        if tok.kind != "word":
            if tok.kind == "punct" and tok.text in ".!?":
                first_word = True
            continue
        words += 1
        low = tok.low
        folded = tok.fold
        if "'" in folded:
            norm = low.replace("’", "'")
            if _EN_APOSTROPHE.search(norm):
                en_score += 1.5
            elif _TR_APOSTROPHE.search(norm.replace("i̇", "i")):
                tr_score += 2.0
        if low in en_fn:
            en_score += 1.0
            first_word = False
            continue
        if folded in tr_fn:
            tr_score += 1.0
            first_word = False
            continue
        if first_word and (low in en.VERBS or low in en.QUESTION_WORDS):
            en_score += 2.0
        first_word = False
        if folded in _EN_CLASH:
            continue
        vf = tr.lookup_form(low, folded)
        if vf is not None:
            weight = 2.5 if _clause_final(tokens, k) else 1.0
            if vf.form != "imp":
                weight += 1.0
            tr_score += weight
        elif _EN_SUFFIX.match(low):
            en_score += 0.5
        elif _TR_SUFFIX.match(folded):
            tr_score += 0.75
    return en_score, tr_score, words


def _verdict(en_score: float, tr_score: float, words: int) -> Detection:
    scores = {"en": en_score, "tr": tr_score}
    total = en_score + tr_score
    if total < 1.0:
        return Detection(
            "en",
            scores,
            0.0,
            fallback=True,
            reason="no English or Turkish evidence; defaulted to en",
        )
    lang = "tr" if tr_score > en_score else "en"
    confidence = max(en_score, tr_score) / total
    mixed = words > 0 and min(en_score, tr_score) >= 2.0 and confidence < 0.7
    if en_score == tr_score:
        return Detection(
            "en",
            scores,
            0.5,
            fallback=True,
            mixed=True,
            reason="English and Turkish evidence tied; defaulted to en",
        )
    det = Detection(lang, scores, confidence, mixed=mixed)
    if mixed:
        det.reason = f"mixed English and Turkish; chose {lang} (stronger grammar evidence)"
    return det


def detect(text: str) -> Detection:
    """Detect the language of ``text`` (``en`` or ``tr``)."""
    from altlas.segment.text import tokenize

    return detect_tokens(text, tokenize(text, "en"))


def fold_text(text: str) -> str:
    return fold(text)
