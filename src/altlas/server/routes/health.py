"""``/health`` (alive), ``/ready`` (can serve) and ``/metrics`` (Prometheus)."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path
from typing import Any

from litestar import Request, Response, get
from litestar.plugins.prometheus import PrometheusController

from altlas._version import __version__
from altlas.server.context import ctx_of
from altlas.server.roles import Permission
from altlas.server.routes._common import PublicOperation, errors, ok, route_opt
from altlas.server.security import permission_guard

__all__ = ["MetricsController", "health", "metrics_controller", "ready"]

_ARCHIVE_VERDICT_SECONDS = 5.0
"""How long an archive verdict is reused: probes come every few seconds from every balancer,
and even the cheap check opens the file."""
_archive_verdicts: dict[Path, tuple[float, str]] = {}


@get(
    "/health",
    opt=route_opt(None, None),
    tags=["operations"],
    sync_to_thread=False,
    operation_class=PublicOperation,
)
def health(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """Liveness: the process answers."""
    ctx = ctx_of(request)
    return {
        "status": "ok",
        "version": __version__,
        "uptime_seconds": round(time.monotonic() - ctx.started, 3),
    }


@get(
    "/ready",
    opt=route_opt(None, None),
    operation_class=PublicOperation,
    tags=["operations"],
    responses=errors(503),
)
async def ready(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    """Readiness: databases open (the archive's header and schema readable), job workers
    alive, Redis answering when configured. 503 names the first failing part in ``reason``."""
    ctx = ctx_of(request)
    checks: dict[str, str] = {}
    try:
        ctx.accounts.get_user("")
        checks["accounts"] = "ok"
    except Exception as exc:
        checks["accounts"] = f"error: {type(exc).__name__}"
    checks["queue"] = "ok" if ctx.queue.healthy() else "error: workers stopped"
    checks["archive"] = await _archive_verdict(ctx.home / "altlas.db")
    if ctx.redis is not None:
        try:
            await ctx.redis.ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"error: {type(exc).__name__}"
    failed = [f"{name}: {verdict}" for name, verdict in checks.items() if verdict != "ok"]
    body: dict[str, Any] = {"status": "not_ready" if failed else "ready", "checks": checks}
    if failed:
        body["reason"] = failed[0]
    return Response(body, status_code=503 if failed else 200)


async def _archive_verdict(path: Path) -> str:
    """``ok`` or ``error: <why>``, reused for a few seconds; a fresh look runs off the loop."""
    now = time.monotonic()
    cached = _archive_verdicts.get(path)
    if cached is not None and now - cached[0] < _ARCHIVE_VERDICT_SECONDS:
        return cached[1]
    verdict = await asyncio.to_thread(_look_at_archive, path)
    _archive_verdicts[path] = (time.monotonic(), verdict)
    return verdict


def _look_at_archive(path: Path) -> str:
    """The header and the schema page only: a damaged first page or a cut file shows here in
    well under a millisecond. Damage deeper in is ``altlas archive verify``'s job, never a
    probe's (an integrity check reads every page)."""
    from altlas.storage.health import header_problem, is_corruption, open_readonly, os_cause

    try:
        problem = header_problem(path)
        if problem is not None:
            return f"error: altlas.db {problem}"
        if not path.is_file():
            return "ok"  # made on first use
        open_readonly(path, timeout=1.0).close()
    except OSError as exc:
        return f"error: altlas.db cannot be read: {os_cause(exc)}"
    except sqlite3.DatabaseError as exc:
        what = "is damaged" if is_corruption(exc) else "cannot be read"
        return f"error: altlas.db {what}: {' '.join(str(exc).split())[:160]}"
    return "ok"


async def _exposition(controller: PrometheusController) -> Response[Any]:
    # Litestar's own handler does the work (multi-process registries included).
    response: Response[Any] = await PrometheusController.get.fn(controller)
    return response


_EXPOSITION = ok(str, "Prometheus text exposition format", media_type="text/plain")


class MetricsController(PrometheusController):
    """Litestar's Prometheus endpoint, behind the ``metrics:read`` permission."""

    path = "/metrics"

    @get(
        opt=route_opt(Permission.METRICS_READ, "ops"),
        guards=[permission_guard],
        tags=["operations"],
        responses={**_EXPOSITION, **errors(401, 403, 429)},
    )
    async def get(self) -> Response[Any]:
        """Prometheus metrics: request counts and latencies by route template."""
        return await _exposition(self)


class PublicMetricsController(PrometheusController):
    path = "/metrics"

    @get(
        opt=route_opt(None, "ops"),
        tags=["operations"],
        operation_class=PublicOperation,
        responses={**_EXPOSITION, **errors(429)},
    )
    async def get(self) -> Response[Any]:
        """Prometheus metrics (served without authentication, by configuration)."""
        return await _exposition(self)


def metrics_controller(public: bool) -> type[PrometheusController]:
    return PublicMetricsController if public else MetricsController
