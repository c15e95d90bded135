"""Turkish: split a command into actions and find each action's main verb.

Turkish is verb-final, so a segment ends at its verb: an imperative (``aç``, ``analiz et``)
followed by a joining word or punctuation, or a converb that chains two actions (``açıp``,
``filtreleyerek``, ``indirdikten sonra``). Coordination inside a noun phrase ("elma ve armut
fiyatları", "İstanbul, Ankara ve İzmir") is never split because no verb precedes the ``ve``.
"""

from __future__ import annotations

import re

from altlas.segment import lexicon_en as en
from altlas.segment import lexicon_tr as tr
from altlas.segment.segments import Segment, trim
from altlas.segment.text import Token, fold, is_sentence_end, words

__all__ = ["VerbInfo", "split_tr", "verb_infos"]

_SEQ_WORDS = frozenset(words("sonra ardindan sonrasinda akabinde nihayet"))
_LEAD = frozenset(fold(w) for w in ["lütfen", "önce", "öncelikle"])
_TAIL = frozenset(fold(w) for w in ["lütfen"])
_QUESTION = frozenset(
    words("ne nasil nerede neden niye kim kac hangi mi mu misin musun midir mudur"),
)


class VerbInfo:
    """A verb token: its form, its type, and where a compound verb starts."""

    __slots__ = ("first", "folded_only", "form", "key", "type")

    def __init__(self, key: str, form: str, vtype: str, first: int, folded_only: bool) -> None:
        self.key = key
        self.form = form
        self.type = vtype
        self.first = first
        self.folded_only = folded_only


def _compound(tokens: list[Token], k: int, stem: str) -> tuple[str, str, int] | None:
    """(key, type, first index) of a compound verb ending at token ``k`` ("analiz et")."""
    if k == 0 or tokens[k - 1].kind != "word":
        return None
    prev = tokens[k - 1]
    pf = prev.fold
    mod = tr.MODIFIERS.get((prev.low, stem)) or tr.MODIFIERS.get((pf, fold(stem)))
    if mod is not None:
        return f"{prev.low} {stem}", mod, k - 1
    for prefix, ctype in tr.COMPOUNDS.get(fold(stem), ()):
        if pf.startswith(prefix):
            return f"{prev.low} {stem}", ctype, k - 1
    # an English verb with a Turkish light verb: "push et", "commit et", "deploy yap"
    if (stem in tr.LIGHT_DEFAULTS or stem == "al") and pf in en.VERBS:
        return f"{pf} {stem}", en.VERBS[pf], k - 1
    return None


def verb_infos(tokens: list[Token]) -> list[VerbInfo | None]:
    """For each token, the Turkish task verb it is (or ends), else None."""
    out: list[VerbInfo | None] = [None] * len(tokens)
    # text typed with Turkish letters spells its verbs with them too
    allow_folded = not any(t.low != t.fold for t in tokens if t.kind == "word" and "'" not in t.low)
    for k, tok in enumerate(tokens):
        if tok.kind != "word" or "'" in tok.text or "’" in tok.text:
            continue
        vf = tr.lookup_form(tok.low, tok.fold, allow_folded)
        if vf is None:
            continue
        folded_only = not tr.is_exact(tok.low)
        comp = _compound(tokens, k, vf.stem)
        if comp is not None:
            key, vtype, first = comp
            out[k] = VerbInfo(key, vf.form, vtype, first, folded_only)
        elif vf.stem in tr.LIGHT_DEFAULTS:
            prev = tokens[k - 1] if k > 0 else None
            if prev is not None and prev.kind == "word" and _bare_noun(prev):
                vtype = tr.LIGHT_DEFAULTS[vf.stem]
                out[k] = VerbInfo(f"{prev.low} {vf.stem}", vf.form, vtype, k - 1, folded_only)
        elif vf.stem != "ol":
            out[k] = VerbInfo(vf.stem, vf.form, vf.type, k, folded_only)
    _question_verbs(tokens, out, allow_folded)
    return out


_QPARTICLE = re.compile(r"^m[iu](?:s[iu]n(?:[iu]z)?)?$")
_AORIST = ("yabilir", "yebilir", "abilir", "ebilir", "ir", "ur", "ar", "er", "r")


def _question_verbs(tokens: list[Token], out: list[VerbInfo | None], allow_folded: bool) -> None:
    """A polite question "açar mısın", "özetleyebilir misiniz": the particle ends the verb."""
    for k in range(len(tokens) - 1):
        tok, part = tokens[k], tokens[k + 1]
        if out[k] is not None or tok.kind != "word" or not _QPARTICLE.match(part.fold):
            continue
        for suffix in _AORIST:
            if not tok.low.endswith(suffix) or len(tok.low) - len(suffix) < 2:
                continue
            stem = tok.low[: -len(suffix)]
            if stem.endswith("ed"):
                stem = stem[:-2] + "et"
            vf = tr.lookup_form(stem, fold(stem), allow_folded)
            if vf is None or vf.form != "imp" or vf.stem == "ol":
                continue
            comp = _compound(tokens, k, vf.stem)
            folded_only = not tr.is_exact(stem)
            if comp is not None:
                key, vtype, first = comp
            else:
                key, vtype, first = vf.stem, vf.type, k
            out[k + 1] = VerbInfo(key, "imp", vtype, first, folded_only)
            break


def _bare_noun(tok: Token) -> bool:
    """A word with no case ending: the noun half of an unlisted compound ("dikkat et")."""
    f = tok.fold
    if "'" in tok.text or f in tr.FUNCTION_WORDS or not f.isalpha():
        return False
    return not f.endswith(("i", "u", "a", "e", "da", "de", "dan", "den", "la", "le", "in", "un"))


