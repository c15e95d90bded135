"""Data commands in English and Turkish become precise ``query`` operations of the data handler.

``ground_data`` reads one segment: which table (a named file, or the previous operation's
output), which steps (filter, derive, group, sort, limit, select, distinct), where to write,
and what to answer. Column words are checked against the real header; a step whose column
word matches nothing makes the whole segment ungrounded (None), never a guess.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import PurePosixPath
from typing import Any

from altlas.do.context import GroundContext
from altlas.do.ground_data_columns import column_of, find_columns, find_values
from altlas.do.ground_data_filter import find_filters
from altlas.do.ground_data_flags import find_flags
from altlas.do.ground_data_parse import Parse
from altlas.do.ground_data_pick import (
    find_count,
    find_dedupe,
    find_distinct_of,
    find_drop,
    find_listing,
    find_ranked,
    find_select,
    leftover_words,
    unread_quantities,
)
from altlas.do.ground_data_refs import (
    READ_SUFFIXES,
    WRITE_SUFFIXES,
    Files,
    facts_after,
    find_files,
    previous_facts,
    remember,
)
from altlas.do.ground_data_shape import find_argmax, find_group, find_named_derivation
from altlas.do.ground_data_sort import find_sort, find_top
from altlas.do.ground_data_words import Tok, fold_word, tokenize
from altlas.do.operations import Operation
from altlas.do.tables import TableFacts, peek

__all__ = ["ground_data", "ground_data_condition"]

_FORMATS = {
    "json": ".json",
    "csv": ".csv",
    "ndjson": ".ndjson",
    "jsonl": ".jsonl",
    "parquet": ".parquet",
}
_CONVERT_VERBS = ("convert*", "export*", "transform*", "turn", "donustur*", "cevir*", "aktar*")
_TO = ("to", "as", "into", "in")
_FORMAT_AFTER = ("formatina", "formatinda", "olarak", "bicimine", "format", "formatta")
_DATIVE = ("e", "a", "ye", "ya")
_OVERWRITE = ("overwrite*", "uzerine yaz*", "replace the existing", "ustune yaz*")
# a segment whose verb is another action (send, share, translate) is not a query, whatever
# table it names
_OTHER_ACTIONS = (
    "email",
    "e-mail",
    "mail",
    "send",
    "upload",
    "share",
    "post",
    "tweet",
    "translate",
)
_OTHER_ACTIONS_TR = ("gonder", "paylas", "yukle", "tercume", "e-posta", "eposta", "mail")
_SHOW = (
    *("show", "display", "print", "list", "read", "load", "view"),
    *("goster*", "listele*", "oku*", "getir*"),
)


def _target_format(toks: list[Tok], source: str | None) -> tuple[str, int] | None:
    """The format a convert asks for: "to JSON", "JSON formatına", "CSV'den JSON'a"."""
    has_verb = any(t.fold.startswith(v.rstrip("*")) for t in toks for v in _CONVERT_VERBS)
    current = PurePosixPath(source).suffix.lower() if source else ""
    loose: list[tuple[str, int]] = []
    for i, tok in enumerate(toks):
        if tok.kind != "word" or tok.fold not in _FORMATS:
            continue
        if tok.fold == "json" and i + 1 < len(toks) and toks[i + 1].fold == "lines":
            return "jsonl", i  # "JSON Lines"
        before = toks[i - 1].fold if i > 0 else ""
        after = toks[i + 1].fold if i + 1 < len(toks) else ""
        if before in _TO or after in _FORMAT_AFTER or tok.suffix in _DATIVE:
            return tok.fold, i
        if has_verb and _FORMATS[tok.fold] != current:
            loose.append((tok.fold, i))
    return loose[0] if loose else None


def _other_action(toks: list[Tok], facts: TableFacts) -> bool:
    """ "email the North rows", "ekibe gönder": another action's verb (unless it is a column)."""
    for tok in toks:
        word = tok.fold
        other = word in _OTHER_ACTIONS or word.startswith(_OTHER_ACTIONS_TR)
        if tok.kind == "word" and other and column_of([word], facts.columns) is None:
            return True
    return False


