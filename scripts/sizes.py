"""Modules over ~400 lines and functions over ~60 lines (docs/architecture.md, "Size exceptions").

    python scripts/sizes.py [PATH ...]        # default: src/altlas

A function counts from its first decorator-less line to its last, docstring included.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

MODULE_LINES = 400
FUNCTION_LINES = 60


def report(paths: list[Path]) -> list[str]:
    rows: list[str] = []
    for root in paths:
        files = sorted(root.rglob("*.py")) if root.is_dir() else [root]
        for path in files:
            text = path.read_text(encoding="utf-8")
            lines = text.count("\n")
            if lines > MODULE_LINES:
                rows.append(f"module   {path}  {lines} lines")
            for node in ast.walk(ast.parse(text, str(path))):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    length = (node.end_lineno or node.lineno) - node.lineno + 1
                    if length > FUNCTION_LINES:
                        rows.append(f"function {path}:{node.lineno} {node.name}  {length} lines")
    return rows


if __name__ == "__main__":
    found = report([Path(p) for p in sys.argv[1:]] or [Path("src/altlas")])
    print("\n".join(found) or "nothing over the limits")  # noqa: T201
