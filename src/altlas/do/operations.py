"""One grounded segment: which handler does it, with which typed parameters, and why."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Operation"]


@dataclass(frozen=True, slots=True)
class Operation:
    """What one segment of a command becomes before it is a plan task."""

    handler: str
    """"data", "text", "files", "schedule", "archive", "summarize", "command", "refuse"."""
    params: dict[str, Any]
    """Exactly what that handler takes, the ``operation`` key included."""
    why: str
    """Which words chose it, for the plan display."""
    produces: str | None = None
    """"table" | "lines" | "text" | "value" | "files" | None."""
