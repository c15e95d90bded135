"""Sorting ("by units from highest to lowest", "stoğa göre artan", "by team and then by hours",
"newest first") and top/bottom N ("top 3 … by units", "en düşük 3", "the 2 lowest salaries")."""

from __future__ import annotations

from altlas.do import ground_data_lexicon as W
from altlas.do.ground_data_columns import Mention, id_like
from altlas.do.ground_data_parse import Parse
from altlas.do.ground_data_shape import implied_revenue, quantity_column

__all__ = ["find_sort", "find_top"]

_THEN = ("and then by", "and then", "then by", "then", "and by", "and", ",", "ve", "ardindan")
_DATE_WORDS = ("newest", "oldest", "latest", "recent", "yeniden", "eskiden", "yeni", "eski")


def _chain_after(p: Parse, m: Mention) -> list[Mention]:
    keys = [m]
    while True:
        k = keys[-1].end
        k += p.at(k, _THEN)
        k += p.at(k, ("by",))
        nxt = p.mention_at(k) if k > keys[-1].end else None
        if nxt is None or not p.free(nxt):
            return keys
        keys.append(nxt)


def _chain_before(p: Parse, m: Mention) -> list[Mention]:
    keys = [m]
    while keys[0].start > 0:
        k = keys[0].start
        prev = p.mention_ending(k - 1) if p.at(k - 1, ("ve", ",", "and")) else None
        if prev is None or not p.free(prev):
            break
        keys.insert(0, prev)
    return keys


def sort_keys(p: Parse) -> tuple[list[Mention], int | None]:
    """The columns after "by"/before "göre", and the index of a word there that is no column."""
    for i in range(len(p.toks)):
        n = p.at(i, W.BY)
        if n and i not in p.used:
            k = i + n
            while p.fold(k) in ("the", "their", "its"):
                k += 1
            m = p.mention_at(k)
            if m is not None and p.free(m):
                return _chain_after(p, m), None
            if k < len(p.toks) and p.toks[k].kind == "word" and p.at(k, W.DESC + W.ASC) == 0:
                return [], k
    for i in range(len(p.toks)):
        if p.at(i, W.GORE) or p.toks[i].suffix == "gore":
            k = i
            while k > 0 and p.at(k - 1, W.COLUMN_NOUNS) and p.mention_ending(k) is None:
                k -= 1
            m = p.mention_ending(k)
            if m is not None and p.free(m):
                return _chain_before(p, m), None
            if k > 0 and p.toks[k - 1].kind == "word":
                return [], k - 1
    return [], None


def _direction(p: Parse) -> tuple[bool | None, int, int, str]:
    for phrases, desc in ((W.DESC, True), (W.ASC, False)):
        hit = p.has(phrases)
        if hit:
            return desc, hit[0], hit[0] + hit[1], hit[2]
    return None, 0, 0, ""


def _date_column(p: Parse) -> Mention | None:
    dated = [c for c in p.facts.columns if c in p.facts.temporal]
    return Mention(-1, -1, dated[0]) if len(dated) == 1 else None


_NOUN_VERBS = ("order", "ordered", "rank", "ranked")


def _sort_verb(p: Parse) -> tuple[int, int, str] | None:
    """The sort verb, if any; "order"/"rank" only when "by"/"on" or a direction follows (else
    it is the noun: "any order in orders.csv")."""
    hit = p.has(W.SORT_VERBS)
    if hit is None or hit[2] not in _NOUN_VERBS:
        return hit
    after = range(hit[0] + 1, min(len(p.toks), hit[0] + 5))
    if any(p.at(k, W.BY + W.DESC + W.ASC) for k in after):
        return hit
    return None


def find_sort(p: Parse) -> None:
    if p.limit is not None:
        return  # top-N and "which … the most" have sorted already
    verb = _sort_verb(p)
    desc, d0, d1, phrase = _direction(p)
    if verb is None and desc is None:
        return
    keys, unknown = sort_keys(p)
    if not keys and unknown is not None:
        derived = implied_revenue(p, unknown)
        if derived is None:
            p.failed = "the column to sort by is not in the table"
            return
        keys = [Mention(-1, -1, derived)]
    if not keys and p.group is not None:
        keys = [Mention(-1, -1, str(p.group["aggregate"][0]["as"]))]
    if not keys and any(w in phrase.split() for w in _DATE_WORDS):
        keys = [m for m in (_date_column(p),) if m is not None]
    if not keys:
        near = p.free_mentions()
        if verb is not None and len(near) == 1:
            keys = near
        elif verb is not None:
            p.failed = "the column to sort by is not named"
            return
        else:
            return
    # the direction belongs to the last key said before it (all keys when it comes first)
    before = [k for k in keys if 0 <= k.start < d0] if desc is not None else []
    owner = before[-1] if before else None
    p.sorts = [
        {
            "column": p.use(k) if k.start >= 0 else k.column,
            "desc": bool(desc) and (owner is None or k is owner),
        }
        for k in keys
    ]
    spots = [
        x for x in (verb[0] if verb else None, d0 if desc is not None else None) if x is not None
    ]
    spots += [k.start for k in keys if k.start >= 0]
    ends = [d1, verb[0] + verb[1] if verb else 0, *(k.end for k in keys)]
    shown = ", ".join(f"{s['column']} {'desc' if s['desc'] else 'asc'}" for s in p.sorts)
    p.note(f"sort {shown}", min(spots), max(ends))