def _not_understood(text: str, unread: list[str], source: str | None) -> Operation:
    """An honest failure: the segment is about a table, but some of its words were not read."""
    words = ", ".join(f"'{w}'" for w in unread)
    table = f" on {source}" if source else ""
    reason = (
        f"altlas read '{text.strip()}' as a query{table} but could not tell what {words} "
        "should do in it; nothing was run rather than a query that ignores them "
        "(name the column they apply to, e.g. 'price under 50')"
    )
    return Operation("refuse", {"reason": reason, "kind": "unknown"}, f"unread: {words}")


def _unit_clash(toks: list[Tok], facts: TableFacts) -> bool:
    """ "over 2 MB" on a table with a size_mb column: whether the number was meant in bytes
    is unclear, so the segment is not grounded rather than compared a million times off."""
    units = {tok.unit for tok in toks if tok.unit and tok.unit not in ("byte", "bytes", "money")}
    names = [fold_word(column) for column in facts.columns]
    return any(unit in re.split(r"[^a-z]+", name) for unit in units for name in names)


def _overwrite(toks: list[Tok]) -> bool:
    from altlas.do.ground_data_words import phrase_at

    return any(phrase_at(toks, i, p) for i in range(len(toks)) for p in _OVERWRITE)


def _parse(text: str, toks: list[Tok], facts: TableFacts, files: Files, lang: str) -> Parse:
    p = Parse(text, toks, facts, lang)
    p.used |= set(files.used)
    marked = find_values(toks, facts, set(files.used), marked_only=True)
    marked_tokens = {k for v in marked for k in range(v.start, v.end)}
    p.cols = find_columns(toks, facts, set(files.used) | marked_tokens)
    col_tokens = {k for m in p.cols for k in range(m.start, m.end)}
    rest = find_values(toks, facts, set(files.used) | marked_tokens | col_tokens)
    p.vals = sorted(marked + rest, key=lambda v: v.start)
    for finder in (
        find_named_derivation,
        find_filters,
        find_flags,
        find_ranked,
        find_top,
        find_group,
        find_argmax,
        find_sort,
        find_distinct_of,
        find_dedupe,
        find_drop,
        find_select,
    ):
        finder(p)
        if p.failed:
            return p
    find_count(p, lang)
    find_listing(p)
    return p


def _read_before(ctx: GroundContext) -> str | None:
    """ "Read stock.ndjson, find the items …": the table an earlier files.read step opened."""
    prev = ctx.previous
    if prev is None or prev.handler != "files" or prev.params.get("operation") != "read":
        return None
    path = prev.params.get("path")
    suffix = PurePosixPath(path).suffix.lower() if isinstance(path, str) else ""
    return path if isinstance(path, str) and suffix in READ_SUFFIXES else None


def _input(files: Files, ctx: GroundContext) -> TableFacts | None:
    if files.source is not None:
        return peek(ctx.workspace, files.source)
    if files.others:
        return None  # the segment is about a log, a note...: not a table
    return previous_facts(ctx)


_MAX_TABLES = 30


def _table_by_columns(
    text: str, toks: list[Tok], files: Files, ctx: GroundContext, lang: str
) -> tuple[str, TableFacts] | None:
    """ "the average salary per department" with no file named: the one workspace table on
    which these words make a query (more than a value filter); None when none or several do."""
    fits: list[tuple[str, TableFacts]] = []
    tables = [f for f in ctx.files() if PurePosixPath(f).suffix.lower() in READ_SUFFIXES]
    for path in tables[:_MAX_TABLES]:
        facts = peek(ctx.workspace, path)
        if facts is None:
            continue
        p = _parse(text, toks, facts, files, lang)
        shaped = [s for s in p.steps() if s["op"] != "filter"] or p.answer == "count"
        if not p.failed and shaped and (p.used_mentions or p.filters):
            fits.append((path, facts))
    return fits[0] if len(fits) == 1 else None


