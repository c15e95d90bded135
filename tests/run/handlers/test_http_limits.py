"""The http handler reads at most the output cap of a body, against a real endless server."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import altlas
from altlas.formats.common import TaskStatus
from altlas.formats.plan import Plan

_CHUNK = b"x" * 65536
_MAX_CHUNKS = 4096  # 256 MiB at most, so the server cannot run forever either


class _Endless(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    sent = 0

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for _ in range(_MAX_CHUNKS):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(_CHUNK), _CHUNK))
                type(self).sent += 1
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def endless() -> Iterator[str]:
    _Endless.sent = 0
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Endless)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


@pytest.mark.slow
def test_a_huge_body_is_cut_at_the_output_cap(tmp_path, endless) -> None:
    plan = Plan.model_validate(
        {"id": "p", "tasks": [{"id": "h", "type": "http", "parameters": {"url": f"{endless}/"}}]}
    )
    started = time.monotonic()
    task = altlas.run(
        plan,
        workspace=tmp_path,
        allow_net=True,
        http_allow_hosts=["127.0.0.1"],
        max_output_bytes=100_000,
        timeout_seconds=20,
    ).task("h")
    assert task.status is TaskStatus.COMPLETED, task.error
    assert time.monotonic() - started < 10  # it stopped reading; it did not wait for 256 MiB
    assert task.output["truncated"] is True
    assert len(task.output["text"]) == 100_000
    assert "json" not in task.output  # half a document is not parsed
    # the connection was dropped: the server got no further than its socket buffers allow
    deadline = time.monotonic() + 5
    while _Endless.sent < _MAX_CHUNKS and time.monotonic() < deadline:
        before = _Endless.sent
        time.sleep(0.2)
        if _Endless.sent == before:
            break
    assert _Endless.sent < _MAX_CHUNKS // 8
