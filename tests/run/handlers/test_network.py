"""http and llm handlers against real HTTP servers on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

import altlas
from altlas.formats.common import TaskStatus


class _Api(BaseHTTPRequestHandler):
    seen: ClassVar[list[dict]] = []

    def _reply(self, code: int, body: dict | str, ctype: str = "application/json") -> None:
        data = body if isinstance(body, str) else json.dumps(body)
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.end_headers()
        self.wfile.write(data.encode())

    def do_GET(self) -> None:
        type(self).seen.append({"path": self.path, "headers": dict(self.headers)})
        if self.path.startswith("/json"):
            self._reply(200, {"ok": True, "path": self.path})
        elif self.path == "/missing":
            self._reply(404, "nope", "text/plain")
        else:
            self._reply(200, "plain body", "text/plain")

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).seen.append({"path": self.path, "headers": dict(self.headers), "body": body})
        if self.path == "/v1/chat/completions":
            user = body["messages"][-1]["content"]
            self._reply(
                200,
                {
                    "model": body["model"],
                    "choices": [
                        {
                            "message": {"role": "assistant", "content": f"echo: {user}"},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"total_tokens": 42},
                },
            )
        else:
            self._reply(201, {"got": body})

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server():
    _Api.seen = []
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Api)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def _one(mkplan, workspace, task, **options):
    # the test servers are on loopback, which plans reach only when an operator lists it
    options.setdefault("http_allow_hosts", ["127.0.0.1"])
    return altlas.run(mkplan({"id": "t", **task}), workspace=workspace, **options).task("t")


def test_http_is_off_without_allow_net(mkplan, workspace, server) -> None:
    task = _one(mkplan, workspace, {"type": "http", "parameters": {"url": f"{server}/json"}})
    assert task.error.type == "PermissionDenied" and "--allow-net" in task.error.message
    assert _Api.seen == []


def test_http_get_and_post(mkplan, workspace, server) -> None:
    """GET parses JSON bodies; POST sends JSON; headers and query go through."""
    get = _one(
        mkplan,
        workspace,
        {
            "type": "http",
            "parameters": {"url": f"{server}/json", "query": {"q": "1"}, "headers": {"X-T": "v"}},
        },
        allow_net=True,
    )
    assert get.status is TaskStatus.COMPLETED
    assert get.output["status_code"] == 200
    assert get.output["json"] == {"ok": True, "path": "/json?q=1"}
    assert _Api.seen[0]["headers"]["X-T"] == "v"
    post = _one(
        mkplan,
        workspace,
        {"type": "http", "parameters": {"url": f"{server}/p", "method": "post", "json": {"a": 1}}},
        allow_net=True,
    )
    assert post.output["status_code"] == 201 and post.output["json"] == {"got": {"a": 1}}


def test_http_client_errors_are_permanent(mkplan, workspace, server, fast) -> None:
    """A 404 fails at once (no retry) and keeps the response."""
    task = _one(
        mkplan,
        workspace,
        {"type": "http", "retry_count": 3, "parameters": {"url": f"{server}/missing"}},
        allow_net=True,
        **fast,
    )
    assert task.status is TaskStatus.FAILED
    assert task.attempts == 1
    assert "answered 404" in task.error.message
    assert task.output["text"] == "nope"


def test_http_connection_refused_is_retried(mkplan, workspace, fast) -> None:
    """A transport error is transient: it is retried and then reported."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    task = _one(
        mkplan,
        workspace,
        {"type": "http", "retry_count": 1, "parameters": {"url": f"http://127.0.0.1:{port}/"}},
        allow_net=True,
        **fast,
    )
    assert task.attempts == 2
    assert task.error.type == "HTTPError"


@pytest.fixture
def llm_config(altlas_home, server, monkeypatch):
    monkeypatch.setenv("ALTLAS_TEST_LLM_KEY", "sk-secret-123")
    (altlas_home / "config.toml").write_text(
        f'[llm]\nbase_url = "{server}/v1"\nmodel = "tiny"\napi_key = "env:ALTLAS_TEST_LLM_KEY"\n'
    )


def test_llm_calls_an_openai_compatible_endpoint(mkplan, workspace, llm_config, tmp_path) -> None:
    """ai_prompt tasks go to /v1/chat/completions with the key from the secret reference."""
    plan = mkplan(
        {"id": "ctx", "parameters": {"message": "Some context."}},
        {
            "id": "ai",
            "type": "generic",
            "dependencies": ["ctx"],
            "parameters": {"task_type": "ai_prompt", "prompt": "Say hi", "persona": "researcher"},
        },
    )
    out = tmp_path / "r.last"
    result = altlas.run(plan, workspace=workspace, output=out)
    task = result.task("ai")
    assert task.handler == "llm"
    assert task.output["text"] == "echo: Say hi\n\nContext:\nSome context."
    assert task.output["model_used"] == "tiny"
    assert task.output["tokens_used"] == 42
    sent = _Api.seen[-1]
    assert sent["headers"]["Authorization"] == "Bearer sk-secret-123"
    assert sent["body"]["messages"][0] == {"role": "system", "content": "You are a researcher."}
    assert b"sk-secret-123" not in out.read_bytes()
    assert b"sk-secret-123" not in (workspace.parent / "altlas-home" / "runs.db").read_bytes()


def test_llm_unconfigured_fails_clearly(mkplan, workspace) -> None:
    task = _one(mkplan, workspace, {"type": "ai_prompt", "parameters": {"prompt": "hi"}})
    assert task.error.type == "NotConfigured"
    assert "[llm] base_url" in task.error.message


def test_llm_refuses_secrets_in_the_plan(mkplan, workspace, llm_config) -> None:
    task = _one(
        mkplan, workspace, {"type": "ai_prompt", "parameters": {"prompt": "hi", "api_key": "sk-x"}}
    )
    assert task.error.type == "SecretInPlan"
    assert _Api.seen == []
