"""OpenAI-compatible HTTP servers on 127.0.0.1, written for the tests (and the benchmark).

Each server has a ``mode``:

* ``ok``: answers deterministically, ``[name] echo: <last user message>``, with ``usage``;
  streams the same text word by word, then ``data: [DONE]``.
* ``fail``: HTTP ``status`` (500 unless set) to everything.
* ``slow``: waits ``delay`` seconds, then answers like ``ok``.
* ``cutoff``: streams two chunks and closes the connection without ``[DONE]``; plain
  requests get a normal answer.

``fail_first`` makes the first N requests fail with ``status`` before the mode applies;
``reply`` (a function of the request body) replaces the answer text. Every request is kept
in ``seen`` (path, headers, body).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    owner: OpenAIServer


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        owner = self.server.owner
        self._send(200, {"object": "list", "data": [{"id": owner.model, "object": "model"}]})

    def do_POST(self) -> None:
        owner = self.server.owner
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length))
        with owner.lock:
            owner.seen.append({"path": self.path, "headers": dict(self.headers), "body": body})
            failing = owner.fail_first > 0
            if failing:
                owner.fail_first -= 1
            owner.active += 1
            owner.max_active = max(owner.max_active, owner.active)
        try:
            self._answer(owner, body, failing)
        finally:
            with owner.lock:
                owner.active -= 1

    def _answer(self, owner: OpenAIServer, body: dict[str, Any], failing: bool) -> None:
        if failing or owner.mode == "fail":
            self._send(owner.status, {"error": {"message": f"{owner.name} says no"}})
            return
        if owner.delay:
            time.sleep(owner.delay)
        text = owner.text_for(body)
        if body.get("stream"):
            self._stream(owner, body, text)
            return
        prompt_tokens = sum(len(str(m.get("content", ""))) for m in body["messages"]) // 4 + 1
        self._send(
            200,
            {
                "id": "chatcmpl-test",
                "object": "chat.completion",
                "model": body.get("model"),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": text},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": len(text) // 4 + 1,
                    "total_tokens": prompt_tokens + len(text) // 4 + 1,
                },
            },
        )

    def _stream(self, owner: OpenAIServer, body: dict[str, Any], text: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        words = text.split(" ")
        chunks = [w + (" " if i < len(words) - 1 else "") for i, w in enumerate(words)]
        if owner.mode == "cutoff":
            chunks = chunks[:2]
        try:
            for chunk in chunks:
                event = {"model": body.get("model"), "choices": [{"delta": {"content": chunk}}]}
                self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                self.wfile.flush()
            if owner.mode == "cutoff":
                self.close_connection = True
                return
            last = {"model": body.get("model"), "choices": [{"delta": {}, "finish_reason": "stop"}]}
            self.wfile.write(f"data: {json.dumps(last)}\n\ndata: [DONE]\n\n".encode())
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        send_json(self, status, payload)


def send_json(handler: BaseHTTPRequestHandler, status: int, payload: dict[str, Any]) -> None:
    """One JSON response; a client that gave up (a timeout) is not an error of the server."""
    data = json.dumps(payload).encode()
    try:
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)
    except (BrokenPipeError, ConnectionResetError):
        pass


class OpenAIServer:
    def __init__(
        self,
        name: str,
        mode: str = "ok",
        *,
        status: int = 500,
        delay: float = 0.0,
        model: str | None = None,
    ) -> None:
        self.name = name
        self.mode = mode
        self.status = status
        self.delay = delay if delay or mode != "slow" else 1.0
        self.model = model or f"model-{name}"
        self.fail_first = 0
        self.reply: Callable[[dict[str, Any]], str] | None = None
        self.seen: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.active = 0
        self.max_active = 0
        self._http = _HTTPServer(("127.0.0.1", 0), _Handler)
        self._http.owner = self
        self._thread = threading.Thread(
            target=self._http.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._http.server_address[1]}/v1"

    def text_for(self, body: dict[str, Any]) -> str:
        if self.reply is not None:
            return self.reply(body)
        return f"[{self.name}] echo: {body['messages'][-1]['content']}"

    def start(self) -> OpenAIServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()
        self._thread.join(timeout=5)

    def backend(self, **extra: Any) -> dict[str, Any]:
        """A ``[[llm.backends]]`` entry for this server."""
        return {"name": self.name, "base_url": self.base_url, "model": self.model, **extra}


@contextmanager
def serving() -> Iterator[Callable[..., OpenAIServer]]:
    """``start(name, mode="ok", **options)`` starts a server; all of them stop on leaving."""
    started: list[OpenAIServer] = []

    def start(name: str, mode: str = "ok", **kwargs: Any) -> OpenAIServer:
        server = OpenAIServer(name, mode, **kwargs).start()
        started.append(server)
        return server

    try:
        yield start
    finally:
        for server in started:
            server.stop()
