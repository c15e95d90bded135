"""Prometheus request metrics, the same series as Litestar's plugin at a fraction of the cost.

Litestar's ``PrometheusMiddleware`` builds a ``Request``, a label dict and four label
lookups (each under the metric's lock) on every request: about a fifth of a cached,
authenticated GET. This subclass keeps its metrics (same names, labels and registry, so
``/metrics`` and multi-process mode are unchanged) and remembers the labelled children per
route template and status instead.
"""

from __future__ import annotations

import time
from typing import Any

from litestar.plugins.prometheus import PrometheusConfig, PrometheusMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["RouteMetricsMiddleware", "metrics_config"]

_MAX_SERIES = 10_000
"""Route templates and statuses are a closed set; this only bounds a misbehaving client."""


class RouteMetricsMiddleware(PrometheusMiddleware):
    """Requests in progress, counts, errors and durations per (method, route template, status)."""

    def __init__(self, app: ASGIApp, config: PrometheusConfig) -> None:
        super().__init__(app, config)
        # Per-request labels or exemplars would defeat the child cache: not used by altlas.
        assert not config.labels and not config.exemplars and not config.excluded_http_methods
        self._in_progress: dict[tuple[str, str], Any] = {}
        self._finished: dict[tuple[str, str, int], tuple[Any, Any, Any]] = {}

    def _labels(self, method: str, path: str, status: int) -> dict[str, str | int | float]:
        return {
            "method": method,
            "path": path,
            "status_code": status,
            "app_name": self._config.app_name,
        }

    def _gauge(self, method: str, path: str) -> Any:
        gauge = self._in_progress.get((method, path))
        if gauge is None:
            labels = self._labels(method, path, 200)  # as Litestar labels it
            gauge = self.requests_in_progress(labels).labels(*labels.values())
            if len(self._in_progress) < _MAX_SERIES:
                self._in_progress[(method, path)] = gauge
        return gauge

    def _outcome(self, method: str, path: str, status: int) -> tuple[Any, Any, Any]:
        children = self._finished.get((method, path, status))
        if children is None:
            labels = self._labels(method, path, status)
            values = [*labels.values()]
            errors = self.requests_error_count(labels).labels(*values) if status >= 500 else None
            children = (
                self.request_count(labels).labels(*values),
                self.request_time(labels).labels(*values),
                errors,
            )
            if len(self._finished) < _MAX_SERIES:
                self._finished[(method, path, status)] = children
        return children

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw: Any = scope
        method: str = raw.get("method") or raw["type"]
        path: str = raw["path_template"] if self._config.group_path else raw["path"]
        started = time.perf_counter()
        span = [200, 0.0]  # status, duration up to the last body message

        async def wrapped_send(message: Message) -> None:
            kind = message["type"]
            if kind == "http.response.start":
                span[0] = message["status"]  # type: ignore[typeddict-item]
            elif kind == "http.response.body":
                span[1] = time.perf_counter() - started
            await send(message)

        gauge = self._gauge(method, path)
        gauge.inc()
        try:
            await self.app(scope, receive, wrapped_send)
        finally:
            gauge.dec()
            count, duration, errors = self._outcome(method, path, int(span[0]))
            if errors is not None:
                errors.inc()
            count.inc()
            duration.observe(span[1])


def metrics_config() -> PrometheusConfig:
    return PrometheusConfig(
        app_name="altlas",
        prefix="altlas",
        group_path=True,
        middleware_class=RouteMetricsMiddleware,
    )
