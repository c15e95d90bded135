"""Fixtures: real OpenAI-compatible servers on loopback and pools built on them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.llm.fakes import OpenAIServer, serving

from altlas.config import Settings
from altlas.llm.config import LlmSettings
from altlas.llm.pool import Pool


@pytest.fixture
def servers() -> Iterator[Callable[..., OpenAIServer]]:
    with serving() as start:
        yield start


@pytest.fixture
def make_pool(altlas_home: Path) -> Iterator[Callable[..., Pool]]:
    pools: list[Pool] = []

    def make(backends: list[dict[str, Any]], *, clock: Any = None, **section: Any) -> Pool:
        data = {"llm": {"backends": backends, **section}}
        settings = Settings(altlas_home, data)
        llm = settings.section("llm", LlmSettings)
        kwargs: dict[str, Any] = {"clock": clock} if clock is not None else {}
        pool = Pool(llm, home=altlas_home, **kwargs)
        pools.append(pool)
        return pool

    yield make
    for pool in pools:
        pool.close()


class FakeClock:
    """A clock the test moves by hand (the breaker's cooldown)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
