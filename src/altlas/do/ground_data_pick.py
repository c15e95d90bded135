"""Steps that pick rows and columns: the superlatives that name their own column ("the
cheapest", "en yeni 3"), select, drop, distinct values, dedupe, and the counting answer."""

from __future__ import annotations

from altlas.do import ground_data_lexicon as W
from altlas.do.ground_data_columns import Mention, column_of, is_stopword
from altlas.do.ground_data_parse import Parse

__all__ = [
    "find_count",
    "find_dedupe",
    "find_distinct_of",
    "find_drop",
    "find_listing",
    "find_ranked",
    "find_select",
    "leftover_words",
    "unread_quantities",
]


def find_select(p: Parse) -> None:
    nouns = W.COLUMN_WORDS
    best: list[Mention] = []
    for m in p.free_mentions():
        chain = [m]
        while (
            p.at(chain[-1].end, W.JOINERS)
            and (nxt := p.mention_at(chain[-1].end + 1))
            and p.free(nxt)
        ):
            chain.append(nxt)
        if len(chain) > len(best):
            best = chain
    if not best:
        return
    start, end = best[0].start, best[-1].end
    noun = p.at(end, nouns) or any(p.at(k, nouns) for k in range(max(0, start - 2), start))
    cue = any(p.at(k, W.SELECT_CUES) for k in range(max(0, start - 3), start)) or p.has(("select",))
    # "write their names to X", "isimlerini X dosyasına yaz": the columns a save writes
    written = any(p.at(k, W.WRITE_VERBS) for k in range(max(0, start - 3), start)) or (
        end < len(p.toks) and p.toks[end].kind == "file"
    )
    if not (noun or written or (cue and len(best) >= 2)):
        return
    p.select = [p.use(m) for m in best]
    p.note(f"select {', '.join(p.select)}", start, end + (p.at(end, nouns) or 0))


def find_dedupe(p: Parse) -> None:
    hit = p.free_hit(W.DEDUPE)
    if hit is None:
        return
    i, n = hit
    m = p.mention_after(i + n, gap=0) or p.mention_before(i, gap=0)
    p.distinct = True
    p.take(i, i + n)
    if m is not None:
        p.distinct_on = [p.use(m)]
        p.note(f"distinct rows by {m.column}", min(i, m.start), max(i + n, m.end))
    else:
        p.note("distinct rows", i, i + n)


def find_count(p: Parse, lang: str) -> None:
    if p.group is not None or p.answer is not None:
        return
    phrases = W.COUNT if lang == "tr" else tuple(c for c in W.COUNT if c != "say")
    hit = p.free_hit(phrases)
    if hit is not None and p.fold(hit[0]) == "sayisi":
        before = p.mention_ending(hit[0])
        if before is not None and before.column in p.facts.numeric:
            return  # "sayfa sayısı" is the pages column
    if hit is not None:
        p.answer = "count"
        p.produces = "value"
        p.take(hit[0], hit[0] + hit[1])
        p.note("count rows", hit[0], hit[0] + hit[1])


def _ranked_column(p: Parse, role: str) -> str | None:
    if role == "@date":
        dated = [c for c in p.facts.columns if c in p.facts.temporal]
        return dated[0] if len(dated) == 1 else None
    return column_of([role], p.facts.columns)


def find_ranked(p: Parse) -> None:
    """ "the 2 most recent", "the cheapest", "en pahalı", "en yeni 3": a superlative that
    names its own column (the date, the price)."""
    for phrase, (role, desc) in sorted(W.RANKED_BY.items(), key=lambda kv: -len(kv[0])):
        hit = p.free_hit((phrase,))
        if hit is None:
            continue
        i, n = hit
        before = [k for k in range(max(0, i - 2), i) if p.toks[k].kind == "num"]
        after = [k for k in range(i + n, min(len(p.toks), i + n + 2)) if p.toks[k].kind == "num"]
        spots = before or after
        spot = spots[0] if spots else None
        if spot is None and (p.has(W.SORT_VERBS) or p.fold(i + n) in ("first", "to", "once")):
            return  # "sort … newest first" is an order, not a pick
        column = _ranked_column(p, role)
        number = p.toks[spot].number if spot is not None else 1.0
        if column is None or number is None or not number.is_integer():
            return
        p.sorts = [{"column": column, "desc": desc}]
        p.limit = int(number)
        start, end = min(i, spot if spot is not None else i), max(i + n, (spot or 0) + 1)
        p.take(start, end)
        p.note(f"{'top' if desc else 'bottom'} {p.limit} by {column}", start, end)
        return


def find_distinct_of(p: Parse) -> None:
    """ "the unique cities", "farklı yazarlar": the distinct values of one column."""
    hit = p.free_hit(W.DISTINCT_OF)
    if hit is None:
        return
    m = p.mention_after(hit[0] + hit[1], gap=0)
    if m is None:
        return
    p.select = [p.use(m)]
    p.distinct = True
    p.take(hit[0], hit[0] + hit[1])
    p.note(f"distinct {m.column}", hit[0], m.end)


def find_drop(p: Parse) -> None:
    """ "drop the email column", "yazar sütununu çıkar": every column but the named ones."""
    verb = p.free_hit(W.DROP)
    if verb is None:
        return
    named: list[Mention] = []
    m = p.mention_after(verb[0] + verb[1], gap=1)
    while m is not None:
        named.append(m)
        m = p.mention_after(m.end + 1, gap=0) if p.at(m.end, W.JOINERS) else None
    if not named:
        named = [m for m in p.free_mentions() if p.at(m.end, W.COLUMN_WORDS)]
    if not named:
        return
    dropped = {p.use(m) for m in named}
    p.select = [c for c in p.facts.columns if c not in dropped]
    lo, hi = min(verb[0], named[0].start), max(verb[0] + verb[1], named[-1].end)
    p.note(f"drop {', '.join(sorted(dropped))}", lo, hi)


def find_listing(p: Parse) -> None:
    """ "List the teams", "departmanları listele": the distinct values of the one column
    named with a show verb and nothing else to do."""
    if p.steps() or p.answer is not None or p.free_hit(W.SHOW) is None:
        return
    free = p.free_mentions()
    if len(free) == 1 and free[0].column not in p.facts.numeric:
        p.select = [p.use(free[0])]
        p.distinct = True
        p.note(f"the distinct values of {free[0].column}", free[0].start, free[0].end)


def leftover_words(p: Parse) -> list[str]:
    """Words no rule used that say more than "show the table" (a plain show must not answer
    a question it did not understand)."""
    left = []
    for k, tok in enumerate(p.toks):
        if k in p.used or tok.kind not in ("word", "quote", "num"):
            continue
        word = tok.fold
        if is_stopword(word) or p.at(k, W.SHOW) or p.at(k, W.TABLE_WORDS):
            continue
        left.append(tok.text)
    return left


_EXCLUSIONS = ("except", "excluding", "exclude", "besides", "haric", "disinda")


def unread_quantities(p: Parse) -> list[str]:
    """Numbers no rule read ("under 50 euros" with no price column found), and a word that
    leaves rows out ("except the first one") when no filter leaves anything out: a query
    run without them would do less than was asked, so the segment must fail instead."""
    excluded = p.negate or any("!=" in f or f.startswith("not") for f in p.filters)
    return [
        tok.text
        for k, tok in enumerate(p.toks)
        if k not in p.used
        and (
            tok.kind == "num"
            or (tok.kind == "word" and tok.fold.startswith(_EXCLUSIONS) and not excluded)
        )
    ]
