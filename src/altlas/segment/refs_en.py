"""English references: pronouns, definite output nouns, demonstratives, elided objects."""

from __future__ import annotations

import re
from functools import lru_cache

from altlas.segment import lexicon_en as en
from altlas.segment.refs import Ref
from altlas.segment.segments import Segment
from altlas.segment.text import Token, words

__all__ = [
    "en_content",
    "en_elided",
    "en_head_nouns",
    "en_lemma",
    "en_old_heads",
    "en_references",
]

_EN_STOP = frozenset(
    words(
        """team channel calendar inbox web internet office company department user users customer
customers people everyone world me you week month year day time morning afternoon
evening night today tomorrow way thing things lot kind type part end start top bottom
side folder directory desktop drive cloud""",
    ),
)
_TIME_NOUNS = frozenset(
    words(
        """week month year day morning afternoon evening night time weekend quarter season friday
monday tuesday wednesday thursday saturday sunday hour minute""",
    ),
)
_SUPERLATIVE = re.compile(r"^(?:top|first|last|best|worst|\w\w+est|most|least)$")
_OUTPUT_ADJ = frozenset(
    words(
        """new resulting final clean cleaned converted updated edited translated merged compressed
sorted filtered fixed revised resized cropped generated exported finished completed
combined corrected rewritten shortened""",
    ),
)
_PREPS = en.PREPOSITIONS | {"and", "or", "that", "which", "who", "whose", "where", "when"}
_STANDALONE_AFTER = frozenset(".,;:!?")


@lru_cache(maxsize=16384)
def en_lemma(word: str) -> str:
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and w.endswith(("ches", "shes", "sses", "xes")):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def _en_skip(tok: Token) -> bool:
    low = tok.low
    return (
        tok.kind != "word"
        or low in en.FUNCTION_WORDS
        or low in en.DETERMINERS
        or low in en.PRONOUNS
        or low in en.PREPOSITIONS
        or low[:1].isdigit()
    )


def en_content(tokens: list[Token], seg: Segment) -> list[str]:
    """Lemmas of the content words of a segment (its verb excluded)."""
    out = []
    for k in range(seg.first, seg.last + 1):
        if seg.verb is not None and seg.verb_first is not None and seg.verb_first <= k <= seg.verb:
            continue
        tok = tokens[k]
        if tok.kind == "word" and not _en_skip(tok):
            out.append(en_lemma(tok.low))
        elif tok.kind == "quote":
            out.append(tok.low.strip('"“”«»`'))
    return out


def _next_word(tokens: list[Token], k: int, last: int) -> Token | None:
    return tokens[k + 1] if k + 1 <= last else None


_OLD_ADJ = frozenset(words("old older previous current existing outdated former"))


def _np_span(tokens: list[Token], j: int, last: int) -> tuple[Token | None, int]:
    """The last word of the noun phrase starting at ``j`` (None if there is none), and the
    index just after the phrase."""
    head = None
    while j <= last:
        tok = tokens[j]
        if tok.kind != "word" or tok.low in _PREPS or tok.low in en.PRONOUNS:
            break
        head = tok
        j += 1
    return head, j


def _np_head(tokens: list[Token], j: int, last: int) -> str | None:
    """The lemma of the last word of the noun phrase starting at ``j``."""
    head = _np_span(tokens, j, last)[0]
    return en_lemma(head.low) if head is not None else None


def en_old_heads(tokens: list[Token], seg: Segment) -> set[str]:
    """Heads of "old/previous … X" phrases: a later "the new X" is another thing, not X."""
    out: set[str] = set()
    for k in range(seg.first, seg.last + 1):
        if tokens[k].low in _OLD_ADJ:
            head = _np_head(tokens, k + 1, seg.last)
            if head is not None:
                out.add(head)
    return out


def _contrasted(tokens: list[Token], k: int, last: int, contrast: frozenset[str]) -> bool:
    """ "the new driver" after "the old printer driver": a contrast, not a reference."""
    return (
        k <= last
        and tokens[k].low == "new"
        and bool(contrast)
        and _np_head(tokens, k + 1, last) in contrast
    )


