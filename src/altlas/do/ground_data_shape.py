"""Steps that shape a table: sort, top/bottom N, group with aggregates (and the derived columns
they need), "which … the most", select, dedupe, and the counting answer."""

from __future__ import annotations

from dataclasses import replace

from altlas.do import ground_data_lexicon as W
from altlas.do.ground_data_columns import Mention, column_of, id_like, is_stopword
from altlas.do.ground_data_parse import Parse, column_ref

# words after "each"/"her" that are not a key: "each row", "her zaman" (always), "her biri"
_NOT_KEYS = ("zaman", "biri", "birinin", "seferinde", "one", "time", "item", "items", "entry")

__all__ = [
    "find_argmax",
    "find_group",
    "find_named_derivation",
    "implied_revenue",
    "quantity_column",
]


def _derive_expr(p: Parse, start: int | None = None) -> tuple[str, int, int] | None:
    """``units × price`` → "`units` * `price`" (columns joined by arithmetic signs or words)."""
    for m in p.cols:
        if start is not None and m.start != start:
            continue
        parts = [column_ref(m.column) or ""]
        k = m.end
        while k < len(p.toks):
            sign = W.ARITH_WORDS.get(p.fold(k))
            nxt = p.mention_at(k + 1)
            if sign is None or nxt is None:
                break
            parts += [sign, column_ref(nxt.column) or ""]
            k = nxt.end
        if len(parts) >= 3 and all(parts):
            for mm in list(p.cols):
                if m.start <= mm.start < k:
                    p.use(mm)
            return " ".join(parts), m.start, k
    return None


def find_named_derivation(p: Parse) -> None:
    """ "revenue = quantity × unit_price", "ciro = adet * fiyat": a column defined by its
    formula (before filters, so that its "=" is not read as a comparison)."""
    for i in range(len(p.toks) - 2):
        if p.toks[i].kind != "word" or p.toks[i + 1].text not in ("=", ":") or i in p.used:
            continue
        first = p.mention_at(i + 2)
        if first is None or not p.free(first):
            continue
        expr = _derive_expr(p, start=first.start)
        if expr is None:
            continue
        name = _derived_name(p.fold(i))
        name = p.toks[i].fold if name == "value" else name
        name = name if name not in p.facts.columns else f"{name}_total"
        p.derives.append({"op": "derive", "column": name, "expr": expr[0]})
        p.take(i, expr[2])
        p.note(f"derive {name} = {expr[0].replace('`', '')}", i, expr[2])
        p.facts = replace(
            p.facts, columns=(*p.facts.columns, name), numeric=p.facts.numeric | {name}
        )
        return


def _derived_name(word: str) -> str:
    return column_of([word], W.DERIVED_NAMES) or "value"


def _names_column(p: Parse, i: int) -> bool:
    m = p.mention_covering(i)
    if m is None or not p.free(m):
        return False
    return p.fold(i - 1) in ("by", "on", "the") or p.fold(m.end) in ("gore", "column", "sutunu")


def _aggregate_word(p: Parse) -> tuple[str, int, int] | None:
    best = _first_aggregate(p)
    if best is None and (verb := p.free_hit(W.GROUP_VERBS)) is not None:
        return "count", verb[0], verb[1]  # "group X by team": how many rows per team
    return best


def _first_aggregate(p: Parse) -> tuple[str, int, int] | None:
    best: tuple[str, int, int] | None = None
    for fn, phrases in W.AGG.items():
        lo = 0
        while (hit := p.free_hit(phrases, lo)) is not None:
            i, n = hit
            lo = i + 1
            if p.lang != "tr" and p.fold(i) in ("say", "sayin"):
                continue  # English "say" is "tell"
            if _names_column(p, i):
                continue  # "sorted by total": the header "total", not a sum
            if any(p.at(k, W.DESC + W.ASC) > i - k for k in range(max(0, i - 3), i + 1)):
                continue  # "largest first" is an order, not a maximum
            before = p.mention_ending(i)
            if (
                p.fold(i).startswith("sayisi")
                and before is not None
                and before.column in p.facts.numeric
            ):
                continue  # "birim sayısı" is the units column, not a count
            if best is None or i < best[1]:
                best = (fn, i, n)
            break
    return best


