"""References between segments: output nouns, their producers and stem matching.

The finders (``refs_en``, ``refs_tr``) return references as ``(kind, value)``: ``("prev", "")``
for the previous segment, ``("both", "")`` for the two before, ``("noun", stem)`` for a definite
noun to resolve by mention or by producer, ``("demonstrative", stem)`` for "that meeting" or
"bu tablo".
"""

from __future__ import annotations

from functools import lru_cache

from altlas.segment.segments import Segment
from altlas.segment.text import fold

__all__ = [
    "EN_OUTPUTS",
    "TR_OUTPUTS",
    "Ref",
    "cached_category",
    "output_category",
    "producer",
    "stems_match",
]

Ref = tuple[str, str]

# noun -> what kind of segment produces it ("generic": whatever came just before)
EN_OUTPUTS: dict[str, str] = {}
for _cat, _nouns in {
    "generic": """result output finding answer number figure total sum average match option
        outcome rest receipt timing measurement metric statistic evaluation assessment""",
    "translate": "translation",
    "summarize": "summary gist recap overview outline digest highlight",
    "compare": "comparison difference",
    "compress": "archive zip tarball",
    "cut": "clip excerpt snippet",
    "schedule": "invitation invite booking reservation appointment event confirmation",
    "transcribe": "transcript transcription",
    "artifact": """chart graph plot table report draft document presentation deck slide letter
        post message note agenda script list spreadsheet sheet csv pdf image video recording
        backup screenshot analysis diagram proposal recommendation guide flashcard""",
}.items():
    for _n in _nouns.split():
        EN_OUTPUTS[_n] = _cat

TR_OUTPUTS: dict[str, str] = {}
for _cat, _nouns in {
    "generic": "sonuc bulgu cikti rakam toplam ortalama cevap yanit",
    "translate": "ceviri tercume",
    "summarize": "ozet",
    "compare": "karsilastirma fark",
    "compress": "arsiv zip",
    "cut": "klip kesit",
    "schedule": "davet davetiye toplanti randevu etkinlik onay",
    "transcribe": "transkript dokum metin",
    "change": "degisiklik duzenleme",
    "artifact": """tablo grafik rapor liste mesaj oneri taslak sunum belge dosya not
        gonderi kaynakca betik kod gorsel resim video kayit yedek cizelge""",
}.items():
    for _n in _nouns.split():
        TR_OUTPUTS[_n] = _cat

_PRODUCER_VERBS = {
    "translate": ("translate", "cevir", "tercume", "localize"),
    "summarize": ("summarize", "summarise", "outline", "sum up", "ozetle", "kisalt", "ozet"),
    "compare": ("compare", "karsilastir", "kiyasla", "contrast"),
    "compress": ("compress", "zip", "sikistir", "arsivle", "archive", "tar"),
    "transcribe": ("transcribe", "yazi dok", "yaziya dok"),
    "cut": ("trim", "crop", "cut", "clip", "kirp", "kes"),
}


def producer(category: str, segs: list[Segment], i: int, lang: str = "en") -> int | None:
    """The nearest segment before ``i`` that produces an output of ``category``."""
    if category == "generic":
        return i - 1
    for j in range(i - 1, -1, -1):
        seg = segs[j]
        key = fold(seg.verb_key)
        if category == "schedule" and seg.type == "schedule":
            return j
        if category == "artifact" and seg.type in ("create", "transform", "summarize"):
            return j
        if category == "change" and seg.type == "transform":
            return j
        if any(
            key == v or key.endswith(" " + v) or key.startswith(v)
            for v in _PRODUCER_VERBS.get(category, ())
        ):
            return j
    return None


def stems_match(a: str, b: str) -> bool:
    """Equal stems; Turkish stems (marked ``~``) also match on a long shared prefix.

    The prefix rule allows one softened consonant ("grafik"/"grafiğe"); English stems compare
    exactly, so "data" is not "database".
    """
    if a == b:
        return True
    # both must be Turkish stems sharing at least three letters after the "~" mark
    if a[:4] != b[:4] or a[0] != "~":
        return False
    p = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        p += 1
    shorter, longer = sorted((len(a), len(b)))
    if longer - shorter > 2:
        return False
    if p >= shorter:
        # one stem is a prefix of the other: only for stems of four letters or more
        return p - 1 >= 4
    # one differing last letter, and only a softened consonant (grafik / grafiğe, klip / klibi)
    return p == shorter - 1 and p - 1 >= 3 and (a[p], b[p]) in _SOFTENED


_SOFTENED = frozenset({("k", "g"), ("g", "k"), ("p", "b"), ("b", "p"), ("t", "d"), ("d", "t")})


@lru_cache(maxsize=8192)
def cached_category(stem: str, lang: str) -> str | None:
    """:func:`output_category` against the table of ``lang``, memoised."""
    return output_category(stem, EN_OUTPUTS if lang == "en" else TR_OUTPUTS)


def output_category(stem: str, table: dict[str, str]) -> str | None:
    """The output category of a noun stem, matching Turkish stems by prefix."""
    plain = stem.lstrip("~")
    if plain in table:
        return table[plain]
    if stem.startswith("~"):
        for noun, category in table.items():
            if stems_match(stem, "~" + noun):
                return category
    return None
