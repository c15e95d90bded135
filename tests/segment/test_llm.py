"""The LLM backend against a real OpenAI-compatible HTTP server on 127.0.0.1.

The server answers according to the requested model name: a good segmentation, fenced JSON,
broken JSON, an impossible plan, HTTP 500, or a reply slower than the client's timeout.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from tests.llm.fakes import send_json

from altlas.errors import ConfigError
from altlas.formats.validation import plan_rule_diagnostics
from altlas.segment import segment
from altlas.segment.llm import InvalidAnswer, parse_answer


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    seen: list[dict[str, Any]]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet."""

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length))
        self.server.seen.append(
            {"path": self.path, "auth": self.headers.get("Authorization"), "body": body}
        )
        model = body["model"]
        command = body["messages"][-1]["content"]
        if model == "error":
            self._send(500, {"error": {"message": "boom"}})
            return
        if model == "slow":
            time.sleep(1.0)
        parts = [p.strip() for p in command.split(" and ")]
        answer: Any = {
            "language": "en",
            "segments": [
                {"text": p, "type": "execute" if i else "search"} for i, p in enumerate(parts)
            ],
            "deps": [[i, i - 1] for i in range(1, len(parts))],
        }
        content = json.dumps(answer)
        if model == "fenced":
            content = f"```json\n{content}\n```"
        elif model == "bad-json":
            content = "Sure! Here is your plan: first search, then send."
        elif model == "bad-plan":
            answer["segments"][0]["text"] = "something the user never said"
            content = json.dumps(answer)
        self._send(200, {"choices": [{"message": {"role": "assistant", "content": content}}]})

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        send_json(self, status, payload)


@pytest.fixture
def llm_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Server]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.seen = []
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    monkeypatch.setenv("ALTLAS_LLM__BASE_URL", f"http://127.0.0.1:{server.server_address[1]}")
    monkeypatch.setenv("ALTLAS_LLM__API_KEY", "env:TEST_LLM_KEY")
    monkeypatch.setenv("ALTLAS_LLM__TIMEOUT_SECONDS", "0.3")
    monkeypatch.setenv("TEST_LLM_KEY", "sk-test-123")
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _use_model(monkeypatch: pytest.MonkeyPatch, model: str) -> None:
    monkeypatch.setenv("ALTLAS_LLM__MODEL", model)


def test_a_good_answer_becomes_the_plan(
    llm_server: _Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The model's segments, types and edges make the plan; the key is sent as a bearer token."""
    _use_model(monkeypatch, "good")
    plan = segment("Find the report and send it to Ali", backend="llm")
    assert plan.metadata["backend"] == "llm"
    assert plan.metadata["llm_model"] == "good"
    assert [(t.type, t.description, t.dependencies) for t in plan.tasks] == [
        ("search", "Find the report", []),
        ("execute", "send it to Ali", ["t1"]),
    ]
    assert plan.tasks[0].parameters["query"] == "the report"
    assert plan_rule_diagnostics(plan) == []
    request = llm_server.seen[-1]
    assert request["path"] == "/v1/chat/completions"
    assert request["auth"] == "Bearer sk-test-123"
    assert request["body"]["messages"][0]["role"] == "system"


def test_fenced_json_is_accepted(llm_server: _Server, monkeypatch: pytest.MonkeyPatch) -> None:
    """A JSON answer inside a Markdown code fence still counts."""
    _use_model(monkeypatch, "fenced")
    assert segment("Find it and print it", backend="llm").metadata["backend"] == "llm"


@pytest.mark.parametrize(
    ("model", "reason"),
    [
        ("error", "HTTP 500"),
        ("bad-json", "invalid answer: the answer is not JSON"),
        ("bad-plan", "is not in the command"),
        ("slow", "timeout after 0.3 s"),
    ],
)
def test_failures_fall_back_to_the_rules(
    llm_server: _Server, monkeypatch: pytest.MonkeyPatch, model: str, reason: str
) -> None:
    """Timeouts, HTTP errors and invalid answers give the rules' plan and say why."""
    _use_model(monkeypatch, model)
    started = time.monotonic()
    plan = segment("Find the report and send it to Ali", backend="llm")
    assert time.monotonic() - started < 5
    meta = plan.metadata
    assert meta["backend"] == "rules"
    assert meta["backend_requested"] == "llm"
    assert meta["fallback"] is True
    assert reason in meta["fallback_reason"]
    assert [t.type for t in plan.tasks] == ["search", "execute"]


def test_an_unreachable_endpoint_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing listening: the rules answer, with the connection error as the reason."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("ALTLAS_LLM__BASE_URL", f"http://127.0.0.1:{port}/v1")
    monkeypatch.setenv("ALTLAS_LLM__MODEL", "any")
    plan = segment("Open the report", backend="llm")
    assert plan.metadata["fallback"] is True
    assert plan.metadata["fallback_reason"].startswith("request failed")


def test_missing_configuration_is_a_config_error() -> None:
    """No base URL or model configured: a ConfigError naming the section."""
    with pytest.raises(ConfigError, match=r"\[llm\]"):
        segment("Open the report", backend="llm")


def test_segment_section_overrides_llm_section(
    llm_server: _Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """[segment] model wins over [llm] model."""
    monkeypatch.setenv("ALTLAS_LLM__MODEL", "error")
    monkeypatch.setenv("ALTLAS_SEGMENT__MODEL", "good")
    assert segment("Open it and print it", backend="llm").metadata["backend"] == "llm"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[]", "not a JSON object"),
        ('{"segments": []}', "no segments"),
        ('{"segments": [{"text": "Open it", "type": "fly"}]}', "unknown type"),
        ('{"segments": [{"text": "Open it", "type": "open"}], "deps": [[0, 0]]}', "dependency"),
        (
            '{"segments": [{"text": "print it", "type": "open"}, '
            '{"text": "Open it", "type": "open"}]}',
            "in order",
        ),
    ],
)
def test_parse_answer_validates(content: str, message: str) -> None:
    """Answers that cannot be a plan of this command are refused with a reason."""
    with pytest.raises(InvalidAnswer, match=message):
        parse_answer("Open it and print it", content)


def test_the_segmenter_goes_through_the_pool(altlas_home) -> None:
    """With [[llm.backends]], a failing first backend falls back to the next; the call is logged."""
    from tests.llm.fakes import OpenAIServer

    from altlas.llm import reset_pools
    from altlas.llm.calllog import read_calls

    bad = OpenAIServer("bad", "fail").start()
    good = OpenAIServer("good").start()
    good.reply = lambda body: json.dumps(
        {"language": "en", "segments": [{"text": "Open the report", "type": "open"}]}
    )
    try:
        (altlas_home / "config.toml").write_text(
            "[llm]\nretries = 0\n"
            + "".join(
                f'[[llm.backends]]\nname = "{s.name}"\nbase_url = "{s.base_url}"\n'
                f'model = "{s.model}"\n'
                for s in (bad, good)
            )
        )
        plan = segment("Open the report", backend="llm")
    finally:
        reset_pools()
        bad.stop()
        good.stop()
    assert plan.metadata["backend"] == "llm"
    assert plan.metadata["llm_backend"] == "good"
    assert good.seen[0]["body"]["response_format"] == {"type": "json_object"}
    call = read_calls(altlas_home)[0]
    assert (call["caller"], call["backend"], len(call["fallbacks"])) == ("segmenter", "good", 1)
