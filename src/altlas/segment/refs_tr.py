"""Turkish references: pronouns, owner-less possessives, participles, demonstratives, output
nouns by stem, and elided objects."""

from __future__ import annotations

import re
from functools import lru_cache

from altlas.segment import lexicon_tr as tr
from altlas.segment.refs import Ref
from altlas.segment.segments import Segment
from altlas.segment.text import Token, fold, words

__all__ = ["tr_content", "tr_elided", "tr_references", "tr_stem"]

# Suffix slots from the end of a noun: case, then possessive, then plural.
_TR_CASES = sorted(
    words(
        """ndaki ndeki daki deki taki teki ndan nden dan den tan ten nda nde da de ta te nin nun in
un yla yle la le ya ye na ne ni nu yi yu a e i u""",
    ),
    key=len,
    reverse=True,
)
_TR_POSS = ("lari", "leri", "si", "su", "i", "u")
_TR_PRONOUNS = frozenset(
    words(
        """bunu bunlari buna bunun bununla bunlarla bunlardan bunlara bunlarin bunlardaki bundan
bunlar onu onlari ona onun onunla onlarla ondan onlardan onlara onlar onlarin sunu
sunlari hepsini hepsi hepsine hepsinden hepsinin tumunu tumune oradan orada oraya
oradaki icinde icindeki icine icinden icindekileri icindekiler""",
    ),
)
_TR_STOP = (
    "ekip",
    "ekib",
    "takim",
    "kanal",
    "grup",
    "grub",
    "takvim",
    "kisi",
    "insan",
    "kullanici",
    "herkes",
    "mudur",
    "patron",
    "yonetici",
    "bilgisayar",
    "masaustu",
)
_TR_TIME = (
    "hafta",
    "ay",
    "yil",
    "gun",
    "sabah",
    "aksam",
    "gece",
    "sene",
    "ogle",
    "saat",
    "donem",
    "ceyrek",
)
_TR_NUMBERS = ("bir", "iki", "uc", "dort", "bes", "alti", "yedi", "sekiz", "dokuz", "on")
_OWNERLESS = re.compile(r"[iu](?:n(?:[iu]|[ae]|d[ae]|d[ae]n|d[ae]ki)|yl[ae])$")
_NOMINAL = re.compile(r"[dt][iu][gk](?:l[ae]r)?[iu]n(?:[iu]|[ae]|d[ae]|d[ae]n)$")
_GENITIVE = re.compile(r"(?:[iu]n|n[iu]n)$")
_POSTPOSITIONS = frozenset(
    fold(w)
    for w in words(
        """göre için ile üzerinden kadar gibi hakkında ait dolayı rağmen boyunca yerine üzerine
ilgili karşı doğru beri halinde şeklinde biçiminde olarak""",
    )
)
_FOLDED_STEMS = frozenset(fold(s) for s in tr.STEM_TYPES)
_NOM_A_E = frozenset(words("dosya liste belge sayfa eposta e-posta fatura kamera tablo"))


_CASE_RE = re.compile(r"^(.{3,}?)(?:" + "|".join(_TR_CASES) + r")$")
_POSS_RE = re.compile(r"^(.{3,}?)(?:lari|leri|si|su|i|u)$")
_PLURAL_RE = re.compile(r"^(.{3,}?)(?:lar|ler)$")


@lru_cache(maxsize=16384)
def tr_stem(word: str) -> str:
    """A crude stem of a folded Turkish noun, marked with ``~`` for prefix matching.

    Strips at most one case ending, one possessive and one plural, from the end inwards.
    """
    w = word.split("'")[0]
    for drop, base in _VOWEL_DROP.items():
        if w == base or (w.startswith(drop) and _DROP_SUFFIX.match(w[len(drop) :])):
            return "~" + base
    if w.endswith(("si", "su")) and len(w) >= 6:
        w = w[:-2]
    else:
        for pattern in (_CASE_RE, _POSS_RE):
            m = pattern.match(w)
            if m is not None:
                w = m.group(1)
    m = _PLURAL_RE.match(w)
    if m is not None:
        w = m.group(1)
    return "~" + w


# nouns that lose their last vowel before a vowel suffix: metin -> metni, isim -> ismi
_VOWEL_DROP = {
    "metn": "metin",
    "ism": "isim",
    "sehr": "sehir",
    "fikr": "fikir",
    "kayb": "kayip",
    "hukm": "hukum",
}
_DROP_SUFFIX = re.compile(r"^[iuae](?:n[iuae]?|nd[ae]n?|m[iu]?|y?l[ae])?$")


