"""No module reaches into another package's private parts.

A name with a leading underscore (a module ``_errors``, a function ``_by_role``) is private to
the top-level package it lives in (``altlas.storage``, ``altlas.run``, ...); modules of other
packages use what that package makes public. Private modules of ``altlas`` itself
(``altlas._version``, ``altlas._callable``) are shared by the whole library. Counted: imports
(also inside a function or under TYPE_CHECKING), attributes read off an imported module
(``columns._by_role``) and module paths written as strings (``import_module("altlas.x._y")``).
A third-party private module (``typer._click``) counts too.

Run ``python tests/test_private_imports.py`` to list every reach, allowed or not.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

ALLOWED: dict[tuple[str, str], str] = {
    ("altlas.cli._common", "typer._click.exceptions.UsageError"): (
        "typer vendors click and makes UsageError public nowhere; AltlasGroup catches it to "
        "print usage errors as one line"
    ),
}
"""(importing module, what it reaches) -> why it must stay for now."""


def _private(part: str) -> bool:
    dunder = part.startswith("__") and part.endswith("__")
    sunder = len(part) > 2 and part.startswith("_") and part.endswith("_")  # Enum._missing_
    return part.startswith("_") and not dunder and not sunder


def owner(dotted: str) -> str | None:
    """The package a private name belongs to: its top-level package (``altlas.storage`` for
    ``altlas.storage._errors.X``), ``altlas`` for ``altlas._version``; None if it is public."""
    parts = dotted.split(".")
    for i, part in enumerate(parts[1:], start=1):
        if _private(part):
            return ".".join(parts[: min(i, 2)])
    return None


def _module_name(path: Path, src: Path) -> str:
    parts = path.relative_to(src).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    base = node.module or ""
    if not node.level:
        return base
    here = module.split(".") if is_package else module.split(".")[:-1]
    anchor = here[: len(here) - (node.level - 1)]
    return ".".join([*anchor, base] if base else anchor)


def _attribute_path(node: ast.Attribute, bound: dict[str, str]) -> str | None:
    chain = [node.attr]
    value: ast.expr = node.value
    while isinstance(value, ast.Attribute):
        chain.append(value.attr)
        value = value.value
    if isinstance(value, ast.Name) and bound.get(value.id, "").startswith("altlas"):
        return ".".join([bound[value.id], *reversed(chain)])
    return None


def _imports(tree: ast.AST, module: str, is_package: bool) -> Iterator[tuple[int, str]]:
    """(line, dotted name) of every import, and the names those imports bind."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, module, is_package)
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"


def reaches(source: str, module: str, *, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, private name) that ``module`` (given as ``source``) takes from another package."""
    tree = ast.parse(source)
    bound: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                name = alias.asname or alias.name.split(".")[0]
                bound[name] = alias.name if alias.asname else name
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, module, is_package)
            bound.update({a.asname or a.name: f"{base}.{a.name}" for a in node.names})
    used = list(_imports(tree, module, is_package))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            path = _attribute_path(node, bound)
            if path is not None:
                used.append((node.lineno, path))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            if text.startswith("altlas.") and text.replace(".", "").replace("_", "").isalnum():
                used.append((node.lineno, text))
    found = []
    for line, name in used:
        home = owner(name)
        if home is not None and module != home and not module.startswith(home + "."):
            found.append((line, name))
    return sorted(set(found))


@cache
def all_reaches(src: Path = SRC) -> dict[tuple[str, str], list[str]]:
    """(module, private name) -> the places (``file:line``) it is reached from."""
    found: dict[tuple[str, str], list[str]] = {}
    for path in sorted((src / "altlas").rglob("*.py")):
        module = _module_name(path, src)
        is_package = path.name == "__init__.py"
        for line, name in reaches(path.read_text(), module, is_package=is_package):
            found.setdefault((module, name), []).append(f"{path.relative_to(src)}:{line}")
    return found


def test_no_package_reaches_into_another_ones_private_names() -> None:
    new = {key: places for key, places in all_reaches().items() if key not in ALLOWED}
    assert not new, "private names used across packages (import the public name instead): " + (
        "; ".join(f"{' '.join(places)} uses {name}" for (_, name), places in new.items())
    )


def test_every_allowed_reach_is_still_there_and_has_a_reason() -> None:
    found = all_reaches()
    stale = [key for key in ALLOWED if key not in found]
    assert not stale, f"these reaches are gone, drop them from ALLOWED: {stale}"
    assert all(reason.strip() for reason in ALLOWED.values())


def test_the_check_sees_each_kind_of_reach() -> None:
    module = "altlas.index.store"
    seen = [
        name
        for source in (
            "from altlas.storage._errors import StoreErrors\n",
            "def f():\n    from altlas.storage import _errors\n",
            "import altlas.storage._errors as errors\n",
            "from altlas.run import columns\ncolumns._by_role('a', [])\n",
            "from altlas.run.columns import _by_role\n",
            "from importlib import import_module\nimport_module('altlas.events._sqlite')\n",
            "import typer._click.exceptions\n",
        )
        for _, name in reaches(source, module)
    ]
    assert seen == [
        "altlas.storage._errors.StoreErrors",
        "altlas.storage._errors",
        "altlas.storage._errors",
        "altlas.run.columns._by_role",
        "altlas.run.columns._by_role",
        "altlas.events._sqlite",
        "typer._click.exceptions",
    ]


def test_the_check_lets_a_package_use_its_own_and_the_shared_private_names() -> None:
    allowed = (
        "from altlas.index._parts import X\n"  # own package
        "from ._parts import Y\n"  # own package, relative
        "from altlas._version import __version__\n"  # altlas's own, shared by all
        "from altlas.storage.sqlite import StoreErrors\n"  # the public name
        "from altlas.formats.common import Priority\nPriority._missing_\n"  # an Enum hook
        "import os\nos._exit\n"  # the standard library's business
    )
    assert reaches(allowed, "altlas.index.store") == []


if __name__ == "__main__":
    for (module, name), places in all_reaches().items():
        mark = "allowed" if (module, name) in ALLOWED else "NEW"
        print(mark, name, "in", " ".join(places))  # noqa: T201
    sys.exit(0)