def en_references(
    tokens: list[Token], seg: Segment, contrast: frozenset[str] = frozenset()
) -> list[Ref]:
    refs: list[Ref] = []
    last = seg.last
    words = [t.low for t in tokens[seg.first : last + 1]]
    for k in range(seg.first, last + 1):
        tok = tokens[k]
        low = tok.low
        nxt = _next_word(tokens, k, last)
        nl = nxt.low if nxt is not None else ""
        if low in ("it", "them", "its", "their", "they", "itself", "themselves", "theirs"):
            refs.append(("prev", ""))
        elif low == "both":
            if "and" not in words[k - seg.first + 1 :]:
                refs.append(("both", ""))
        elif low == "each" and (nxt is None or nl in ("of", "one") or nl in en.PREPOSITIONS):
            refs.append(("prev", ""))
        elif (
            low in ("one", "ones")
            and k > seg.first
            and not _is_number(tokens[k - 1])
            # "the Disney+ one": a contrast with a named thing, not a pointer back
            and not (tokens[k - 1].upper or not tokens[k - 1].text.isalpha())
        ):
            # a pronoun "one" ends its noun phrase ("the best one", "a new one for Monday");
            # a numeral is followed by its noun ("one file")
            if (
                nxt is None
                or nxt.kind == "punct"
                or (nl in _PREPS and nl != "of")
                or nl in ("we", "you", "i", "they")
            ):
                refs.append(("prev", ""))
        elif low in ("this", "that", "these", "those") and k > seg.first:
            if nxt is None or (nxt.kind == "punct" and nxt.text in _STANDALONE_AFTER):
                refs.append(("prev", ""))
            elif (
                nxt.kind == "word"
                and nl not in _TIME_NOUNS
                and not _en_skip(nxt)
                and nl not in en.VERBS
            ):
                refs.append(("demonstrative", en_lemma(nl)))
        elif low in ("find", "found", "finds", "mention", "reveals", "shows") and k > seg.first:
            if tokens[k - 1].low in ("you", "it", "they", "we"):
                refs.append(("prev", ""))
        elif (low == "the" and nxt is not None and _selection(tokens, k + 1, last)) or (
            low in ("the", "your")
            and nxt is not None
            and nl in _OUTPUT_ADJ
            and not _contrasted(tokens, k + 1, last, contrast)
        ):
            refs.append(("prev", ""))
    return refs


def _is_number(tok: Token) -> bool:
    return tok.text[:1].isdigit() or tok.low in _NUMBER_WORDS


_NUMBER_WORDS = frozenset(words("two three four five six seven eight nine ten few"))


def _selection(tokens: list[Token], k: int, last: int) -> bool:
    """ "the top three", "the three cheapest", "the best" (alone): a pick from earlier results."""
    a = tokens[k]
    b = tokens[k + 1] if k + 1 <= last else None
    if _is_number(a):
        return b is not None and bool(_SUPERLATIVE.match(b.low))
    if not _SUPERLATIVE.match(a.low):
        return False
    if b is None or b.kind == "punct" or b.low in _PREPS:
        return True
    return _is_number(b)


def en_head_nouns(
    tokens: list[Token], seg: Segment, contrast: frozenset[str] = frozenset()
) -> list[str]:
    """Heads of definite noun phrases ("the new file" -> file) that may name an earlier output."""
    heads: list[str] = []
    last = seg.last
    k = seg.first
    while k <= last:
        if tokens[k].low not in ("the", "your"):
            k += 1
            continue
        head, j = _np_span(tokens, k + 1, last)
        if head is not None and not _contrasted(tokens, k + 1, last, contrast):
            lemma = en_lemma(head.low)
            # a capitalised head mid-sentence is a name ("the Berlin office" ends in office,
            # "the Redis" would be a name); acronyms such as CSV are not names
            proper = head.upper and head is not tokens[seg.first] and not head.text.isupper()
            if lemma not in _EN_STOP and not proper and not _SUPERLATIVE.match(lemma):
                heads.append(lemma)
        k = j
    return heads


_EN_INTRANSITIVE = frozenset(words("go look log sign wait search check ask apply respond reply"))
_ELIDE_PREPS = frozenset(words("to into in as with via by on from onto"))


def en_elided(tokens: list[Token], seg: Segment) -> bool:
    """The verb has no object: "summarize", "send to Ali", "translate into French"."""
    if seg.verb is None or seg.verb_key.split()[0] in _EN_INTRANSITIVE:
        return False
    k = seg.verb + 1
    while k <= seg.last and (
        tokens[k].low.endswith("ly") or tokens[k].low in ("now", "again", "too", "also")
    ):
        k += 1
    if k > seg.last:
        return not seg.verb_only
    return tokens[k].low in _ELIDE_PREPS
