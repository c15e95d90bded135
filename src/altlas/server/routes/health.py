"""``/health`` (alive), ``/ready`` (can serve) and ``/metrics`` (Prometheus)."""

from __future__ import annotations

import time
from typing import Any

from litestar import Request, Response, get
from litestar.plugins.prometheus import PrometheusController

from altlas._version import __version__
from altlas.server.context import ctx_of
from altlas.server.roles import Permission
from altlas.server.routes._common import PublicOperation, errors, ok, route_opt
from altlas.server.security import permission_guard

__all__ = ["MetricsController", "health", "metrics_controller", "ready"]


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
    """Readiness: databases open, job workers alive, Redis answering when configured."""
    ctx = ctx_of(request)
    checks: dict[str, str] = {}
    try:
        ctx.accounts.get_user("")
        checks["accounts"] = "ok"
    except Exception as exc:
        checks["accounts"] = f"error: {type(exc).__name__}"
    checks["queue"] = "ok" if ctx.queue.healthy() else "error: workers stopped"
    if ctx.redis is not None:
        try:
            await ctx.redis.ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"error: {type(exc).__name__}"
    ok = all(v == "ok" for v in checks.values())
    body = {"status": "ready" if ok else "not_ready", "checks": checks}
    return Response(body, status_code=200 if ok else 503)


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
