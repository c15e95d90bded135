"""Spend limits per run, per caller key and per backend: reserve first, settle from usage.

A reservation is the most the call can cost (the prompt's estimated tokens plus ``max_tokens``
at the backend's prices), taken before any request; it is replaced by the real cost from the
reply's ``usage``, or released when the call fails. So concurrent calls cannot together
overrun a limit, and a call that could exceed it is refused before it is sent.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

__all__ = ["DEFAULT_COMPLETION_TOKENS", "Ledger", "Reservation", "Scope"]

DEFAULT_COMPLETION_TOKENS = 1024
"""The completion a request without ``max_tokens`` is assumed to cost, for reservations."""

Scope = tuple[str, str]
"""``("run", run_id)``, ``("key", key_id)`` or ``("backend", name)``."""


@dataclass(slots=True)
class Reservation:
    limits: dict[Scope, float]
    amount: float


class Ledger:
    """Money spent and held, by scope; thread-safe (the server calls from many tasks)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.spent: dict[Scope, float] = {}
        self.held: dict[Scope, float] = {}

    def reserve(self, limits: dict[Scope, float], amount: float) -> Reservation | str:
        """A reservation, or the reason it does not fit (naming the scope)."""
        with self._lock:
            for scope, limit in limits.items():
                used = self.spent.get(scope, 0.0) + self.held.get(scope, 0.0)
                if used + amount > limit + 1e-12:
                    kind, name = scope
                    return (
                        f"the {kind} budget of {name} (${limit:.4f}) would be exceeded: "
                        f"${used:.4f} used or held, this call may cost up to ${amount:.4f}"
                    )
            for scope in limits:
                self.held[scope] = self.held.get(scope, 0.0) + amount
        return Reservation(limits, amount)

    def settle(self, reservation: Reservation, actual: float) -> None:
        with self._lock:
            for scope in reservation.limits:
                self.held[scope] = max(0.0, self.held.get(scope, 0.0) - reservation.amount)
                self.spent[scope] = self.spent.get(scope, 0.0) + actual

    def release(self, reservation: Reservation) -> None:
        self.settle(reservation, 0.0)

    def charge(self, scopes: list[Scope], actual: float) -> None:
        """Spend recorded without a limit (so a limit set later still sees it)."""
        with self._lock:
            for scope in scopes:
                self.spent[scope] = self.spent.get(scope, 0.0) + actual
