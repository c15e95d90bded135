"""Request analytics: every request is recorded, written to SQLite in batches, reported with polars.

The recorder only appends to a deque on the request path; a background thread
writes what has accumulated every ``flush_seconds`` (or sooner when ``batch`` rows wait) in
one transaction, so the cost of durability is shared by hundreds of requests and there is
never one fsync per request. ``altlas analytics`` and ``GET /v1/analytics`` share
:func:`report`. The SQL lives in the repository (:mod:`altlas.server.analytics_store`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from altlas.errors import Diagnostic as _Diagnostic
from altlas.errors import ValidationError
from altlas.server.analytics_store import (
    AnalyticsRepository,
    db_path,
    open_analytics_repository,
)

__all__ = [
    "GROUPINGS",
    "AnalyticsRecorder",
    "RequestRecord",
    "db_path",
    "parse_since",
    "report",
]

log = logging.getLogger("altlas.server.analytics")

GROUPINGS = {
    "route": ("route", "method"),
    "principal": ("principal",),
    "route,principal": ("route", "method", "principal"),
    "status": ("status",),
}


class RequestRecord(NamedTuple):
    """One request, in the column order of the ``requests`` table (so a batch is written
    as it is, with no conversion per row)."""

    ts: float
    route: str
    method: str
    status: int
    latency_ms: float
    principal: str | None
    bytes_in: int
    bytes_out: int


class AnalyticsRecorder:
    """Buffers request records and writes them in batches from a background thread."""

    def __init__(
        self,
        home: Path,
        *,
        flush_seconds: float = 1.0,
        batch: int = 500,
        retention_days: int = 30,
        max_pending: int = 100_000,
        repository: AnalyticsRepository | None = None,
    ) -> None:
        self._repo: AnalyticsRepository = repository or open_analytics_repository(home)
        self.path = self._repo.path
        self.flush_seconds = flush_seconds
        self.batch = batch
        self.retention_days = retention_days
        self.max_pending = max_pending
        # Appends (the event loop) and pops (the writer) of a deque are atomic: no lock.
        self._pending: deque[RequestRecord] = deque()
        self._write_lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_prune = 0.0
        self.dropped = 0
        self.written = 0
        self.flushes = 0

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="altlas-analytics", daemon=True)
            self._thread.start()

    def record(self, rec: RequestRecord) -> None:
        pending = self._pending
        if len(pending) >= self.max_pending:
            # The writer cannot keep up; losing analytics beats exhausting memory.
            self.dropped += 1
            return
        pending.append(rec)
        if len(pending) == self.batch:
            self._wake.set()

    def _take(self) -> list[RequestRecord]:
        pending = self._pending
        return [pending.popleft() for _ in range(len(pending))]

    def flush(self) -> int:
        """Write everything pending now; returns how many rows were written."""
        with self._write_lock:
            rows = self._take()
            if not rows:
                return 0
            self._repo.insert(rows)
            self.written += len(rows)
            self.flushes += 1
            self._prune()
        return len(rows)

    def _prune(self) -> None:
        now = time.time()
        if now - self._last_prune < 3600:
            return
        self._last_prune = now
        cutoff = now - self.retention_days * 86400
        self._repo.prune(cutoff)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.flush_seconds)
            self._wake.clear()
            try:
                self.flush()
            except Exception:
                log.exception("cannot write request analytics")

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None
        try:
            self.flush()
        finally:
            with self._write_lock:
                self._repo.close()


def parse_since(text: str | None, *, now: datetime | None = None) -> float | None:
    """``1h``, ``30m``, ``7d`` back from now, or an ISO 8601 time; None is everything.

    The same grammar (and the same out-of-range check) as the archive's ``--since``.
    """
    from altlas.index.timeparse import parse_when

    if text is None or not text.strip():
        return None
    return parse_when(text, now=now).timestamp()


def report(
    home: Path,
    *,
    since: float | None = None,
    by: str = "route",
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Per group: requests, rate per minute, error ratios and latency percentiles (ms).

    Sorted by request count, highest first.
    """
    keys = GROUPINGS.get(by)
    if keys is None:
        raise ValidationError(
            [_Diagnostic(f"by must be one of {', '.join(GROUPINGS)}", "by")],
        )
    import polars as pl

    repository = open_analytics_repository(home)
    try:
        rows = repository.since(since if since is not None else 0.0)
    finally:
        repository.close()
    frame = pl.DataFrame(
        rows,
        schema={
            "ts": pl.Float64,
            "route": pl.String,
            "method": pl.String,
            "status": pl.Int64,
            "latency_ms": pl.Float64,
            "principal": pl.String,
            "bytes": pl.Int64,
        },
        orient="row",
    )
    if frame.is_empty():
        return []
    # The window runs to now: a route asked 100 times in the last minute of an hour-long
    # window was asked at 100/60 per minute over that hour.
    end = max(time.time(), float(frame["ts"].max()))  # type: ignore[arg-type]
    start = since if since is not None else float(frame["ts"].min())  # type: ignore[arg-type]
    minutes = max((end - start) / 60.0, 1 / 60)
    status = pl.col("status")
    latency = pl.col("latency_ms")
    summary = (
        frame.group_by(list(keys))
        .agg(
            pl.len().alias("requests"),
            (status >= 400).mean().alias("error_ratio"),
            ((status >= 400) & (status < 500)).mean().alias("client_error_ratio"),
            (status >= 500).mean().alias("server_error_ratio"),
            latency.quantile(0.5, "linear").alias("p50_ms"),
            latency.quantile(0.9, "linear").alias("p90_ms"),
            latency.quantile(0.99, "linear").alias("p99_ms"),
            latency.max().alias("max_ms"),
            pl.col("bytes").sum().alias("bytes_out"),
        )
        .with_columns((pl.col("requests") / minutes).alias("rate_per_minute"))
        .sort(["requests", *keys], descending=[True, *([False] * len(keys))])
    )
    if limit is not None:
        summary = summary.head(limit)
    out = summary.to_dicts()
    for row in out:
        for name in ("error_ratio", "client_error_ratio", "server_error_ratio"):
            row[name] = round(float(row[name]), 4)
        for name in ("p50_ms", "p90_ms", "p99_ms", "max_ms", "rate_per_minute"):
            row[name] = round(float(row[name]), 3)
    return out
