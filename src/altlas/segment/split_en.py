"""English: split a command into actions and find each action's main verb.

An English command is a chain of imperatives. A joining word (``and``, ``then``, a comma ...)
starts a new segment only when an imperative verb follows it and the segment so far already has
its own verb; so "compare sales and costs" stays whole. Inside the content of a reminder or an
artifact ("remind me to buy milk and call the plumber", "a tool that can rename photos and sort
them") a plain ``and`` does not split; ``then``, ``also``, ``as well as`` and sentence ends do.
"""

from __future__ import annotations

from altlas.segment import lexicon_en as en
from altlas.segment.segments import Segment, trim
from altlas.segment.text import Token, is_sentence_end, words

__all__ = ["main_verb_en", "split_en"]

_SEQ = frozenset(words("then afterwards afterward finally next later subsequently lastly"))
_ADD = frozenset(words("and also plus or additionally"))
_STRONG = frozenset(words("then afterwards afterward finally next later also subsequently lastly"))
_LEAD = frozenset(words("please kindly first firstly"))
_TAIL = frozenset(["please"])
_MODALS = frozenset(words("can could will would should must may might"))
_EMBEDDERS = frozenset(words("remind ask tell help set add schedule plan book"))
_OBJECT_PRONOUNS = frozenset(words("it them him her me us"))
_CLAUSE_OPENERS = frozenset(words("whether if how what when where which who why that"))
_NOT_NOUN_AFTER = en.DETERMINERS | en.PRONOUNS | en.PARTICLES | (en.PREPOSITIONS - {"of"})


def _connector(tokens: list[Token], k: int) -> tuple[int, bool, bool]:
    """Skip joining words from ``k``: (next index, saw a sequence word, saw a strong one)."""
    n = len(tokens)
    seq = strong = False
    j = k
    while j < n:
        tok = tokens[j]
        low = tok.low
        if tok.kind == "punct" and tok.text in ",;":
            j += 1
        elif low in _SEQ or low in _ADD:
            seq = seq or low in _SEQ
            strong = strong or low in _STRONG
            j += 1
        elif low == "after" and j + 1 < n and tokens[j + 1].low == "that":
            seq = strong = True
            j += 2
        elif (
            low == "as" and j + 2 < n and tokens[j + 1].low == "well" and tokens[j + 2].low == "as"
        ):
            strong = True
            j += 3
        elif low in ("please", "kindly") and j > k:
            j += 1
        else:
            break
    return j, seq, strong


def _is_connector(tok: Token) -> bool:
    if tok.kind == "punct":
        return tok.text in ",;"
    return tok.low in _SEQ or tok.low in _ADD or tok.low in ("after", "as")


def is_action_start(tokens: list[Token], j: int) -> bool:
    """Whether token ``j`` opens an imperative clause."""
    tok = tokens[j]
    if tok.kind != "word":
        return False
    low = tok.low
    if _phrasal_at(tokens, j, len(tokens) - 1) is not None:
        return True
    if low not in en.VERBS or low in en.PARTICLE_ONLY:
        # an unknown word with a pronoun object is a verb too ("and frame it")
        after = tokens[j + 1].low if j + 1 < len(tokens) else ""
        return after in _OBJECT_PRONOUNS and tok.text.islower() and _base_form(low)
    if low not in en.AMBIGUOUS:
        return True
    if j + 1 >= len(tokens):
        return True
    nxt = tokens[j + 1]
    if nxt.kind != "word":
        return nxt.kind in ("quote", "url") or nxt.text not in ("-", "/", "'")
    nl = nxt.low
    if (low, nl) in en.PHRASAL or nl in _NOT_NOUN_AFTER or nl in _CLAUSE_OPENERS:
        return True
    if nl.endswith(("'s", "’s")):
        return True
    return nxt.text[:1].isdigit() or nxt.upper


def _skip_lead(tokens: list[Token], k: int, last: int) -> int:
    """Index of the first token that can be the verb (after please, can you, just ...)."""
    while k <= last:
        tok = tokens[k]
        low = tok.low
        if tok.kind == "punct" or (
            low in en.LEAD_SKIP and not (low in en.VERBS and is_action_start(tokens, k))
        ):
            k += 1
        elif (low in ("i", "we") and k + 1 <= last and tokens[k + 1].low in ("want", "need")) or (
            low in ("want", "need", "like") and k + 1 <= last and tokens[k + 1].low == "to"
        ):
            k += 2
        elif low == "to" and k > 0:
            k += 1
        elif low in ("help", "let") and k + 1 <= last and tokens[k + 1].low in ("me", "us"):
            k += 2
        elif low == "go" and k + 1 <= last and tokens[k + 1].low == "ahead":
            k += 3 if k + 2 <= last and tokens[k + 2].low == "and" else 2
        else:
            break
    return k


def _phrasal_at(tokens: list[Token], k: int, last: int) -> int | None:
    """Index of the particle of a phrasal verb at ``k``: "back up", or "shut it down"."""
    low = tokens[k].low
    if k + 1 <= last and (low, tokens[k + 1].low) in en.PHRASAL:
        return k + 1
    if (
        k + 2 <= last
        and tokens[k + 1].low in _OBJECT_PRONOUNS
        and (low, tokens[k + 2].low) in en.PHRASAL
    ):
        return k + 2
    return None


_NOT_VERBS = (
    en.DETERMINERS
    | en.PREPOSITIONS
    | en.QUESTION_WORDS
    | en.PRONOUNS
    | en.LEAD_SKIP
    | frozenset(
        words(
            """tomorrow today tonight yesterday now later soon monday tuesday wednesday thursday
            friday saturday sunday every i we if when once after before"""
        )
    )
)


def _imperative_position(tok: Token) -> bool:
    return tok.text.isalpha() and tok.low not in _NOT_VERBS and not tok.text.isupper()


