"""Shared fixtures: every test runs in a sealed ALTLAS_HOME with no ALTLAS_* settings leaking in."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest


def pytest_report_header() -> list[str]:
    lines = [f"sqlite {sqlite3.sqlite_version}"]
    for name in ("pydantic", "polars", "tantivy", "typer"):
        try:
            from importlib.metadata import version

            lines.append(f"{name} {version(name)}")
        except Exception:
            continue
    return [", ".join(lines)]


@pytest.fixture(autouse=True)
def altlas_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty ALTLAS_HOME for each test."""
    from altlas.testing import seal_home

    return seal_home(tmp_path, monkeypatch)


@pytest.fixture
def cli():
    """Invoke the altlas CLI in-process: ``cli("validate", "x.alt")`` -> click Result."""
    from typer.testing import CliRunner

    from altlas.cli.main import app

    runner = CliRunner()

    def invoke(*args: str, input: str | bytes | None = None):
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    return invoke
