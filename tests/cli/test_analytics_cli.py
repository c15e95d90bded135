"""``altlas analytics``: the report over the analytics database, with polars."""

from __future__ import annotations

import time

import orjson
import typer
from typer.testing import CliRunner

from altlas.cli import analytics as analytics_cli
from altlas.cli._common import AltlasGroup
from altlas.config import load_settings
from altlas.server.analytics import AnalyticsRecorder, RequestRecord


def invoke(*args: str):
    app = typer.Typer(cls=AltlasGroup)
    analytics_cli.register(app)
    app.command("noop", hidden=True)(lambda: None)  # keep "analytics" a subcommand
    return CliRunner().invoke(app, ["analytics", *args], catch_exceptions=False)


def test_report_by_route_and_principal() -> None:
    recorder = AnalyticsRecorder(load_settings().home)
    now = time.time()
    for n in range(20):
        recorder.record(
            RequestRecord(now - 5, "/v1/runs", "GET", 200 if n else 500, float(n), "key:x", 0, 5)
        )
    recorder.record(RequestRecord(now - 5, "/v1/keys", "POST", 201, 3.0, "user:ada", 10, 50))
    recorder.close()
    rows = orjson.loads(invoke("--format", "json").stdout)
    assert rows[0]["route"] == "/v1/runs" and rows[0]["requests"] == 20
    assert rows[0]["server_error_ratio"] == 0.05
    table = invoke().stdout
    assert "requests by route" in table and "GET" in table
    principals = orjson.loads(invoke("--by", "principal", "--format", "json").stdout)
    assert {r["principal"] for r in principals} == {"key:x", "user:ada"}
    csv = invoke("--format", "csv", "--limit", "1").stdout.splitlines()
    assert csv[0].startswith("method,route,requests") and len(csv) == 2


def test_empty_and_bad_since() -> None:
    assert orjson.loads(invoke("--format", "json").stdout) == []
    bad = invoke("--since", "last tuesday")
    assert bad.exit_code == 2 and "error:" in bad.output  # a bad value, like a usage error
