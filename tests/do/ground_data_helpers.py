"""What the data-grounding tests share: a workspace written from tables, grounding that must
give an operation, and readers for the steps of the query it made."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from altlas.do.context import GroundContext
from altlas.do.ground_data import ground_data
from altlas.do.operations import Operation

Table = str | list[dict[str, Any]]
"""A file's text as it is, or records written as one JSON array."""


def write_tables(root: Path, tables: Mapping[str, Table]) -> Path:
    """Each table at its relative path below ``root`` (folders made as needed)."""
    for name, table in tables.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(table if isinstance(table, str) else json.dumps(table), encoding="utf-8")
    return root


def ground(ws: Path, text: str, lang: str = "en", previous: Operation | None = None) -> Operation:
    op = ground_data(text, lang, GroundContext(ws, previous))
    assert op is not None, text
    return op


def ground_query(ws: Path, text: str, lang: str, previous: Operation | None = None) -> Operation:
    """Grounded as a data ``query`` with its reason given."""
    op = ground(ws, text, lang, previous)
    assert op.handler == "data" and op.params["operation"] == "query"
    assert op.why
    return op


def steps(op: Operation, kind: str) -> list[dict[str, Any]]:
    return [s for s in op.params["steps"] if s["op"] == kind]


def where(op: Operation) -> str:
    """The query's one filter."""
    found = steps(op, "filter")
    assert len(found) == 1, op.params
    return str(found[0]["where"])


def sort_by(op: Operation) -> list[tuple[str, bool]]:
    return [(b["column"], b["desc"]) for s in steps(op, "sort") for b in s["by"]]


def limit(op: Operation) -> int | None:
    found = steps(op, "limit")
    return int(found[0]["n"]) if found else None
