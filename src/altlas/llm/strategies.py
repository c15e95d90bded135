"""The order in which the pool tries its backends for one request.

* ``fallback``: the configured order.
* ``round-robin``: smooth weighted round robin (nginx's): over any window each backend leads
  in proportion to its weight; the others follow in configured order as fallbacks.
* ``least-latency``: lowest EWMA of recent latencies first; untried backends first, so each
  gets measured. A failure counts as its timeout, which sinks the backend.
* ``cheapest``: lowest expected cost of this request first (the budget check skips any that
  would exceed a limit).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from altlas.llm.config import BackendConfig
    from altlas.run.resilience import CircuitBreaker

__all__ = ["BackendState", "RoundRobin", "expected_cost", "order"]

EWMA_ALPHA = 0.3


@dataclass(slots=True)
class BackendState:
    """A backend's config and what the pool has learned about it."""

    config: BackendConfig
    breaker: CircuitBreaker
    ewma_ms: float | None = None
    calls: int = 0
    failures: int = 0
    last_error: str | None = None
    rr_current: float = 0.0

    def observe(self, latency_ms: float) -> None:
        if self.ewma_ms is None:
            self.ewma_ms = latency_ms
        else:
            self.ewma_ms = EWMA_ALPHA * latency_ms + (1 - EWMA_ALPHA) * self.ewma_ms


def expected_cost(config: BackendConfig, prompt_tokens: int, completion_tokens: int) -> float:
    return config.cost(prompt_tokens, completion_tokens)


class RoundRobin:
    def __init__(self) -> None:
        self._lock = threading.Lock()

    def lead(self, states: list[BackendState]) -> BackendState | None:
        weighted = [s for s in states if s.config.weight > 0]
        if not weighted:
            return None
        with self._lock:
            total = sum(s.config.weight for s in weighted)
            for state in weighted:
                state.rr_current += state.config.weight
            chosen = max(weighted, key=lambda s: s.rr_current)
            chosen.rr_current -= total
        return chosen


def order(
    strategy: str,
    states: list[BackendState],
    *,
    rr: RoundRobin,
    prompt_tokens: int,
    completion_tokens: int,
) -> list[BackendState]:
    if strategy == "round-robin":
        lead = rr.lead(states)
        if lead is None:
            return list(states)
        return [lead, *(s for s in states if s is not lead)]
    if strategy == "least-latency":
        return sorted(states, key=lambda s: -1.0 if s.ewma_ms is None else s.ewma_ms)
    if strategy == "cheapest":
        return sorted(
            states, key=lambda s: expected_cost(s.config, prompt_tokens, completion_tokens)
        )
    return list(states)
