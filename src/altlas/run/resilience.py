"""Timeouts, retries and circuit breakers.

* Retries: tenacity, exponential backoff with jitter, only for transient failures (anything
  but :class:`PermanentError`); a timed-out attempt is transient too.
* Circuit breaker, one per handler + target (a host, a program): after ``failures``
  consecutive transient failures it *opens* and refuses calls at once; after ``reset_seconds``
  it *half-opens* and lets one trial call through, which closes it on success or re-opens it.

The breaker is a few lines here rather than pybreaker or purgatory: pybreaker's async path
needs Tornado, and both keep state in objects we would have to key and clock ourselves anyway;
this one is keyed, async-safe on one loop, takes an injectable clock for tests, and reports
its state for the result.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from altlas.run.handlers.base import PermanentError

__all__ = [
    "BreakerRegistry",
    "CircuitBreaker",
    "CircuitOpenError",
    "is_transient",
    "retry_policy",
]


class CircuitOpenError(PermanentError):
    """Refused by an open circuit breaker, without calling the handler."""

    def __init__(self, message: str) -> None:
        super().__init__(message, error_type="CircuitOpen")


def is_transient(exc: BaseException) -> bool:
    """Worth a retry (and counted by breakers): anything but a permanent handler error."""
    return not isinstance(exc, PermanentError) and isinstance(exc, Exception)


@dataclass(slots=True)
class CircuitBreaker:
    key: str
    failures: int = 5
    reset_seconds: float = 30.0
    clock: Callable[[], float] = time.monotonic
    state: str = "closed"
    consecutive: int = 0
    opened_at: float = 0.0
    trial_in_flight: bool = False
    times_opened: int = 0

    def before_call(self) -> None:
        """Raise :class:`CircuitOpenError` unless a call may go through now."""
        if self.state == "closed":
            return
        now = self.clock()
        if self.state == "open" and now - self.opened_at >= self.reset_seconds:
            self.state = "half_open"
            self.trial_in_flight = False
        if self.state == "half_open" and not self.trial_in_flight:
            self.trial_in_flight = True
            return
        wait = max(0.0, self.reset_seconds - (now - self.opened_at))
        raise CircuitOpenError(
            f"circuit open for {self.key} after {self.consecutive} consecutive failures; "
            + (f"retry in {wait:.1f} s" if self.state == "open" else "a trial call is in flight")
        )

    def record_success(self) -> None:
        self.state = "closed"
        self.consecutive = 0
        self.trial_in_flight = False

    def record_failure(self) -> None:
        self.consecutive += 1
        if self.state == "half_open" or self.consecutive >= self.failures:
            if self.state != "open":
                self.times_opened += 1
            self.state = "open"
            self.opened_at = self.clock()
            self.trial_in_flight = False

    def release(self) -> None:
        """A half-open trial ended with neither success nor a transient failure."""
        self.trial_in_flight = False

    def snapshot(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "consecutive_failures": self.consecutive,
            "times_opened": self.times_opened,
        }


@dataclass(slots=True)
class BreakerRegistry:
    """Breakers by key. One per run by default; share one across runs to share state."""

    failures: int = 5
    reset_seconds: float = 30.0
    clock: Callable[[], float] = time.monotonic
    breakers: dict[str, CircuitBreaker] = field(default_factory=dict)

    def get(self, handler: str, target: str | None) -> CircuitBreaker:
        key = f"{handler}:{target}" if target else handler
        found = self.breakers.get(key)
        if found is None:
            found = CircuitBreaker(key, self.failures, self.reset_seconds, self.clock)
            self.breakers[key] = found
        return found


def retry_policy(
    attempts: int,
    *,
    initial: float,
    maximum: float,
    jitter: float,
    before_sleep: Callable[[Any], Any] | None = None,
) -> Any:
    """A tenacity ``AsyncRetrying`` for ``attempts`` tries in all."""
    from tenacity import (
        AsyncRetrying,
        retry_if_exception,
        stop_after_attempt,
        wait_exponential,
        wait_random,
    )

    # initial * 2**(n-1), capped, plus uniform jitter: spelled this way because tenacity
    # renamed wait_exponential_jitter's arguments between the versions we support
    wait = wait_exponential(multiplier=initial, max=maximum) + wait_random(0, jitter)
    return AsyncRetrying(
        stop=stop_after_attempt(max(1, attempts)),
        wait=wait,
        retry=retry_if_exception(is_transient),
        reraise=True,
        before_sleep=before_sleep,
    )
