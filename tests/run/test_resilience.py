"""Timeouts, retries with backoff, and circuit breakers per handler and target."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import altlas
from altlas.formats.common import TaskStatus
from altlas.run.executor import effective_retries, effective_timeout
from altlas.run.options import RunConfig
from altlas.run.resilience import BreakerRegistry, CircuitBreaker, CircuitOpenError


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_breaker_opens_half_opens_and_closes() -> None:
    """N failures open it; after the cool-down one trial goes through; success closes it."""
    clock = Clock()
    breaker = CircuitBreaker("http:x", failures=3, reset_seconds=10, clock=clock)
    for _ in range(3):
        breaker.before_call()
        breaker.record_failure()
    assert breaker.state == "open"
    with pytest.raises(CircuitOpenError, match="circuit open for http:x after 3"):
        breaker.before_call()
    clock.now += 10
    breaker.before_call()  # the trial call
    assert breaker.state == "half_open"
    with pytest.raises(CircuitOpenError, match="trial call is in flight"):
        breaker.before_call()
    breaker.record_success()
    assert breaker.state == "closed"
    breaker.before_call()


def test_failed_trial_reopens() -> None:
    """A failing half-open trial opens the circuit again for a full cool-down."""
    clock = Clock()
    breaker = CircuitBreaker("k", failures=1, reset_seconds=5, clock=clock)
    breaker.record_failure()
    clock.now += 5
    breaker.before_call()
    breaker.record_failure()
    assert breaker.state == "open"
    clock.now += 4
    with pytest.raises(CircuitOpenError):
        breaker.before_call()
    assert breaker.times_opened == 2


def test_breakers_are_keyed_by_handler_and_target() -> None:
    """Each handler+target pair has its own breaker."""
    reg = BreakerRegistry(failures=1)
    reg.get("http", "http://a").record_failure()
    assert reg.get("http", "http://a").state == "open"
    assert reg.get("http", "http://b").state == "closed"
    assert reg.get("command", None).key == "command"


def test_timeout_precedence(mkplan) -> None:
    """task > parameters.timeout_seconds (runner dialect) > plan > config."""
    cfg = RunConfig(timeout_seconds=9)
    plan = mkplan(
        {"id": "a", "timeout_seconds": 1, "parameters": {"timeout_seconds": 2}},
        {"id": "b", "parameters": {"timeout_seconds": 2}},
        {"id": "c"},
        timeout_seconds=3,
    )
    assert [effective_timeout(t, plan, cfg) for t in plan.tasks] == [1, 2, 3]
    assert effective_timeout(plan.tasks[2], mkplan({"id": "x"}), cfg) == 9
    assert effective_retries(mkplan({"id": "a", "retry_count": 4}).tasks[0], cfg) == 4
    assert effective_retries(plan.tasks[0], RunConfig(retries=2)) == 2


def test_timeout_gives_status_timeout(mkplan, workspace) -> None:
    """A task over its timeout ends as timeout, with the limit in the message."""
    plan = mkplan(
        {"id": "slow", "type": "delay", "timeout_seconds": 0.05, "parameters": {"seconds": 5}}
    )
    result = altlas.run(plan, workspace=workspace)
    task = result.task("slow")
    assert task.status is TaskStatus.TIMEOUT
    assert task.error.type == "Timeout"
    assert "0.05" in task.error.message
    assert task.duration_ms < 2000


def test_retries_record_attempts(mkplan, registry, probe, workspace, fast) -> None:
    """A task failing twice then succeeding completes on attempt 3, with the errors kept."""
    probe.fail_first["flaky"] = 2
    events = []
    plan = mkplan({"id": "flaky", "type": "probe", "retry_count": 3})
    result = altlas.run(plan, registry=registry, workspace=workspace, events=events.append, **fast)
    task = result.task("flaky")
    assert task.status is TaskStatus.COMPLETED
    assert task.attempts == 3
    assert [e["attempt"] for e in task.metadata["attempt_errors"]] == [1, 2]
    assert [e.type.value for e in events].count("task.retrying") == 2


def test_retries_give_up(mkplan, registry, probe, workspace, fast) -> None:
    """Retries are bounded by retry_count (config default when the task has none)."""
    probe.fail_first["flaky"] = 10
    plan = mkplan({"id": "flaky", "type": "probe"})
    result = altlas.run(plan, registry=registry, workspace=workspace, retries=2, **fast)
    assert result.task("flaky").status is TaskStatus.FAILED
    assert result.task("flaky").attempts == 3
    assert probe.calls["flaky"] == 3


def test_permanent_errors_are_not_retried(mkplan, workspace, fast) -> None:
    """Bad parameters fail on the first attempt even with retries configured."""
    plan = mkplan(
        {"id": "r", "type": "open", "retry_count": 5, "parameters": {"path": "missing.txt"}}
    )
    result = altlas.run(plan, workspace=workspace, **fast)
    assert result.task("r").attempts == 1
    assert result.task("r").error.type == "NotFound"


class _Failing(BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self) -> None:
        type(self).hits += 1
        self.send_response(503)
        self.end_headers()
        self.wfile.write(b"down")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def failing_server():
    _Failing.hits = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Failing)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_open_breaker_fails_fast_in_a_run(mkplan, workspace, failing_server) -> None:
    """After N failures against one host, later tasks for it are refused without a request."""
    plan = mkplan(
        *(
            {"id": f"g{i}", "type": "http_request", "parameters": {"url": f"{failing_server}/x{i}"}}
            for i in range(6)
        )
    )
    result = altlas.run(
        plan,
        workspace=workspace,
        allow_net=True,
        http_allow_hosts=["127.0.0.1"],
        concurrency=1,
        breaker_failures=3,
        continue_on_error=True,
    )
    types = [t.error.type for t in result.tasks]
    assert types == ["HTTPStatus"] * 3 + ["CircuitOpen"] * 3
    assert _Failing.hits == 3
    assert all(t.status is TaskStatus.FAILED for t in result.tasks)
    assert "circuit open for http:http://127.0.0.1" in result.tasks[-1].error.message
    assert result.metadata["circuit_breakers"]
