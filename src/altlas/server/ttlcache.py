"""Small, bounded, time-limited maps for the request path (principals, sessions, tokens).

Reads take no lock: a dict lookup is atomic under the GIL, and the event loop reads far more
often than anything writes. Writers lock so a clear never races an insert.
"""

from __future__ import annotations

import threading
import time
from typing import Any

__all__ = ["TtlCache"]

_MAX_ENTRIES = 10_000


class TtlCache:
    """Answers kept for ``seconds``; when full, everything is dropped at once (the entries
    are cheap to recompute, and a bounded size matters more than a good hit ratio)."""

    def __init__(self, seconds: float, max_entries: int = _MAX_ENTRIES) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self._data: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> Any:
        item = self._data.get(key)
        if item is None or item[0] < time.monotonic():
            return None
        return item[1]

    def put(self, key: str, value: Any, seconds: float | None = None) -> None:
        expires = time.monotonic() + (self.seconds if seconds is None else seconds)
        with self._lock:
            if len(self._data) >= self.max_entries:
                self._data.clear()
            self._data[key] = (expires, value)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