def _indefinite(tokens: list[Token], seg: Segment, k: int) -> bool:
    """Whether ``bir`` opens the noun phrase that ends at ``k`` ("bir yanıt taslağı")."""
    j = k - 1
    while j >= seg.first and j >= k - 3:
        f = tokens[j].fold
        if f == "bir":
            return True
        if tokens[j].kind != "word" or (tr_stem(f) != "~" + f and f not in tr.ADJECTIVES):
            return False
        j -= 1
    return False


def _proper(tok: Token, seg: Segment, k: int) -> bool:
    return (
        "'" in tok.text
        or "’" in tok.text
        or (tok.upper and k != seg.first and not tok.text.isupper())
    )


def _named_modifier(tok: Token) -> bool:
    return tok.kind == "quote" or (tok.kind == "word" and tok.upper and "'" not in tok.text)


def _verb_span(seg: Segment, k: int) -> bool:
    return seg.verb is not None and seg.verb_first is not None and seg.verb_first <= k <= seg.verb


def tr_content(tokens: list[Token], seg: Segment) -> list[str]:
    out = []
    for k in range(seg.first, seg.last + 1):
        tok = tokens[k]
        if tok.kind != "word" or _verb_span(seg, k) or tok.fold in tr.FUNCTION_WORDS:
            continue
        if tok.fold[:1].isdigit():
            continue
        stem = tr_stem(tok.fold)
        nxt = tokens[k + 1] if k + 1 <= seg.last else None
        modifier = (
            stem == "~" + tok.fold
            and nxt is not None
            and nxt.kind == "word"
            and not _verb_span(seg, k + 1)
        )
        if not modifier:
            out.append(stem)
    return out


_DIK = re.compile(r"[dt][iu][gk]")
_NUMBER_POSS = re.compile(
    r"(?:bir|iki|uc|dort|bes|alti|yedi|sekiz|dokuz|on)s?[iu](?:n[iu]n|n[iu])?"
)
_APOS_GENITIVE = re.compile(r"'(?:n?[iıuü]n)$")
_PARTICIPLE = re.compile(
    r"[dt][iu][gk](?:l[ae]r)?(?:[iu]m[iu]z|[iu]n[iu]z|[iu]m|[iu]n|[iu]|l[ae]r[iu])"
    r"(?:n[iu]|n[ae]|nd[ae]n|[iu]|[ae]|n)?$",
)


def _participle_ref(f: str) -> bool:
    """``bulduklarını``, ``hesapladığın``, ``tutturamadıklarımızı``: what earlier work found.

    The part before ``-DIk`` must be a known verb stem or end in a negation (``-mA``), so nouns
    that happen to contain ``tik`` ("istatistikleri") are not taken for participles.
    """
    for m in _DIK.finditer(f):
        n = m.start()
        if n < 2 or not _PARTICIPLE.match(f[n:]):
            continue
        head = f[:n]
        if head in _FOLDED_STEMS or (len(head) >= 4 and head.endswith(("ma", "me"))):
            return True
    return False


def _owned(tokens: list[Token], seg: Segment, k: int) -> bool:
    """Whether the possessive noun at ``k`` has an owner: a genitive or a compound's first noun.

    Adjectives and quantifiers in between are skipped ("aylık ücretlerini" has no owner).
    """
    j = k - 1
    while j >= seg.first:
        tok = tokens[j]
        f = tok.fold
        if tok.kind == "word" and (f in tr.ADJECTIVES or f.endswith(_ADJ_SUFFIXES)):
            j -= 1
            continue
        # a postposition closes the phrase before it: "zamana göre grafiğini" has no owner
        return f not in _POSTPOSITIONS
    return False


_ADJ_SUFFIXES = ("li", "lu", "siz", "suz", "sal", "sel", "ki")


def tr_references(tokens: list[Token], seg: Segment) -> list[Ref]:
    refs: list[Ref] = []
    last = seg.last
    seen_genitive = False
    for k in range(seg.first, last + 1):
        tok = tokens[k]
        if tok.kind != "word" or _verb_span(seg, k):
            continue
        f = tok.fold
        nxt = tokens[k + 1] if k + 1 <= last else None
        if f in _TR_PRONOUNS:
            refs.append(("prev", ""))
        elif (
            f.startswith("ikisi")
            or (f == "her" and nxt is not None and nxt.fold == "iki")
            or (f == "iki" and k + 2 <= last and tokens[k + 2].fold in ("da", "de"))
        ):
            refs.append(("both", ""))
        elif (
            f.startswith(_TR_NUMBERS)
            and f not in ("bir", "on", "iki")
            and _NUMBER_POSS.fullmatch(f)
        ):
            refs.append(("prev", ""))
        elif f in ("bu", "su", "o") and nxt is not None and nxt.kind == "word":
            nf = nxt.fold
            timed = f != "o" and nf.startswith(_TR_TIME)
            if not timed and nf not in tr.FUNCTION_WORDS and not nf[:1].isdigit():
                refs.append(("demonstrative", tr_stem(nf)))
        elif (
            f == "yeni"
            and nxt is not None
            and _tr_case(nxt) == "acc"
            and not _verb_span(seg, k + 1)
        ) or ("'" not in tok.text and _participle_ref(f)):
            refs.append(("prev", ""))
        elif "'" not in tok.text and _NOMINAL.search(f):
            if not seen_genitive:
                refs.append(("prev", ""))
        elif (
            "'" not in tok.text
            and len(f) >= 5
            and _OWNERLESS.search(f)
            and not _owned(tokens, seg, k)
        ):
            refs.append(("prev", ""))
        if (
            "'" not in tok.text and _GENITIVE.search(f) and f not in tr.FUNCTION_WORDS
        ) or _APOS_GENITIVE.search(tok.low):
            seen_genitive = True
        noun = _noun_ref(tokens, seg, k)
        if noun is not None:
            refs.append(noun)
    return refs


