"""``altlas analytics``: request rates, error ratios and latency percentiles of the server."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from altlas.cli._common import emit_rows
from altlas.cli._output import ROWS, Format, format_option

__all__ = ["register"]


class GroupBy(StrEnum):
    ROUTE = "route"
    PRINCIPAL = "principal"
    ROUTE_PRINCIPAL = "route,principal"
    STATUS = "status"


_LEADING = {
    GroupBy.ROUTE: ["method", "route"],
    GroupBy.PRINCIPAL: ["principal"],
    GroupBy.ROUTE_PRINCIPAL: ["method", "route", "principal"],
    GroupBy.STATUS: ["status"],
}
_METRICS = [
    "requests",
    "rate_per_minute",
    "error_ratio",
    "server_error_ratio",
    "p50_ms",
    "p90_ms",
    "p99_ms",
]


def analytics(
    since: Annotated[
        str,
        typer.Option(help="A duration back from now (30m, 24h, 7d) or an ISO time; '' for all."),
    ] = "24h",
    by: Annotated[GroupBy, typer.Option("--by", help="Group per route, principal or both.")] = (
        GroupBy.ROUTE
    ),
    limit: Annotated[int, typer.Option(help="At most this many rows.", min=1)] = 50,
    fmt: Annotated[Format, format_option(ROWS)] = Format.TABLE,
) -> None:
    """What the server has been asked, by whom, how often it failed and how fast it was."""
    from altlas.config import load_settings
    from altlas.server.analytics import parse_since, report

    rows = report(load_settings().home, since=parse_since(since), by=by.value, limit=limit)
    emit_rows(rows, [*_LEADING[by], *_METRICS], fmt, title=f"requests by {by.value}")


def register(app: typer.Typer) -> None:
    app.command("analytics")(analytics)
