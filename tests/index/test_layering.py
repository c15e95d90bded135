"""The archive's layering: SQL lives in the repository; the parts never import ``Archive``.

The import cycles of ``altlas.index`` are checked by tests/test_import_cycles.py.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import altlas.index

INDEX = Path(altlas.index.__file__).parent
SQL = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|PRAGMA|BEGIN|WITH)\b")

SQL_HOMES = {"repository.py", "migrations.py"}
"""Where archive statements belong."""
HOT_PATH = {
    "ingest.py",
    "batch.py",
    "blobs.py",
    "packs.py",
    "staging.py",
    "stager.py",
    "autodict.py",
    "synthetic.py",
}
"""Ingest's hot path and the packed blob store (its own SQLite file) keep their batches."""


def sql_texts(source: str) -> list[tuple[int, str]]:
    """``(line, text)`` of every string literal (or f-string piece) that starts a statement."""
    return [
        (node.lineno, node.value)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.match(node.value)
    ]


def test_no_sql_outside_the_repository() -> None:
    stray = {
        path.name: sql_texts(path.read_text())
        for path in sorted(INDEX.glob("*.py"))
        if path.name not in SQL_HOMES | HOT_PATH
    }
    assert {name: found for name, found in stray.items() if found} == {}


def test_the_check_finds_a_statement_even_in_an_f_string() -> None:
    source = 'def f(conn, t):\n    conn.execute(f"UPDATE results SET x = 1 WHERE {t}")\n'
    assert [line for line, _ in sql_texts(source)] == [2]
    assert sql_texts('print("Selecting the results")\n') == []


def test_the_parts_take_archive_parts_not_archive() -> None:
    """Ingest, maintenance, bundles, atlas, stats ... import ``parts``, never ``archive``."""
    importers = []
    for path in sorted(INDEX.glob("*.py")):
        if path.name in ("archive.py", "__init__.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "altlas.index.archive":
                importers.append(path.name)
    assert importers == []


RAW_ACCESS = re.compile(r"\.store\.(conn|query|chunked|transaction|errors)\b")


def test_callers_get_repository_methods_never_the_connection() -> None:
    """Outside the hot path nothing reaches for the connection or runs its own statement."""
    reaching = {
        path.name: RAW_ACCESS.findall(path.read_text())
        for path in sorted(INDEX.glob("*.py"))
        if path.name not in SQL_HOMES | HOT_PATH | {"store.py"}
    }
    assert {name: found for name, found in reaching.items() if found} == {}
    assert RAW_ACCESS.findall("rows = archive.store.query('...')") == ["query"]
