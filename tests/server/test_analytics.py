"""Analytics: batched writes (never one per request) and the report's numbers."""

from __future__ import annotations

import time

import pytest

from altlas.errors import AltlasError, ValidationError
from altlas.server.analytics import AnalyticsRecorder, RequestRecord, parse_since, report


def rec(route: str, status: int, latency: float, principal: str | None = "key:a", ts=None):
    return RequestRecord(
        ts=ts if ts is not None else time.time(),
        route=route,
        method="GET",
        status=status,
        latency_ms=latency,
        principal=principal,
        bytes_in=0,
        bytes_out=10,
    )


def test_records_are_written_in_batches(tmp_path) -> None:
    recorder = AnalyticsRecorder(tmp_path, flush_seconds=60, batch=1000)
    for n in range(2500):
        recorder.record(rec("/v1/runs", 200, float(n % 10)))
    assert recorder.written == 0  # nothing is written on the request path
    recorder.flush()
    assert recorder.written == 2500 and recorder.flushes == 1
    recorder.close()


def test_background_thread_flushes_when_a_batch_fills(tmp_path) -> None:
    recorder = AnalyticsRecorder(tmp_path, flush_seconds=60, batch=100)
    recorder.start()
    try:
        for _ in range(250):
            recorder.record(rec("/x", 200, 1.0))
        deadline = time.monotonic() + 5
        while recorder.written < 100 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert recorder.written >= 100
        assert recorder.flushes <= 3
    finally:
        recorder.close()
    assert recorder.written == 250


def test_pending_is_bounded(tmp_path) -> None:
    recorder = AnalyticsRecorder(tmp_path, flush_seconds=60, batch=10_000, max_pending=5)
    for _ in range(8):
        recorder.record(rec("/x", 200, 1.0))
    assert recorder.dropped == 3
    recorder.close()
    assert recorder.written == 5


def test_report_rates_error_ratios_and_percentiles(tmp_path) -> None:
    now = time.time()
    recorder = AnalyticsRecorder(tmp_path)
    for n in range(1, 101):  # latencies 1..100 ms
        recorder.record(rec("/v1/runs", 200 if n <= 90 else 500, float(n), ts=now - 30))
    for _ in range(10):
        recorder.record(rec("/v1/keys", 403, 2.0, principal="key:b", ts=now - 30))
    recorder.close()
    rows = report(tmp_path, since=now - 60, by="route")
    runs, keys = rows
    assert runs["route"] == "/v1/runs" and runs["requests"] == 100
    assert runs["error_ratio"] == 0.1 and runs["server_error_ratio"] == 0.1
    assert runs["p50_ms"] == pytest.approx(50.5)
    assert runs["p99_ms"] == pytest.approx(99.01)
    assert runs["rate_per_minute"] == pytest.approx(100.0, rel=0.05)  # 100 in the last minute
    assert keys["client_error_ratio"] == 1.0
    by_principal = {r["principal"]: r for r in report(tmp_path, by="principal")}
    assert by_principal["key:a"]["requests"] == 100 and by_principal["key:b"]["requests"] == 10
    both = report(tmp_path, by="route,principal", limit=1)
    assert len(both) == 1 and both[0]["principal"] == "key:a"
    assert report(tmp_path, since=now + 10) == []


def test_report_of_an_empty_home(tmp_path) -> None:
    assert report(tmp_path) == []
    with pytest.raises(ValidationError):
        report(tmp_path, by="colour")


def test_parse_since() -> None:
    from datetime import UTC, datetime

    now = datetime(2025, 1, 2, tzinfo=UTC)
    assert parse_since("1h", now=now) == now.timestamp() - 3600
    assert parse_since("7d", now=now) == now.timestamp() - 7 * 86400
    assert parse_since("2025-01-01T00:00:00Z") == datetime(2025, 1, 1, tzinfo=UTC).timestamp()
    assert parse_since(None) is None and parse_since("") is None
    with pytest.raises(AltlasError, match="yesterday-ish"):
        parse_since("yesterday-ish")


def test_analytics_route(client, auth) -> None:
    for _ in range(3):
        client.get("/v1/runs", headers=auth["viewer"])
    body = client.get("/v1/analytics?by=route,principal", headers=auth["admin"]).json()
    runs = [g for g in body["groups"] if g["route"] == "/v1/runs"]
    assert runs and runs[0]["requests"] == 3 and runs[0]["principal"].startswith("key:")
    bad = client.get("/v1/analytics?since=whenever", headers=auth["admin"])
    assert bad.status_code == 400  # a bad value, named in the message (as in archive search)


def test_nothing_is_lost_or_doubled_while_the_writer_runs(tmp_path) -> None:
    """The request path appends without a lock while the writer drains: every record is
    written exactly once, the ones still pending at close included."""
    import sqlite3
    import threading

    recorder = AnalyticsRecorder(tmp_path, flush_seconds=0.01, batch=50)
    recorder.start()
    count = 20_000

    def produce() -> None:
        for n in range(count):
            recorder.record(rec(f"/r{n}", 200, 1.0))

    producer = threading.Thread(target=produce)
    producer.start()
    producer.join(60)
    recorder.close()
    assert recorder.written == count and recorder.dropped == 0
    conn = sqlite3.connect(tmp_path / "analytics.db")
    total, distinct = conn.execute(
        "SELECT count(*), count(DISTINCT route) FROM requests"
    ).fetchone()
    conn.close()
    assert total == distinct == count
