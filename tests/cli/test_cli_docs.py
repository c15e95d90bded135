"""docs/cli.md is generated from --help; this fails when it is stale (issue 11, Docs)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _generator():
    spec = importlib.util.spec_from_file_location(
        "gen_cli_docs", ROOT / "scripts" / "gen_cli_docs.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_is_current() -> None:
    expected = _generator().render()
    current = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert current == expected, "docs/cli.md is stale: run python scripts/gen_cli_docs.py"


def test_cli_reference_covers_every_command() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for title in (
        "## altlas run\n",
        "## altlas runs resume\n",
        "## altlas paths\n",
        "## altlas config show\n",
        "## altlas archive add\n",
        "## altlas do\n",
    ):
        assert title in text