def _default_output(source: str, fmt: str) -> str:
    return str(PurePosixPath(source).with_suffix(_FORMATS[fmt]))


def ground_data(text: str, lang: str, ctx: GroundContext) -> Operation | None:
    """One segment's text → a data ``query`` Operation, or None when it is not a data command."""
    toks = tokenize(text, lang)
    files = find_files(toks, ctx, text)
    read = _read_before(ctx) if files.source is None and not files.others else None
    if read is not None:
        files = replace(files, source=read)
    facts = _input(files, ctx)
    if facts is None and files.source is None and not files.others and ctx.previous is None:
        found = _table_by_columns(text, toks, files, ctx, lang)
        if found is not None:
            files, facts = replace(files, source=found[0]), found[1]
    if facts is None or _other_action(toks, facts) or _unit_clash(toks, facts):
        return None
    output = files.output
    if output is not None and PurePosixPath(output).suffix.lower() not in WRITE_SUFFIXES:
        return None
    p = _parse(text, toks, facts, files, lang)
    if p.failed:
        return None
    unread = unread_quantities(p)
    if unread:
        return _not_understood(text, unread, files.source)
    steps = p.steps()
    why = list(p.why)
    target = _target_format(toks, files.source)
    if target is not None and files.source is not None and output is None:
        if PurePosixPath(files.source).suffix.lower() == _FORMATS[target[0]]:
            return None
        output = _default_output(files.source, target[0])
        why.append(
            f"convert to {target[0]} ← '{toks[target[1]].text}' (written next to the source)"
        )
    if not steps and p.answer is None:
        if output is not None and files.source is None:
            why.append("save the previous table")
        elif target is not None and output is not None:
            pass
        elif (
            files.source is not None
            and output is None
            and any(t.fold.startswith(s.rstrip("*")) for t in toks for s in _SHOW)
            and not leftover_words(p)
        ):
            p.answer = "table"
        else:
            return None
    params: dict[str, Any] = {"operation": "query"}
    if files.source is not None:
        params["source"] = files.source
        why.insert(0, f"read {files.source}")
    else:
        why.insert(0, "read the previous result")
    if p.answer == "count":
        # the count is the table, so that "… and write the count to X" writes the number
        steps = [*steps, {"op": "group", "by": [], "aggregate": [{"fn": "count", "as": "count"}]}]
        p.answer = "value"
    params["steps"] = steps
    if output is not None:
        params["output"] = output
        why.append(f"write {output}")
        if _overwrite(toks):
            params["overwrite"] = True
    answer = p.answer or ("table" if output is None else None)
    if answer is not None:
        params["answer"] = answer
    op = Operation(handler="data", params=params, why="; ".join(why), produces=p.produces)
    remember(op, facts_after(facts, steps))
    return op


def ground_data_condition(text: str, lang: str, ctx: GroundContext) -> Operation | None:
    """The data part of a condition ("if any item in X has zero stock") → a filter query whose
    ``row_count > 0`` is the condition."""
    toks = tokenize(text, lang)
    files = find_files(toks, ctx, text)
    facts = _input(files, ctx)
    if facts is None or files.output is not None:
        return None
    p = _parse(text, toks, facts, files, lang)
    if p.failed or not p.filters:
        return None
    steps = [step for step in p.steps() if step["op"] in ("filter", "derive")]
    params: dict[str, Any] = {"operation": "query"}
    if files.source is not None:
        params["source"] = files.source
    params["steps"] = steps
    params["answer"] = "count"
    why = "; ".join([f"read {files.source or 'the previous result'}", *p.why, "rows exist?"])
    op = Operation(handler="data", params=params, why=why, produces="table")
    remember(op, facts_after(facts, steps))
    return op
