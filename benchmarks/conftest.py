"""Benchmarks run in a sealed ALTLAS_HOME too."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def altlas_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key in list(os.environ):
        if key.startswith("ALTLAS_"):
            monkeypatch.delenv(key)
    home = tmp_path / "altlas-home"
    home.mkdir()
    monkeypatch.setenv("ALTLAS_HOME", str(home))
    return home