def _month_key(p: Parse) -> tuple[str, str, int, int] | None:
    periods = ((W.MONTH, "year_month", "month"), (W.YEAR, "year", "year"), (W.DAY, "", "day"))
    for words, fn, name in periods:
        for i in range(len(p.toks)):
            n = p.at(i, W.KEY_BEFORE)
            if n and p.at(i + n, words):
                return fn, name, i, i + n + 1
            if p.at(i, words) and p.at(i + 1, W.KEY_AFTER):
                return fn, name, i, i + 2
        hit = p.free_hit({"month": W.MONTHLY, "year": W.YEARLY}.get(name, W.DAILY))
        if hit:
            return fn, name, hit[0], hit[0] + hit[1]
    return None


def _unknown_key(p: Parse, k: int) -> bool:
    """ "her meyvenin" on a table without a fruit column: a key word that names no column."""
    tok = p.toks[k] if k < len(p.toks) else None
    if tok is None or tok.kind != "word" or k in p.used or is_stopword(tok.fold):
        return False
    return not (p.at(k, W.MONTH) or p.at(k, W.YEAR) or p.at(k, _NOT_KEYS))


def _mention_key(p: Parse, fn: str | None) -> tuple[list[Mention], int, int] | None:
    for i in range(len(p.toks)):
        n = p.at(i, W.KEY_BEFORE)
        if n == 0 or i in p.used or (p.fold(i) == "by" and fn is None):
            continue
        k = i + n
        while p.fold(k) == "the":
            k += 1
        m = p.mention_at(k)
        if m is None and fn is not None and _unknown_key(p, k):
            p.failed = "the column to group by is not in the table"
            return None
        if m is not None and p.free(m):
            keys = [m]
            end = m.end
            while (
                p.at(end, W.JOINERS) and (nxt := p.mention_at(end + 1)) is not None and p.free(nxt)
            ):
                keys.append(nxt)
                end = nxt.end
            return keys, i, end
    for m in p.free_mentions():
        after = p.at(m.end, W.KEY_AFTER)
        if after and (p.fold(m.end) != "gore" or fn is not None):
            return [m], m.start, m.end + after
    return None


def _date_column(p: Parse) -> str | None:
    dated = [c for c in p.facts.columns if c in p.facts.temporal]
    return dated[0] if len(dated) == 1 else None


def _measure(p: Parse, fn: str, i: int, n: int) -> tuple[str, int, int] | None:
    k = i + n
    while p.fold(k) in ("of", "the", "kac", "number", "all", "tum"):
        k += 1
    m = p.mention_at(k) or p.mention_ending(i)
    if m is None or not p.free(m):
        # "toplam satış adedi": a word of the measure's own may come first
        later = p.mention_after(k + 1, gap=1)
        between = all(p.toks[j].kind == "word" for j in range(k, later.start)) if later else False
        m = later if between and later is not None and later.column in p.facts.numeric else None
    if m is not None and p.free(m):
        return p.use(m), min(i, m.start), max(k, m.end)
    expr = _derive_expr(p)
    word = p.toks[k].fold if k < len(p.toks) and p.toks[k].kind == "word" else ""
    if expr is None:
        name = implied_revenue(p, k)
        if name is None and fn != "count":
            # "the overall total" of a table with one measure (ids are not measures)
            measures = [c for c in p.facts.columns if c in p.facts.numeric and not id_like(c)]
            return (measures[0], i, i + n) if len(measures) == 1 else None
        return (name, min(i, k), k + 1) if name else None
    name = _derived_name(word) if word else "value"
    name = name if name not in p.facts.columns else f"{name}_total"
    p.derives.append({"op": "derive", "column": name, "expr": expr[0]})
    p.note(f"derive {name} = {expr[0].replace('`', '')}", expr[1], expr[2])
    return name, min(i, expr[1]), max(k + 1, expr[2])


def quantity_column(p: Parse) -> str | None:
    return column_of(["units"], p.facts.columns) or column_of(["quantity"], p.facts.columns)


