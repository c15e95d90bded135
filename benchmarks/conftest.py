"""Benchmarks run in a sealed ALTLAS_HOME too."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def altlas_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty ALTLAS_HOME for each test."""
    from altlas.testing import seal_home

    return seal_home(tmp_path, monkeypatch)
