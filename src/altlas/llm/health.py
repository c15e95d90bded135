"""The pool's backends with their health, for ``altlas llm backends`` (and a server route).

Health comes from the call log, so a fresh process still knows what happened before: calls,
errors (failed fallbacks included), median latency, and the breaker state. The breaker is the
live one when this process has called the backend; otherwise it is worked out from the log
with the pool's rule (``breaker_failures`` consecutive failures, less than
``cooldown_seconds`` ago, mean open). ``probe`` asks each backend for ``/models``.
"""

from __future__ import annotations

import statistics
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from altlas.llm.pool import Pool
    from altlas.llm.strategies import BackendState

__all__ = ["backend_rows", "probe_backend"]

_WINDOW = 200


def _events(calls: list[dict[str, Any]]) -> dict[str, list[tuple[str, float | None, str]]]:
    """Per backend, newest first: (status, latency_ms, at) of every attempt in the log."""
    found: dict[str, list[tuple[str, float | None, str]]] = {}
    for call in calls:
        if call.get("backend"):
            found.setdefault(call["backend"], []).append(
                (call["status"], call.get("latency_ms"), call["at"])
            )
        for attempt in reversed(call.get("fallbacks") or []):
            if not attempt.get("skipped"):
                found.setdefault(attempt["backend"], []).append(("error", None, call["at"]))
    return found


def _logged_breaker(
    events: list[tuple[str, float | None, str]], failures: int, cooldown: float
) -> str:
    consecutive = 0
    for status, _, _ in events:
        if status == "ok":
            break
        consecutive += 1
    if consecutive < failures:
        return "closed"
    last = datetime.fromisoformat(events[0][2].replace("Z", "+00:00")).timestamp()
    return "open" if time.time() - last < cooldown else "half_open"


def _row(
    pool: Pool, state: BackendState, events: list[tuple[str, float | None, str]]
) -> dict[str, Any]:
    config = state.config
    errors = sum(1 for status, _, _ in events if status != "ok")
    latencies = [ms for status, ms, _ in events if status == "ok" and ms is not None]
    if state.calls:
        breaker = state.breaker.snapshot()["state"]
    else:
        breaker = _logged_breaker(
            events, pool.settings.breaker_failures, pool.settings.cooldown_seconds
        )
    last = events[0][0] if events else None
    if not events:
        health = "unknown"
    elif breaker != "closed":
        health = "down"
    elif last == "ok":
        health = "ok"
    else:
        health = "failing"
    return {
        "name": config.name,
        "model": config.model,
        "base_url": config.base_url,
        "weight": config.weight,
        "breaker": breaker,
        "calls": len(events),
        "errors": errors,
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "last_status": last,
        "health": health,
    }


def probe_backend(pool: Pool, state: BackendState) -> str:
    """``up (12 ms)`` or ``down: <reason>``, from ``GET {base_url}/models``."""
    import httpx

    from altlas.llm.attempts import key_for
    from altlas.llm.client import endpoint

    url = endpoint(state.config.base_url).removesuffix("/chat/completions") + "/models"
    try:
        key = key_for(state)
    except Exception as exc:  # a missing key variable is what the operator needs to see
        return f"down: {exc}"
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    started = time.perf_counter()
    try:
        response = httpx.get(url, headers=headers, timeout=min(state.config.timeout, 5.0))
    except httpx.HTTPError as exc:
        return f"down: {type(exc).__name__}: {exc}"
    ms = (time.perf_counter() - started) * 1000
    if response.status_code >= 400:
        return f"down: HTTP {response.status_code}"
    return f"up ({ms:.0f} ms)"


def backend_rows(pool: Pool, *, probe: bool = False) -> list[dict[str, Any]]:
    from altlas.llm.calllog import read_calls

    events = _events(read_calls(pool.home, limit=_WINDOW))
    rows = []
    for state in pool.states:
        row = _row(pool, state, events.get(state.config.name, []))
        if probe:
            row["probe"] = probe_backend(pool, state)
        rows.append(row)
    return rows
