"""Which named file is the table to read, which is the file to write, and what the input table
looks like when the segment reads the previous operation's output instead of a file.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from threading import Lock
from typing import Any

from altlas.do.context import GroundContext
from altlas.do.ground_data_words import Tok, fold_word, phrase_at
from altlas.do.operations import Operation
from altlas.do.tables import TableFacts, peek

__all__ = [
    "READ_SUFFIXES",
    "WRITE_SUFFIXES",
    "Files",
    "facts_after",
    "find_files",
    "previous_facts",
    "remember",
]

READ_SUFFIXES = (".csv", ".tsv", ".json", ".ndjson", ".jsonl", ".parquet")
WRITE_SUFFIXES = (".csv", ".json", ".ndjson", ".jsonl", ".parquet", ".txt", ".md")
"""``.txt``/``.md``: the data handler writes one value per line (or a text table)."""

_SAVE_VERBS = (
    "save*", "write*", "store*", "export*", "put", "output", "dump", "make", "create*",
    "produce", "generate", "kaydet*", "yaz*", "olustur*", "aktar*", "cikar*",
)  # fmt: skip
_BEFORE_OUTPUT = ("as", "to", "into", "called", "named")
_MAKERS = ("make", "create", "produce", "generate", "build")
_AFTER_OUTPUT = (
    "olarak",
    "adiyla",
    "adli",
    "adinda",
    "ismiyle",
    "dosyasina",
    "dosyaya",
    "icine",
    "olsun",
)
_DATIVE = ("e", "a", "ye", "ya", "ne", "na")
_FILLERS = ("the", "a", "an", "new", "file", "called", "named")
_TABLE_NOUNS = ("file", "table", "sheet", "spreadsheet", "dataset", "data", "dosya", "tablo")


@dataclass(frozen=True, slots=True)
class Files:
    source: str | None
    output: str | None
    others: tuple[str, ...]
    """Named files that are neither (a log, a note): the segment is about something else."""
    used: frozenset[int]


def _has_save_verb(toks: list[Tok]) -> bool:
    return any(phrase_at(toks, i, verb) for i in range(len(toks)) for verb in _SAVE_VERBS)


def _marked_output(toks: list[Tok], i: int, save_verb: bool) -> bool:
    k = i - 1
    while k >= 0 and toks[k].fold in _FILLERS:
        k -= 1
    before = toks[k] if k >= 0 else None
    if before is not None and before.kind == "arrow":
        return True
    if before is not None and before.fold in _MAKERS:
        return True
    if before is not None and save_verb and before.fold in _BEFORE_OUTPUT:
        return True
    after = toks[i + 1] if i + 1 < len(toks) else None
    if after is not None and after.kind == "word" and after.fold in _AFTER_OUTPUT:
        return True
    return save_verb and toks[i].suffix in _DATIVE


def _table_by_name(toks: list[Tok], existing: set[str]) -> tuple[str, int] | None:
    """ "the sales file", "satislar dosyasını": a workspace table named by its stem alone."""
    for i, tok in enumerate(toks[:-1]):
        if tok.kind != "word" or not toks[i + 1].fold.startswith(_TABLE_NOUNS):
            continue
        found = [
            path
            for path in existing
            if PurePosixPath(path).suffix.lower() in READ_SUFFIXES
            and fold_word(PurePosixPath(path).stem) == tok.fold
        ]
        if len(found) == 1:
            return found[0], i
    return None


_MAX_NAME_WORDS = 4


def _spaced_name(toks: list[Tok], i: int, text: str, ctx: GroundContext) -> tuple[str, int] | None:
    """ "Q3 budget draft.txt": the workspace file whose name ends in the file token ``i`` and
    begins with the words before it (the longest such name), and its first token."""
    for first in range(max(0, i - _MAX_NAME_WORDS), i):
        if any(t.kind not in ("word", "num") for t in toks[first:i]):
            continue
        gaps = [text[toks[k].end : toks[k + 1].start] for k in range(first, i)]
        if any(gap != " " for gap in gaps):
            continue
        name = text[toks[first].start : toks[i].end]
        found = ctx.resolve(name)
        if found is not None and found.lower().endswith(name.lower()[-len(toks[i].text) :]):
            return found, first
    return None


def _named_file(toks: list[Tok], i: int, text: str, ctx: GroundContext, used: set[int]) -> str:
    """The workspace file the file token ``i`` names (as written when it names none)."""
    path = toks[i].text.removeprefix("./")
    existing = ctx.files()
    if path in existing:
        return path
    spaced = _spaced_name(toks, i, text, ctx)
    if spaced is not None:
        used.update(range(spaced[1], i))
        return spaced[0]
    return ctx.resolve(path) or path


def find_files(toks: list[Tok], ctx: GroundContext, text: str | None = None) -> Files:
    """The table to read and the file to write; ``text`` (the segment the tokens came from)
    lets a file name with spaces be read whole."""
    existing = set(ctx.files())
    save_verb = _has_save_verb(toks)
    outputs: list[str] = []
    inputs: list[str] = []
    used: set[int] = set()
    for i, tok in enumerate(toks):
        if tok.kind != "file":
            continue
        used.add(i)
        path = tok.text.removeprefix("./")
        if _marked_output(toks, i, save_verb) and not outputs:
            outputs.append(path)
        else:
            inputs.append(_named_file(toks, i, text, ctx, used) if text is not None else path)
    if not outputs and len(inputs) > 1:
        fresh = [p for p in inputs if p not in existing]
        if len(fresh) == 1 and any(p in existing for p in inputs):
            outputs.append(fresh[0])
            inputs.remove(fresh[0])
    source = next((p for p in inputs if PurePosixPath(p).suffix.lower() in READ_SUFFIXES), None)
    if source is None and not inputs:
        named = _table_by_name(toks, existing)
        if named is not None:
            source = named[0]
            used.add(named[1])
    others = tuple(p for p in inputs if p != source)
    output = outputs[0] if outputs else None
    return Files(source, output, others, frozenset(used))


# Facts of the tables that earlier grounded queries produce, so that "sort them by stock"
# can check "stock" against the output of the previous segment. Keyed by identity (the entry
# keeps the operation alive, so an id is never reused while it is here) and bounded.
_LINEAGE: OrderedDict[int, tuple[Operation, TableFacts]] = OrderedDict()
_LINEAGE_SIZE = 512
_lock = Lock()


def remember(op: Operation, facts: TableFacts) -> None:
    with _lock:
        _LINEAGE[id(op)] = (op, facts)
        while len(_LINEAGE) > _LINEAGE_SIZE:
            _LINEAGE.popitem(last=False)


def _recall(op: Operation) -> TableFacts | None:
    with _lock:
        entry = _LINEAGE.get(id(op))
        if entry is not None and entry[0] is op:
            return entry[1]
        for known, facts in reversed(_LINEAGE.values()):
            if known.handler == op.handler and known.params == op.params:
                return facts
    return None


def previous_facts(ctx: GroundContext) -> TableFacts | None:
    """The table the previous operation produces, when it is a data query we can follow."""
    prev = ctx.previous
    if prev is None or prev.handler != "data" or prev.produces not in ("table", None):
        return None
    known = _recall(prev)
    if known is not None:
        return known
    source = prev.params.get("source")
    if isinstance(source, str):
        facts = peek(ctx.workspace, source)
        steps = prev.params.get("steps", [])
        if facts is not None and isinstance(steps, list):
            return facts_after(facts, steps)
    return None


def _only(mapping: Mapping[str, Any], keep: Iterable[str]) -> dict[str, Any]:
    keep_set = set(keep)
    return {k: v for k, v in mapping.items() if k in keep_set}


def facts_after(facts: TableFacts, steps: list[dict[str, Any]]) -> TableFacts:
    """What a table looks like after the query ``steps`` (columns, types, values, grouping)."""
    for step in steps:
        kind = step.get("op")
        if kind == "derive":
            column = str(step["column"])
            numeric = not str(step.get("expr", "")).startswith("year_month")
            facts = replace(
                facts,
                columns=(*[c for c in facts.columns if c != column], column),
                numeric=facts.numeric | {column} if numeric else facts.numeric - {column},
            )
        elif kind == "group":
            by = tuple(str(b) for b in step.get("by", []))
            made = tuple(str(a.get("as") or a.get("column") or a["fn"]) for a in step["aggregate"])
            facts = TableFacts(
                columns=(*by, *made),
                numeric=(facts.numeric & set(by)) | set(made),
                temporal=facts.temporal & set(by),
                values=_only(facts.values, by),
                grouped_by=by,
            )
        elif kind == "sort":
            facts = replace(facts, ordered=True)
        elif kind == "select":
            cols = tuple(str(c) for c in step["columns"])
            facts = replace(
                facts,
                columns=cols,
                values=_only(facts.values, cols),
                grouped_by=facts.grouped_by if set(facts.grouped_by) <= set(cols) else (),
            )
    return facts