def _top_number(p: Parse) -> tuple[int, bool, int, int] | None:
    """(n, descending, start, end) of "top 3", "3 lowest", "en düşük 3", "ilk 5"."""
    for i, tok in enumerate(p.toks):
        if tok.kind != "num" or tok.number is None or not tok.number.is_integer() or i in p.used:
            continue
        n = int(tok.number)
        for phrases, desc in (
            (W.TOP, True),
            (W.BOTTOM, False),
            (W.TR_TOP, True),
            (W.TR_BOTTOM, False),
        ):
            for k in range(max(0, i - 4), i):
                width = p.at(k, phrases)
                if width and k + width <= i and i - (k + width) <= 2:
                    return n, desc, k, i + 1
            if p.at(i + 1, phrases) and phrases in (W.TOP, W.BOTTOM):
                return n, desc, i, i + 2
    return None


def _rank_key(p: Parse, start: int, end: int) -> Mention | None:
    keys, unknown = sort_keys(p)
    if keys:
        return keys[0]
    if unknown is not None:
        derived = implied_revenue(p, unknown)
        if derived is None:
            p.failed = "the column to rank by is not in the table"
            return None
        return Mention(-1, -1, derived)
    key = (
        p.mention_before(start, gap=2)
        or p.mention_after(start + 1, gap=2)
        or p.mention_after(end, gap=1)
    )
    if key is None:
        numeric = [m for m in p.free_mentions() if m.column in p.facts.numeric]
        key = numeric[0] if len(numeric) == 1 else None
    if key is None and (p.facts.ordered or p.fold(start) in ("first", "ilk")):
        return None  # "then keep the top 3" of a sorted table, "the first 12 rows": first rows
    if key is None and any(t.kind == "word" and t.fold.startswith(W.SOLD) for t in p.toks):
        quantity = quantity_column(p)
        key = Mention(-1, -1, quantity) if quantity else None
    if key is None and p.fold(start) not in ("first", "ilk"):
        # "the 2 highest paid people": the table's one measure (ids are not measures)
        measures = [c for c in p.facts.columns if c in p.facts.numeric and not id_like(c)]
        key = Mention(-1, -1, measures[0]) if len(measures) == 1 else None
    return key


def find_top(p: Parse) -> None:
    found = _top_number(p)
    if found is None or p.sorts:
        return
    n, desc, start, end = found
    # "top 3 products by units": the things ranked are a column's values, totalled first
    entity = p.mention_after(end, gap=0)
    if entity is not None and entity.column in p.facts.numeric:
        entity = None
    if entity is not None:
        p.use(entity)
    key = _rank_key(p, start, end)
    if p.failed:
        return
    if entity is not None and key is not None:
        measure = p.use(key) if key.start >= 0 else key.column
        if tuple(p.facts.grouped_by) != (entity.column,):
            aggregate = {"fn": "sum", "column": measure, "as": measure}
            p.group = {"op": "group", "by": [entity.column], "aggregate": [aggregate]}
        key = Mention(-1, -1, measure)
        p.note(f"group by {entity.column}: sum {measure}", entity.start, entity.end)
    elif entity is not None:
        p.release(entity)
    if key is None:
        if p.fold(start) in ("first", "ilk") or p.facts.ordered:
            p.limit = n
            p.take(start, end)
            p.note(f"limit {n}", start, end)
        else:
            p.failed = "the column to rank by is not named"
        return
    column = p.use(key) if key.start >= 0 else key.column
    p.take(start, end)
    p.sorts.append({"column": column, "desc": desc})
    p.limit = n
    lo = min(start, key.start) if key.start >= 0 else start
    p.note(f"{'top' if desc else 'bottom'} {n} by {column}", lo, max(end, key.end))