def implied_revenue(p: Parse, k: int) -> str | None:
    """ "revenue"/"gelir" at token ``k`` on a table without such a column: quantity × price,
    derived (once) when the table has both."""
    word = p.fold(k)
    if not word or p.toks[k].kind != "word" or _derived_name(word) != "revenue":
        return None
    existing = next((d["column"] for d in p.derives if d["column"].startswith("revenue")), None)
    if existing is not None:
        return str(existing)
    qty, price = quantity_column(p), column_of(["price"], p.facts.columns)
    if not qty or not price or qty == price:
        return None
    name = "revenue" if "revenue" not in p.facts.columns else "revenue_total"
    expr = f"{column_ref(qty)} * {column_ref(price)}"
    p.derives.append({"op": "derive", "column": name, "expr": expr})
    p.take(k, k + 1)
    p.note(f"derive {name} = {qty} * {price}", k, k + 1)
    return name


def _counts_a_measure(p: Parse, agg: tuple[str, int, int] | None) -> bool:
    """ "how many units", "kaç birim": a count word right before a numeric column asks for the
    column's total, not for the number of rows."""
    if agg is None or agg[0] != "count" or p.fold(agg[1]) not in ("how", "kac"):
        return False
    k = agg[1] + agg[2]
    while p.fold(k) in ("of", "the", "kac", "number", "all", "tum"):
        k += 1
    m = p.mention_at(k)
    return m is not None and p.free(m) and m.column in p.facts.numeric and not id_like(m.column)


def find_group(p: Parse) -> None:
    agg = _aggregate_word(p)
    if agg is not None and _counts_a_measure(p, agg):
        agg = ("sum", agg[1], agg[2])
    fn = agg[0] if agg else None
    month = _month_key(p)
    keyed = None if month else _mention_key(p, fn)
    if p.failed:
        return
    if fn is None and (keyed or month):
        # "hours per team": one numeric column and a key, no aggregate word: a total
        taken = keyed[0] if keyed else []
        numeric = [m for m in p.free_mentions() if m.column in p.facts.numeric and m not in taken]
        if len(numeric) == 1:
            fn, agg = "sum", ("sum", numeric[0].start, 0)
        elif not numeric and p.derives:  # "revenue = a × b per city": total what was defined
            fn, agg = "sum", ("sum", keyed[1] if keyed else month[2] if month else 0, 0)
    if fn is None or (month is None and keyed is None and fn not in ("sum", "mean", "median")):
        return
    if keyed is not None:
        for m in keyed[0]:
            p.use(m)
    assert agg is not None
    _, i, n = agg
    defined = str(p.derives[-1]["column"]) if p.derives and n == 0 and fn == "sum" else None
    measure = (defined, i, i) if defined else _measure(p, fn, i, n)
    if measure is None and fn not in ("count",):
        p.failed = "the column to aggregate is not in the table"
        return
    if (
        measure is not None
        and fn in ("count",)
        and measure[0] in p.facts.numeric
        and p.fold(i) in ("how", "kac")
    ):
        fn = "sum"  # "how many units" totals the units column
    by: list[str] = []
    if month is not None:
        date = _date_column(p)
        if date is None or column_ref(date) is None:
            p.failed = "no date column to group by month"
            return
        expr_fn, name, m0, m1 = month
        p.take(m0, m1)
        if expr_fn:
            expr = f"{expr_fn}({column_ref(date)})"
            p.derives.append({"op": "derive", "column": name, "expr": expr})
            p.note(f"derive {name} = {expr_fn}({date})", m0, m1)
        else:  # per day: the date column itself
            name = date
            p.note(f"per {date}", m0, m1)
        by = [name]
        p.sorts.append({"column": name, "desc": False})
    elif keyed is not None:
        by = [m.column for m in keyed[0]]
        p.take(keyed[1], keyed[2])
    column = measure[0] if measure else None
    aggregate = (
        {"fn": fn, "column": column, "as": column}
        if column and fn != "count"
        else {"fn": "count", "as": "count"}
    )
    p.group = {"op": "group", "by": by, "aggregate": [aggregate]}
    p.take(i, i + n)
    p.note(
        f"group by {', '.join(by) or '(all rows)'}: {aggregate['fn']} {column or 'rows'}", i, i + n
    )
    p.answer = "table" if by else "value"
    p.produces = "table" if by else "value"


