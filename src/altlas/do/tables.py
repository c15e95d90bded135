"""A cheap, cached look at a workspace table: its header, which columns hold numbers or dates,
and a sample of the distinct values of its text columns.

Grounding needs the values to tell which column a bare word names ("customers in London" →
the column that holds "London"). polars is imported only when a table is first peeked at.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from threading import Lock
from typing import Any

__all__ = ["TableFacts", "peek"]

_MAX_ROWS = 20_000
_MAX_VALUES = 500
_MAX_VALUE_CHARS = 80
_CACHE_SIZE = 64
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")

_cache: OrderedDict[tuple[str, int, int], TableFacts | None] = OrderedDict()
_lock = Lock()


@dataclass(frozen=True, slots=True)
class TableFacts:
    """What grounding knows about a table (a file's, or the one a query produces)."""

    columns: tuple[str, ...]
    numeric: frozenset[str] = frozenset()
    temporal: frozenset[str] = frozenset()
    """Date or datetime columns, and text columns whose values all start as ISO dates."""
    values: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """A sample of the distinct values of each text column."""
    grouped_by: tuple[str, ...] = ()
    """The key columns when the table is already one row per key (after a group step)."""
    ordered: bool = False
    """The rows are in an order someone asked for (after a sort step)."""
    flags: frozenset[str] = frozenset()
    """True/false columns ("remote", "is_active"): a word naming one is a filter on it."""


def peek(workspace: Path, relpath: str) -> TableFacts | None:
    """The facts of a workspace table, or None when it is missing, outside or unreadable."""
    root = workspace.resolve()
    full = (root / relpath).resolve()
    if not full.is_relative_to(root) or not full.is_file():
        return None
    try:
        stat = full.stat()
    except OSError:
        return None
    key = (str(full), stat.st_mtime_ns, stat.st_size)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    facts = _read(full)
    with _lock:
        _cache[key] = facts
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return facts


def _read(full: Path) -> TableFacts | None:
    import polars as pl

    from altlas.run.handlers.data_io import csv_separator  # the handler reads tables the same way

    suffix = full.suffix.lower()
    try:
        if suffix in (".csv", ".tsv"):
            frame = pl.read_csv(
                full,
                n_rows=_MAX_ROWS,
                separator="\t" if suffix == ".tsv" else csv_separator(full),
                infer_schema_length=_MAX_ROWS,
                truncate_ragged_lines=True,
            )
        elif suffix in (".ndjson", ".jsonl"):
            frame = pl.read_ndjson(full).head(_MAX_ROWS)
        elif suffix == ".json":
            frame = pl.read_json(full).head(_MAX_ROWS)
        elif suffix == ".parquet":
            frame = pl.read_parquet(full, n_rows=_MAX_ROWS)
        else:
            return None
    except Exception:  # polars raises many unrelated types for bad files: "unreadable"
        return None
    return _facts(frame)


def _facts(frame: Any) -> TableFacts:
    import polars as pl

    numeric: set[str] = set()
    temporal: set[str] = set()
    flags: set[str] = set()
    values: dict[str, tuple[str, ...]] = {}
    for name, dtype in frame.schema.items():
        if dtype == pl.Boolean:
            flags.add(name)
        elif dtype.is_numeric():
            numeric.add(name)
        elif dtype.is_temporal():
            temporal.add(name)
        elif dtype == pl.String:
            distinct = [
                v
                for v in frame.get_column(name).drop_nulls().unique(maintain_order=True).to_list()
                if isinstance(v, str) and 0 < len(v) <= _MAX_VALUE_CHARS
            ][:_MAX_VALUES]
            values[name] = tuple(distinct)
            if distinct and all(_ISO_DATE.match(v) for v in distinct):
                temporal.add(name)
    return TableFacts(
        columns=tuple(frame.columns),
        numeric=frozenset(numeric),
        temporal=frozenset(temporal),
        values=values,
        flags=frozenset(flags),
    )
