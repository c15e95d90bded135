""" "… write their names to X.txt": the rows a query found, narrowed to their name column."""

from __future__ import annotations

import re
from dataclasses import replace

from altlas.do.context import GroundContext
from altlas.do.operations import Operation
from altlas.do.words import folded, mentions

__all__ = ["names_of"]

_NAMES = re.compile(
    r"\b(?:their|the|those|these|its|whose)\s+(?:full\s+)?names?\b|\bnames? of (?:them|those)\b|"
    r"\b(?:isim|ad)(?:ler)?(?:ini|lerini|larini|ini|i)\b|\badlarini\b|\bisimlerini\b"
)


def _name_column(source: str, ctx: GroundContext) -> str | None:
    """The one column that holds names: "name", else the only one with "name"/"ad"/"isim"."""
    columns = ctx.columns(source)
    exact = [c for c in columns if folded(c) in ("name", "full_name", "fullname", "ad", "isim")]
    if len(exact) == 1:
        return exact[0]
    near = [c for c in columns if re.search(r"(^|_)(name|isim|adi?)($|_)", folded(c))]
    return near[0] if len(near) == 1 else None


def names_of(text: str, source_op: Operation, ctx: GroundContext) -> Operation | None:
    """ "… write their names to X.txt": the rows found, narrowed to their name column."""
    found = [m for m in mentions(text) if not m.endswith("/")]
    low = folded(text)
    named = _NAMES.search(low)
    if source_op.handler != "data" or not found or named is None:
        return None
    if re.match(r"\s*(?:and|,|&|ve|ile|with|plus)\s", low[named.end() :]):
        return None  # "their names and e-mails": more than the name column is asked for
    source = source_op.params.get("source")
    column = _name_column(str(source), ctx) if isinstance(source, str) else None
    if column is None:
        return None
    params = {k: v for k, v in source_op.params.items() if k not in ("allow_empty", "answer")}
    steps = [*params.get("steps", []), {"op": "select", "columns": [column]}]
    why = f"{source_op.why}; their {column} saved as {found[-1]}"
    return replace(source_op, params={**params, "steps": steps, "output": found[-1]}, why=why)