def _superlative(p: Parse) -> tuple[bool, int, int] | None:
    for phrases, desc in ((W.SUPER_DESC, True), (W.SUPER_ASC, False)):
        hit = p.free_hit(phrases)
        if hit is None:
            continue
        i, n = hit
        if any(p.toks[k].kind == "num" for k in range(i + n, min(len(p.toks), i + n + 3))):
            continue  # "the 3 highest" is a top-N
        return desc, i, n
    return None


def _argmax_measure(
    p: Parse, key: Mention, measure: Mention | None, grouped: tuple[str, ...], after: int
) -> tuple[str, str | None]:
    """(aggregate, column) that "the most" ranks by: the named column; revenue; the quantity
    column for "sold"/"satan"; the count for "the most customers"; a grouped table's total."""
    if measure is not None:
        return "sum", measure.column
    if p.group:
        return "sum", str(p.group["aggregate"][0]["as"])
    if grouped:
        numeric = [c for c in p.facts.columns if c in p.facts.numeric and c != key.column]
        return "sum", numeric[0] if len(numeric) == 1 else None
    revenue = implied_revenue(p, after)
    if revenue is not None:
        return "sum", revenue
    if any(t.fold.startswith(W.SOLD) for t in p.toks):
        quantity = quantity_column(p)
        if quantity is not None:
            return "sum", quantity
    return "count", "count"


def find_argmax(p: Parse) -> None:
    if p.limit is not None:
        return
    sup = _superlative(p)
    if sup is None:
        return
    desc, i, n = sup
    which = p.free_hit(W.WHICH)
    key: Mention | None = None
    if which is not None:
        key = p.mention_after(which[0] + which[1], gap=1) or p.mention_before(which[0], gap=1)
    after = [m for m in p.free_mentions() if m.start >= i + n and m is not key]
    measure = after[0] if after and after[0].start - (i + n) <= 1 else None
    if key is None and after:
        rest = [m for m in after if m is not measure]
        if rest:
            key = rest[-1]
        elif measure is not None and (
            measure.column in p.facts.grouped_by or measure.column not in p.facts.numeric
        ):
            key, measure = measure, None
    if key is None and measure is not None and p.group is None and not p.facts.grouped_by:
        # "the largest pay", "en düşük fiyat nedir": the extreme value of the whole table
        fn = "max" if desc else "min"
        column = p.use(measure)
        p.group = {
            "op": "group",
            "by": [],
            "aggregate": [{"fn": fn, "column": column, "as": column}],
        }
        p.answer, p.produces = "value", "value"
        p.note(f"{fn} {column}", i, measure.end)
        return
    if key is None and len(p.facts.grouped_by) == 1 and p.group is None:
        # "en yüksek gelirli meyveyi söyle" on a table of one row per fruit: that key
        key = Mention(-1, -1, p.facts.grouped_by[0])
    if key is None:
        return
    grouped = tuple(p.group["by"]) if p.group else p.facts.grouped_by
    if key.start >= 0:
        p.use(key)
    if measure is not None:
        p.use(measure)
    fn, measure_col = _argmax_measure(p, key, measure, grouped, i + n)
    if measure_col is None:
        p.failed = "the measure to rank by is not named"
        return
    if grouped != (key.column,):
        aggregate = {"fn": fn, "column": measure_col, "as": measure_col}
        if fn == "count":
            aggregate = {"fn": "count", "as": measure_col}
        p.group = {"op": "group", "by": [key.column], "aggregate": [aggregate]}
        p.why = [w for w in p.why if not w.startswith("group by (all rows)")]  # regrouped
    p.sorts = [{"column": measure_col, "desc": desc}]
    p.limit = 1
    p.select = [key.column, measure_col]
    p.answer = "table"
    p.produces = "value"
    spans = [x for x in (which[0] if which else None, i, key.start) if x is not None and x >= 0]
    p.note(
        f"the {key.column} with the {'highest' if desc else 'lowest'} {measure_col}",
        min(spans),
        max(key.end, i + n),
    )
