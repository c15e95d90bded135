"""The orchestrator's errors: one class, with a ``kind`` a caller can act on.

``kind`` is one of ``not_configured`` (no backend: a setting to fix), ``budget`` (the call was
refused before any request), ``refused`` (a 4xx the next backend would refuse too: the request
itself is wrong), ``unavailable`` (every backend failed, cooled down or was skipped),
``stream_cut`` (a stream ended without its end marker after the first token) and ``invalid``
(an answer that is not what was asked for).
"""

from __future__ import annotations

from typing import Any

from altlas.errors import ExecutionError

__all__ = ["LlmError"]


class LlmError(ExecutionError):
    """A call through the pool that did not produce an answer."""

    def __init__(
        self,
        message: str,
        *,
        kind: str,
        attempts: list[dict[str, Any]] | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.attempts = attempts or []
        """What each backend did: ``{backend, error, status}``, in order."""
        self.status = status

    @property
    def retryable(self) -> bool:
        """Worth trying again later (a task retry): the backends were down, not the request."""
        return self.kind in ("unavailable", "stream_cut")