def _base_form(low: str) -> bool:
    """Could be an imperative: not "sorts", "renamed" or "sorting" (those are other forms)."""
    if not low.isalpha() or low.endswith(("ing", "ed")):
        return False
    return not (
        low.endswith("s")
        and (low[:-1] in en.VERBS or low[:-2] in en.VERBS or not low.endswith("ss"))
    )


def _unknown_verb(tokens: list[Token], k: int, last: int) -> bool:
    """An unlisted word in verb position with a pronoun object ("Frame it on the wall")."""
    tok = tokens[k]
    return (
        tok.kind == "word"
        and _base_form(tok.low)
        and k + 1 <= last
        and tokens[k + 1].low in _OBJECT_PRONOUNS
        and tok.low not in en.FUNCTION_WORDS
        and tok.low not in en.QUESTION_WORDS
    )


def _verb_at(tokens: list[Token], k: int, last: int) -> bool:
    if _phrasal_at(tokens, k, last) is not None:
        return True
    low = tokens[k].low
    return low in en.VERBS and low not in en.PARTICLE_ONLY


def main_verb_en(tokens: list[Token], seg: Segment) -> None:
    """Set the segment's main verb (index, lemma and base type) and whether it is a question."""
    first, last = seg.first, seg.last
    k = _skip_lead(tokens, first, last)
    if k > last:
        return
    tok = tokens[k]
    if tok.low in en.QUESTION_WORDS and tok.low not in en.VERBS:
        seg.question = True
        seg.type, seg.confidence = "search", 0.6
        return
    found = k if _verb_at(tokens, k, last) else None
    if found is None:
        # "Tomorrow at 9, remind me ...": a verb after an opening adverbial
        for j in range(k + 1, last + 1):
            if _verb_at(tokens, j, last) and tokens[j - 1].kind == "punct":
                found = j
                break
    if found is None and _unknown_verb(tokens, k, last):
        seg.verb = seg.verb_first = k
        seg.verb_key = tok.low
        seg.type, seg.confidence = "execute", 0.5
        return
    if found is None:
        seg.question = tokens[last].text == "?" or any(
            t.text == "?" for t in tokens[last + 1 : last + 2]
        )
        seg.type, seg.confidence = "search", 0.6 if seg.question else 0.4
        return
    low = tokens[found].low
    seg.verb = seg.verb_first = found
    seg.verb_key = low
    seg.type = en.VERBS.get(low, "execute")
    seg.confidence = 0.9 if found == k else 0.7
    particle = _phrasal_at(tokens, found, last)
    if particle is not None:
        seg.verb_key = f"{low} {tokens[particle].low}"
        seg.type = en.PHRASAL[(low, tokens[particle].low)]
        if particle == found + 1:
            seg.verb = particle
    seg.verb_only = seg.verb == last


def _embeds(tokens: list[Token], k: int, last: int) -> bool:
    """Whether token ``k`` opens an infinitive or relative clause ("to rename", "that can sort")."""
    low = tokens[k].low
    if k + 1 > last:
        return False
    nxt = tokens[k + 1]
    if low == "to":
        if nxt.low in en.VERBS:
            return True
        return (
            nxt.kind == "word"
            and nxt.text.islower()
            and nxt.low not in en.DETERMINERS
            and nxt.low not in en.PRONOUNS
            and k + 2 <= last
            and (tokens[k + 2].low in en.DETERMINERS or tokens[k + 2].low in en.PRONOUNS)
        )
    if low in ("that", "which", "who"):
        return nxt.low in _MODALS or (nxt.low == "to" and k + 2 <= last)
    return False


def split_en(tokens: list[Token]) -> list[Segment]:
    """Segments of an English command, in order, without joining words or edge punctuation."""
    n = len(tokens)
    segs: list[Segment] = []
    k = 0
    while k < n and (tokens[k].fold in _LEAD or tokens[k].kind == "punct"):
        k += 1
    start, marker = k, None
    has_verb = False
    embedded = False
    embedder = False

    def close(end: int) -> None:
        first, last = trim(tokens, start, end, _LEAD, _TAIL)
        if first <= last:
            seg = Segment(first, last, marker)
            main_verb_en(tokens, seg)
            segs.append(seg)

    while k < n:
        tok = tokens[k]
        if tok.kind == "punct" and is_sentence_end(tokens, k):
            j, seq, _ = _connector(tokens, k + 1)
            while j < n and tokens[j].fold in _LEAD:
                j += 1
            if j < n:
                close(k - 1)
                start, marker = j, ("seq" if seq else "add" if j > k + 1 else "sentence")
                has_verb = embedded = False
                k = j
                continue
            break
        if k > start and _is_connector(tok):
            j, seq, strong = _connector(tokens, k)
            if j > k and j < n and has_verb and is_action_start(tokens, j):
                continues_it = j + 1 < n and tokens[j + 1].low in ("it", "them")
                if not embedded or strong or continues_it:
                    close(k - 1)
                    start, marker = j, ("seq" if seq else "add")
                    has_verb = embedded = False
                    k = j
                    continue
        if tok.kind == "word":
            if not has_verb and _verb_at(tokens, k, n - 1):
                has_verb = True
                head = tok.low
                embedder = head in _EMBEDDERS or en.VERBS.get(head) in ("create", "schedule")
            elif not has_verb and k == start and _imperative_position(tok):
                # the first word of an English command is its verb, listed or not ("Grab ...")
                has_verb = True
                embedder = False
            elif has_verb and not embedded and embedder and _embeds(tokens, k, n - 1):
                embedded = True
            elif not has_verb and tok.low in en.QUESTION_WORDS:
                has_verb = False
        k += 1
    close(n - 1)
    return segs
