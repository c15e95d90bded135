"""``GET /v1/analytics``: request rates, error ratios and latency percentiles. Admins only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from litestar import Request, Response, get
from litestar.params import FromQuery, QueryParameter

from altlas.server.analytics import parse_since, report
from altlas.server.caching import resource_response
from altlas.server.context import ctx_of
from altlas.server.responses import AnalyticsReport
from altlas.server.roles import Permission
from altlas.server.routes._common import PROTECTED, errors, ok, route_opt

__all__ = ["ROUTES"]


@get(
    "/analytics",
    opt=route_opt(Permission.ANALYTICS_READ, "admin"),
    sync_to_thread=True,
    tags=["analytics"],
    responses={**ok(AnalyticsReport), **errors(*PROTECTED)},
)
def analytics(
    request: Request[Any, Any, Any],
    by: FromQuery[Literal["route", "principal", "route,principal", "status"]] = "route",
    since: Annotated[
        str | None,
        QueryParameter(
            description="A duration back from now (30m, 24h, 7d) or an ISO time",
            max_length=64,
        ),
    ] = "24h",
    limit: Annotated[int, QueryParameter(ge=1, le=10_000)] = 100,
) -> Response[bytes]:
    """Per route (or principal, or both): requests, rate, error ratios, p50/p90/p99 ms."""
    ctx = ctx_of(request)
    if ctx.recorder is not None:
        ctx.recorder.flush()  # include the requests still waiting in the buffer
    start = parse_since(since)
    rows = report(ctx.home, since=start, by=by, limit=limit)
    body = {
        "by": by,
        "since": datetime.fromtimestamp(start, UTC).isoformat() if start is not None else None,
        "groups": rows,
    }
    return resource_response(body, last_modified=datetime.now(UTC))


ROUTES = [analytics]
