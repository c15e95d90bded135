"""The storage layer's shape: a leaf package; stores open files only through it; SQL only in
repositories. Read from the source (AST), so a shortcut added later fails here."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import altlas

SRC = Path(altlas.__file__).parent
_MOVED = ("altlas.index.lock", "altlas.index.health")  # now altlas.storage.lock / .health
# A statement, not a bare word: "DELETE" alone is also a pragma value (journal_mode).
_SQL = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|PRAGMA)\s+\S", re.IGNORECASE)


def _tree(relative: str) -> ast.Module:
    return ast.parse((SRC / relative).read_text(), filename=relative)


def _imports(tree: ast.Module) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _calls_sqlite_connect(tree: ast.Module) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "connect"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "sqlite3"
    ]


def _sql_strings(tree: ast.Module) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and _SQL.match(node.value)
    ]


@pytest.mark.parametrize("module", sorted(p.name for p in (SRC / "storage").glob("*.py")))
def test_storage_is_a_leaf(module: str) -> None:
    inside = {m for m in _imports(_tree(f"storage/{module}")) if m.startswith("altlas")}
    assert inside <= {"altlas.errors", "altlas.config"} | {
        m for m in inside if m.startswith("altlas.storage")
    }


@pytest.mark.parametrize(
    "module",
    [
        "run/journal.py",
        "run/journal_store.py",
        "run/journal_repair.py",
        "events/embedded.py",
        "events/jobstore.py",
        "llm/calllog.py",
        "llm/cache.py",
    ],
)
def test_stores_open_files_only_through_storage(module: str) -> None:
    tree = _tree(module)
    assert _calls_sqlite_connect(tree) == [] or module == "run/journal_store.py"
    assert not {
        m for m in _imports(tree) if m.startswith(("altlas.index.lock", "altlas.index.health"))
    }


def test_the_journal_store_connects_only_for_an_empty_in_memory_journal() -> None:
    source = (SRC / "run/journal_store.py").read_text()
    assert source.count("sqlite3.connect(") == 1
    assert 'sqlite3.connect(":memory:")' in source


@pytest.mark.parametrize(
    "module", ["run/journal.py", "run/journal_repair.py", "events/embedded.py"]
)
def test_no_sql_outside_the_repositories(module: str) -> None:
    assert _sql_strings(_tree(module)) == []
