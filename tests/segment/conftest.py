"""Shared fixtures for the segmentation tests: gold files, the shared scorer, a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

_DATA = Path(__file__).parent / "data"
_SHARED = Path(__file__).resolve().parents[3] / "shared"


@pytest.fixture
def now() -> datetime:
    """Monday 6 January 2025, 09:00 UTC."""
    return datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


@pytest.fixture
def dev_path() -> Path:
    path = _SHARED / "data" / "segmentation" / "dev.jsonl"
    if not path.is_file():
        pytest.skip("the shared dev set is not available")
    return path


@pytest.fixture
def scorer_path() -> Path:
    path = _SHARED / "tools" / "score_segmentation.py"
    if not path.is_file():
        pytest.skip("the shared scorer is not available")
    return path


@pytest.fixture
def extra_path() -> Path:
    return _DATA / "extra.jsonl"


@pytest.fixture
def fresh_path() -> Path:
    return _DATA / "fresh.jsonl"


@pytest.fixture
def fresh2_path() -> Path:
    return _DATA / "fresh2.jsonl"


@pytest.fixture
def fresh3_path() -> Path:
    return _DATA / "fresh3.jsonl"
