"""Rows written into an old store, looked for after the upgrade (``test_upgrades.py``): as
they were, or in the form a migration converted them to (the archive's m005 and m006)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def columns_of(path: Path, tables: Iterable[str]) -> dict[str, list[str]]:
    conn = sqlite3.connect(path)
    try:
        return {t: [str(r[1]) for r in conn.execute(f'PRAGMA table_info("{t}")')] for t in tables}
    finally:
        conn.close()


def still_there(
    path: Path, written: dict[str, set[tuple[Any, ...]]], before: dict[str, list[str]]
) -> None:
    """The rows, by the names their columns had when written (a rebuilt table may order
    them otherwise)."""
    conn = sqlite3.connect(path)
    try:
        for table, rows in written.items():
            width = len(next(iter(rows)))
            names = ", ".join(f'"{c}"' for c in before[table][:width])
            found = set(conn.execute(f'SELECT {names} FROM "{table}"'))
            assert rows <= found, (table, rows - found)
    finally:
        conn.close()


def results_rekeyed(path: Path, rows: set[tuple[Any, ...]], columns: list[str]) -> None:
    """archive m006: every value is kept but ``id`` (computed from the digest since) and
    ``sha256`` (its bytes: hex text becomes 32 bytes, anything else its UTF-8)."""
    from altlas.index.migrations import _digest

    if "id" not in columns:  # written at m006 or later: nothing was converted
        still_there(path, {"results": rows}, {"results": columns})
        return
    conn = sqlite3.connect(path)
    try:
        names = [str(r[1]) for r in conn.execute('PRAGMA table_info("results")')]
        assert "id" not in names and names[:2] == ["rid", "sha256"]
        width = len(next(iter(rows))) - 1
        found = set(conn.execute(f"SELECT {', '.join(names[:width])} FROM results"))
        ids = dict(conn.execute("SELECT rid, id FROM results"))
    finally:
        conn.close()
    for rid, _id, sha, *rest in rows:
        assert (rid, _digest(sha), *rest) in found
        assert ids[rid] == _digest(sha)[:8].hex()


_BY_NAME = "SELECT n.*, t.rid FROM {table} t JOIN {names} n USING (code)"


def tags_numbered(path: Path, rows: set[tuple[Any, ...]], columns: list[str]) -> None:
    """archive m006: ``tags`` rows hold the tag's number (``tag_names``)."""
    if "tag" not in columns:  # written at m006 or later
        still_there(path, {"tags": rows}, {"tags": columns})
        return
    conn = sqlite3.connect(path)
    try:
        named = _BY_NAME.format(table="tags", names="tag_names")
        found = {(rid, tag) for _, tag, rid in conn.execute(named)}
    finally:
        conn.close()
    assert rows <= found, rows - found


def tasks_packed(path: Path, rows: set[tuple[Any, ...]], _columns: list[str]) -> None:
    """archive m005: the ``tasks`` rows are in ``results.task_pack`` and ``task_types``."""
    from altlas.index.taskpack import unpack_tasks

    conn = sqlite3.connect(path)
    try:
        packed = {
            rid: unpack_tasks(pack)
            for rid, pack in conn.execute("SELECT rid, task_pack FROM results")
        }
        named = _BY_NAME.format(table="task_types", names="task_type_names")
        types = {(kind, rid) for _, kind, rid in conn.execute(named)}
    finally:
        conn.close()
    for rid, _seq, *values in rows:
        assert tuple(values) in packed[rid], (rid, values, packed[rid])
        assert (values[1], rid) in types
