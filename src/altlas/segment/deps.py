"""Dependencies between segments, from evidence in the text only (guideline section 4).

1. Sequence: ``then``/``sonra``/... before a segment, or a converb ending the previous one.
2. Reference: a pronoun or possessive, a noun naming an earlier output ("the summary",
   "çeviriyi"), a demonstrative ("that meeting", "bu tablo"), an owner-less Turkish possessive
   ("fiyatlarını karşılaştır") or an elided object ("raporu aç ve özetle").
Edges point at the nearest earlier segment that mentions or produces the referent, are direct
and unique, and always go backwards, so the graph is a DAG.
"""

from __future__ import annotations

from altlas.segment.refs import cached_category, producer, stems_match
from altlas.segment.refs_en import (
    en_content,
    en_elided,
    en_head_nouns,
    en_old_heads,
    en_references,
)
from altlas.segment.refs_tr import tr_content, tr_elided, tr_references
from altlas.segment.segments import Segment
from altlas.segment.text import Token

__all__ = ["infer_dependencies"]


Index = dict[str, list[str]]


def _index(words: list[str]) -> Index:
    """Content stems of a segment keyed by their first four characters (all a match needs)."""
    out: Index = {}
    for word in words:
        out.setdefault(word[:4], []).append(word)
    return out


def _nearest_mention(stem: str, before: int, contents: list[Index]) -> int | None:
    key = stem[:4]
    for j in range(before - 1, -1, -1):
        candidates = contents[j].get(key)
        if candidates and any(stems_match(stem, other) for other in candidates):
            return j
    return None


def _resolve(
    i: int,
    ref: tuple[str, str],
    segs: list[Segment],
    contents: list[Index],
    lang: str,
) -> list[int]:
    kind, value = ref
    if kind == "prev":
        return [i - 1]
    if kind == "both":
        return [j for j in (i - 1, i - 2) if j >= 0]
    if kind == "noun":
        mention = _nearest_mention(value, i, contents)
        category = cached_category(value, lang)
        made = producer(category, segs, i) if category is not None else None
        if lang == "tr" and category == "artifact":
            # A Turkish artifact needs a mention; a later producer only moves the link closer
            # ("tabloları çıkar, Excel'e dönüştür, tabloyu paylaş"). Without a mention a
            # first-person possessive ("tablomu", my table) would otherwise point back.
            if mention is None:
                return []
            made = made if made is not None and made > mention else None
        found = [j for j in (mention, made) if j is not None]
        return [max(found)] if found else []
    if kind == "demonstrative":
        j = _nearest_mention(value, i, contents)
        return [i - 1 if j is None else j]
    return []


def infer_dependencies(tokens: list[Token], segs: list[Segment], lang: str) -> list[list[int]]:
    """For each segment, the sorted indexes of the earlier segments it depends on."""
    if len(segs) < 2:
        return [[] for _ in segs]
    content = en_content if lang == "en" else tr_content
    contents = [_index(content(tokens, s)) for s in segs]
    out: list[list[int]] = [[] for _ in segs]
    old: set[str] = set()
    for i in range(1, len(segs)):
        if lang == "en":
            old |= en_old_heads(tokens, segs[i - 1])
        contrast = frozenset(old)
        seg = segs[i]
        prev = segs[i - 1]
        targets: set[int] = set()
        if seg.marker == "seq" or prev.converb or prev.verb_only:
            targets.add(i - 1)
        seg.elided = en_elided(tokens, seg) if lang == "en" else tr_elided(tokens, seg)
        if seg.elided:
            targets.add(i - 1)
        if lang == "en":
            refs = en_references(tokens, seg, contrast)
            refs += [("noun", h) for h in en_head_nouns(tokens, seg, contrast)]
        else:
            refs = tr_references(tokens, seg)
        for ref in refs:
            targets.update(_resolve(i, ref, segs, contents, lang))
        out[i] = sorted(t for t in targets if 0 <= t < i)
    return out