def _is_delimiter(tokens: list[Token], j: int) -> bool:
    if j >= len(tokens):
        return True
    tok = tokens[j]
    if tok.kind == "punct":
        return tok.text in ",;" or is_sentence_end(tokens, j)
    f = tok.fold
    if f in ("ve", "veya", "ayrica") or f in _SEQ_WORDS:
        return True
    nxt = tokens[j + 1].fold if j + 1 < len(tokens) else ""
    return (f, nxt) in {
        ("daha", "sonra"),
        ("son", "olarak"),
        ("en", "son"),
        ("ek", "olarak"),
        ("ya", "da"),
        ("bundan", "sonra"),
        ("ondan", "sonra"),
        ("bunun", "ardindan"),
        ("bunun", "sonrasinda"),
    }


def _connector(tokens: list[Token], j: int) -> tuple[int, bool]:
    """Skip joining words from ``j``; returns (next index, saw a sequence marker)."""
    n = len(tokens)
    seq = False
    marker_seen = False
    while j < n:
        tok = tokens[j]
        f = tok.fold
        nxt = tokens[j + 1].fold if j + 1 < n else ""
        if tok.kind == "punct" and tok.text in ",;":
            j += 1
        elif f in _SEQ_WORDS:
            seq = marker_seen = True
            j += 1
        elif f in ("ve", "veya", "ayrica"):
            marker_seen = True
            j += 1
        elif (f, nxt) in (("daha", "sonra"), ("son", "olarak"), ("en", "son")):
            seq = marker_seen = True
            j += 2
        elif (f, nxt) in (("ek", "olarak"), ("ya", "da")):
            marker_seen = True
            j += 2
        elif f in ("bundan", "ondan", "bunun") and nxt in ("sonra", "ardindan", "sonrasinda"):
            seq = marker_seen = True
            j += 2
        elif (f in ("da", "de") and marker_seen) or f in _LEAD:
            j += 1
        else:
            break
    return j, seq


def _reduplicated(tokens: list[Token], k: int, key: str) -> bool:
    """``çalışıp çalışmadığını``: a yes/no nominal, not two actions."""
    if k + 1 >= len(tokens):
        return False
    stem = fold(key.split()[-1])
    base = stem[:-1] if stem.endswith(("t",)) and len(stem) <= 3 else stem
    return tokens[k + 1].fold.startswith(base) and tokens[k + 1].fold[len(base) :][:1] == "m"


def _converb_ok(tokens: list[Token], k: int, info: VerbInfo) -> bool:
    stem = info.key.split()[-1]
    if stem in tr.NON_ACTION_CONVERBS or _reduplicated(tokens, k, info.key):
        return False
    if info.first == k and stem in tr.LIGHT_VERBS and info.form == "arak":
        return False
    return k + 1 < len(tokens) and tokens[k + 1].kind != "punct"


def main_verb_tr(tokens: list[Token], seg: Segment, infos: list[VerbInfo | None]) -> None:
    """The last verb of the segment is its main verb (Turkish is verb-final)."""
    for k in range(seg.last, seg.first - 1, -1):
        info = infos[k]
        if info is None or info.first < seg.first:
            continue
        seg.verb = k
        seg.verb_first = info.first
        seg.verb_key = info.key
        seg.type = info.type
        seg.confidence = 0.75 if info.folded_only else 0.9
        if k != seg.last and not seg.converb:
            seg.confidence -= 0.15
        seg.verb_only = info.first == seg.first and k == seg.last
        return
    seg.question = any(
        t.text == "?" or t.fold in _QUESTION for t in tokens[seg.first : seg.last + 2]
    )
    seg.type, seg.confidence = "search", 0.6 if seg.question else 0.4


def split_tr(tokens: list[Token]) -> tuple[list[Segment], list[VerbInfo | None]]:
    """Segments of a Turkish command, and the verb found at each token."""
    infos = verb_infos(tokens)
    n = len(tokens)
    segs: list[Segment] = []
    k = 0
    while k < n and (tokens[k].fold in _LEAD or tokens[k].kind == "punct"):
        k += 1
    if k + 1 < n and (tokens[k].fold, tokens[k + 1].fold) in (("ilk", "olarak"), ("ilk", "once")):
        k += 2
    start, marker = k, None

    def close(end: int, converb: bool) -> None:
        first, last = trim(tokens, start, end, _LEAD, _TAIL)
        if first <= last:
            seg = Segment(first, last, marker, converb=converb)
            main_verb_tr(tokens, seg, infos)
            segs.append(seg)

    while k < n:
        tok = tokens[k]
        info = infos[k]
        if tok.kind == "punct" and is_sentence_end(tokens, k):
            j, seq = _connector(tokens, k + 1)
            if j < n:
                close(k - 1, False)
                start, marker = j, ("seq" if seq else "add" if j > k + 1 else "sentence")
                k = j
                continue
            break
        if info is not None and info.first >= start:
            if (info.form in ("ip", "arak", "ince") and _converb_ok(tokens, k, info)) or (
                info.form == "dik" and k + 1 < n and tokens[k + 1].fold == "sonra"
            ):
                j, _ = _connector(tokens, k + 1)
                if j < n:
                    close(k, True)
                    start, marker = j, "seq"
                    k = j
                    continue
            elif info.form in ("imp", "polite") and _is_delimiter(tokens, k + 1):
                j, seq = _connector(tokens, k + 1)
                if j < n and j > k + 1:
                    close(k, False)
                    start, marker = j, ("seq" if seq else "add")
                    k = j
                    continue
        k += 1
    close(n - 1, False)
    return segs, infos
