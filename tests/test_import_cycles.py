"""No import cycles inside any package, nor between packages but for the listed back edges;
every import counts, also the ones made inside a function or under TYPE_CHECKING (a cycle
hidden that way is still a tangle).

Run ``python tests/test_import_cycles.py altlas.index`` to see the cycles of any package.
"""

from __future__ import annotations

import ast
import graphlib
import sys
from collections.abc import Collection
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

CYCLES_ALLOWED: dict[str, str] = {}
"""Package -> the written reason its modules may still import each other in a circle (none
today; a package gets an entry only with a reason, never to make the test pass)."""


def _packages() -> tuple[str, ...]:
    root = SRC / "altlas"
    found = (p for p in root.iterdir() if p.is_dir() and any(p.rglob("*.py")))
    return tuple(sorted(f"altlas.{p.name}" for p in found))


ACYCLIC_PACKAGES = tuple(p for p in _packages() if p not in CYCLES_ALLOWED)
"""Every package under src/altlas (subpackages included) whose modules must import each
other one way only: all but those in :data:`CYCLES_ALLOWED`."""


def _module_files(package: str) -> dict[str, Path]:
    root = SRC / package.replace(".", "/")
    files = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(SRC).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        files[name] = path
    return files


def _imported(name: str, path: Path, tree: ast.AST) -> set[str]:
    """Absolute names of what the module imports (``from pkg import mod`` counts as pkg.mod)."""
    here = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = here.split(".")[: len(here.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def import_graph(package: str) -> dict[str, set[str]]:
    """Module -> the modules of the same package it imports."""
    files = _module_files(package)
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        imported = _imported(name, path, ast.parse(path.read_text(), str(path)))
        # ``from pkg import mod`` names both pkg and pkg.mod; the submodule is the real target
        targets = {m for m in imported if m in files}
        targets -= {m for m in targets if any(t.startswith(m + ".") for t in targets)}
        graph[name] = targets - {name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as ``[a, b, ..., a]``, each module importing the next; None if there is none."""
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:
        # graphlib lists a cycle in the order things must come first: imported before importer
        return list(reversed(exc.args[1]))
    return None


@pytest.mark.parametrize("package", ACYCLIC_PACKAGES)
def test_no_import_cycle_inside(package: str) -> None:
    cycle = find_cycle(import_graph(package))
    assert cycle is None, "import cycle: " + " -> ".join(cycle or ())


def test_every_package_is_checked_or_has_a_reason() -> None:
    """The discovery itself: a package that silently drops out is not checked at all."""
    assert {"altlas.cli", "altlas.do", "altlas.llm", "altlas.run", "altlas.server"} <= set(
        ACYCLIC_PACKAGES
    )
    assert set(CYCLES_ALLOWED) <= set(_packages()), "a reason for a package that is gone"
    assert all(reason.strip() for reason in CYCLES_ALLOWED.values())


BACK_EDGES: dict[tuple[str, str], str] = {
    ("altlas.llm.planner", "altlas.do.context"): (
        "the LLM planner fallback of altlas do lives in llm/ (documented as altlas.llm.planner)"
    ),
    ("altlas.llm.planner", "altlas.do.operations"): "the same planner builds do's Operation",
    ("altlas.llm.pool", "altlas.run.resilience"): (
        "the pool's breakers are run/'s CircuitBreaker; run/ calls the pool from its llm handler"
    ),
    ("altlas.llm.strategies", "altlas.run.resilience"): "the same breakers",
    ("altlas.llm.streaming", "altlas.run.resilience"): "the same breakers",
    ("altlas.scale.jobqueue", "altlas.server.config"): (
        "the server's NATS job queue reads the server settings; the server makes that queue"
    ),
}
"""Imports (module -> module) that still go from a lower package up to one that uses it; each
closes a circle between packages, so each has its reason. No other import may close one."""


def _unit(module: str) -> str:
    """The top-level package (or module) of ``module``: altlas.run for altlas.run.handlers.x."""
    return ".".join(module.split(".")[:2])


def package_graph(skip: Collection[tuple[str, str]] = ()) -> dict[str, set[str]]:
    """Top-level package -> the packages it imports, leaving out the imports in ``skip``.

    The root ``altlas`` is the lazy facade over everything and stays out.
    """
    graph: dict[str, set[str]] = {}
    for module, targets in import_graph("altlas").items():
        if module == "altlas":
            continue
        uses = graph.setdefault(_unit(module), set())
        uses.update(_unit(t) for t in targets if t != "altlas" and (module, t) not in skip)
    return {unit: uses - {unit} for unit, uses in graph.items()}


def test_no_import_cycle_between_packages_but_the_known_back_edges() -> None:
    cycle = find_cycle(package_graph(skip=BACK_EDGES))
    assert cycle is None, "import cycle between packages: " + " -> ".join(cycle or ())


def test_every_back_edge_is_still_there_and_closes_a_cycle() -> None:
    """An edge that is gone, or no longer closes a circle, leaves the list."""
    graph = import_graph("altlas")
    for edge, reason in BACK_EDGES.items():
        importer, imported = edge
        assert imported in graph.get(importer, set()), f"gone, drop it from BACK_EDGES: {edge}"
        assert reason.strip()
        others = package_graph(skip=set(BACK_EDGES) - {edge})
        others[_unit(importer)].add(_unit(imported))
        assert find_cycle(others) is not None, f"closes no circle, drop it: {edge}"


def test_the_check_sees_a_cycle_made_by_a_lazy_import(tmp_path: Path) -> None:
    """The checker itself: an import inside a function still closes a cycle."""
    a = ast.parse("from pkg.b import thing\n")
    b = ast.parse("def f():\n    from pkg import a\n")
    graph = {
        "pkg.a": _imported("pkg.a", tmp_path / "a.py", a) & {"pkg.b"},
        "pkg.b": _imported("pkg.b", tmp_path / "b.py", b) & {"pkg.a"},
    }
    assert find_cycle(graph) is not None


if __name__ == "__main__":
    for package in sys.argv[1:] or ACYCLIC_PACKAGES:
        graph = import_graph(package)
        for _ in range(sum(len(targets) for targets in graph.values())):
            cycle = find_cycle(graph)
            if cycle is None:
                break
            print(package, "cycle:", " -> ".join(cycle))  # noqa: T201
            graph[cycle[-2]].discard(cycle[-1])  # break it to find the next one