def _noun_ref(tokens: list[Token], seg: Segment, k: int) -> Ref | None:
    """A definite noun that may name an earlier output or mention."""
    tok = tokens[k]
    f = tok.fold
    if (
        f in tr.FUNCTION_WORDS
        or _proper(tok, seg, k)
        or f[:1].isdigit()
        or _indefinite(tokens, seg, k)
        # "Disney+ aboneliğimi" after "Netflix aboneliğimi" is another thing of that kind
        or (k > seg.first and _named_modifier(tokens[k - 1]))
    ):
        return None
    stem = tr_stem(f)
    if stem != "~" + f and not stem[1:].startswith(_TR_STOP):
        return ("noun", stem)
    return None


def _tr_case(tok: Token) -> str:
    low = tok.fold
    if "'" in low:
        suffix = low.split("'", 1)[1]
        if not suffix:
            return "nom"
        low = "x" + suffix
    if low in _NOM_A_E:
        return "nom"
    if _ABL.search(low):
        return "abl"
    if _LOC.search(low):
        return "loc"
    if _INS.search(low) and len(low) > 3:
        return "ins"
    if _GEN.search(low):
        return "gen"
    if _DAT.search(low):
        return "dat"
    return "acc" if low[-1:] in "iu" else "nom"


_ABL = re.compile(r"[dt][ae]n$")
_LOC = re.compile(r"[dt][ae](?:ki)?$")
_INS = re.compile(r"y?l[ae]$")
_GEN = re.compile(r"(?:n[iu]n|[^aeiou][iu]n)$")
_DAT = re.compile(r"(?:y[ae]|n[ae]|[^aeiou][ae])$")
_NO_ELISION_LIGHT = frozenset(words("yap ver al at cikar dok koy"))


def tr_elided(tokens: list[Token], seg: Segment) -> bool:
    """A transitive verb with no object in its segment: "PDF'e dönüştür", "Ali'ye gönder"."""
    if seg.verb is None or seg.verb_first is None:
        return False
    parts = seg.verb_key.split()
    stem = parts[-1]
    if stem in tr.INTRANSITIVE and len(parts) == 1:
        return False
    if len(parts) == 2 and fold(stem) in _NO_ELISION_LIGHT:
        return False
    if fold(stem) in ("ver", "ol", "at"):
        return False
    for k in range(seg.first, seg.verb_first):
        tok = tokens[k]
        if tok.kind in ("quote", "url"):
            return False
        if tok.kind != "word":
            continue
        f = tok.fold
        if f in _TR_PRONOUNS or f[:1].isdigit():
            return False
        if f == "bir":
            # "bir grafik" is an indefinite object, "bir dosyada" only a place
            nxt_word = tokens[k + 1] if k + 1 < seg.verb_first else None
            # "bir tablo halinde" is a manner, not an object
            manner = k + 2 < seg.verb_first and tokens[k + 2].fold in _POSTPOSITIONS
            if nxt_word is None or (_tr_case(nxt_word) in ("nom", "acc") and not manner):
                return False
            continue
        if f in tr.FUNCTION_WORDS or f in _POSTPOSITIONS or f in tr.ADJECTIVES:
            continue
        nxt = tokens[k + 1]
        if k + 1 < seg.verb_first and nxt.fold in _POSTPOSITIONS:
            continue
        case = _tr_case(tok)
        if case == "nom" and k + 1 == seg.verb_first:
            return False
        if case == "acc" and not (k + 1 < seg.verb_first and _POSSESSED.search(nxt.fold)):
            return False
    return True


_POSSESSED = re.compile(r"(?:[iu]m|s?[iu]n)(?:[ae]|d[ae]n?|[iu])$")
