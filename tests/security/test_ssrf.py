"""Issue 9 item 3: with the network on, the http handler still cannot reach loopback or
private addresses (unless an operator lists the host), in any spelling, through any redirect.

Every test runs real HTTP servers on 127.0.0.1 and asserts on what they saw.
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

import altlas
from altlas.formats.common import TaskStatus
from altlas.formats.plan import Plan
from altlas.formats.result import TaskResult
from altlas.run.handlers.http_sandbox import blocked_reason, host_allowed

pytestmark = pytest.mark.slow


@dataclass
class Server:
    port: int
    seen: list[str] = field(default_factory=list)
    redirect_to: str | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _handler_for(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            server.seen.append(self.path)
            if server.redirect_to is not None:
                self.send_response(302)
                self.send_header("Location", server.redirect_to)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = b"internal secret"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    """Two independent loopback servers."""
    running: list[tuple[ThreadingHTTPServer, threading.Thread]] = []
    made: list[Server] = []
    for _ in range(2):
        server = Server(port=0)
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(server))
        server.port = httpd.server_address[1]
        thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        thread.start()
        running.append((httpd, thread))
        made.append(server)
    yield made
    for httpd, thread in running:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def _get(workspace: Any, url: str, **options: Any) -> TaskResult:
    plan = Plan.model_validate(
        {"id": "plan_ssrf", "tasks": [{"id": "h", "type": "http", "parameters": {"url": url}}]}
    )
    return altlas.run(plan, workspace=workspace, allow_net=True, **options).task("h")


@pytest.mark.parametrize(
    "form",
    [
        "127.0.0.1",
        "localhost",
        "2130706433",  # decimal
        "0x7f.1",  # hex, short form
        "0x7f000001",
        "127.1",
        "0.0.0.0",  # Linux routes the unspecified address to the local host
        "[::ffff:127.0.0.1]",  # IPv4-mapped IPv6
    ],
)
def test_loopback_is_refused_in_every_spelling(tmp_path, servers, form: str) -> None:
    target = servers[0]
    task = _get(tmp_path, f"http://{form}:{target.port}/secret")
    assert task.status is TaskStatus.FAILED
    assert task.error.type == "AddressBlocked", task.error.message
    assert "'h'" in task.error.message and "http_allow_hosts" in task.error.message
    assert "\n" not in task.error.message
    assert task.attempts == 1  # refused, not retried
    assert target.seen == []


def test_octal_dotted_form_is_refused(tmp_path, servers) -> None:
    """0177.0.0.1 is 127.0.0.1 to inet_aton; it must not reach the server either way."""
    task = _get(tmp_path, f"http://0177.0.0.1:{servers[0].port}/secret")
    assert task.status is TaskStatus.FAILED
    assert task.error.type in ("AddressBlocked", "InvalidParameters")
    assert servers[0].seen == []


@pytest.mark.parametrize("entry", ["127.0.0.1", "127.0.0.1:{port}", "[127.0.0.1]:{port}"])
def test_a_listed_host_is_reachable(tmp_path, servers, entry: str) -> None:
    target = servers[0]
    allow = [entry.format(port=target.port)]
    task = _get(tmp_path, f"{target.url}/ok", http_allow_hosts=allow)
    assert task.status is TaskStatus.COMPLETED, task.error
    assert task.output["text"] == "internal secret"
    assert target.seen == ["/ok"]


def test_listing_another_port_or_spelling_does_not_open_the_host(tmp_path, servers) -> None:
    target = servers[0]
    for url, allow in (
        (f"{target.url}/x", [f"127.0.0.1:{target.port + 1}"]),
        (f"http://localhost:{target.port}/x", ["127.0.0.1"]),
        (f"http://2130706433:{target.port}/x", ["127.0.0.1"]),
    ):
        task = _get(tmp_path, url, http_allow_hosts=allow)
        assert task.error.type == "AddressBlocked", (url, task.error)
    assert target.seen == []


def test_a_redirect_from_an_allowed_host_to_a_blocked_one_is_refused(tmp_path, servers) -> None:
    allowed, hidden = servers
    allowed.redirect_to = f"{hidden.url}/admin"
    task = _get(tmp_path, f"{allowed.url}/start", http_allow_hosts=[f"127.0.0.1:{allowed.port}"])
    assert task.status is TaskStatus.FAILED
    assert task.error.type == "AddressBlocked", task.error.message
    assert f"redirected to {hidden.url}/admin" in task.error.message
    assert allowed.seen == ["/start"]
    assert hidden.seen == []


def test_redirects_between_allowed_hosts_are_followed_and_bounded(tmp_path, servers) -> None:
    first, second = servers
    first.redirect_to = f"{second.url}/end"
    allow = ["127.0.0.1"]
    task = _get(tmp_path, f"{first.url}/start", http_allow_hosts=allow)
    assert task.status is TaskStatus.COMPLETED, task.error
    assert task.output["url"] == f"{second.url}/end"
    assert task.output["redirects"] == [f"{second.url}/end"]
    second.redirect_to = f"{second.url}/again"
    looping = _get(tmp_path, f"{second.url}/loop", http_allow_hosts=allow, http_max_redirects=3)
    assert looping.error.type == "TooManyRedirects"
    assert "more than 3" in looping.error.message
    assert second.seen.count("/again") == 3


def test_a_redirect_to_another_scheme_is_refused(tmp_path, servers) -> None:
    servers[0].redirect_to = "file:///etc/passwd"
    task = _get(tmp_path, f"{servers[0].url}/x", http_allow_hosts=["127.0.0.1"])
    assert task.error.type == "AddressBlocked"
    assert "file: URL" in task.error.message


def test_a_proxy_in_the_server_environment_is_not_used(tmp_path, servers, monkeypatch) -> None:
    """With HTTP_PROXY pointing at a loopback server, a public URL must not go through it."""
    proxy = servers[0]
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("http_proxy", proxy.url)
    _get(tmp_path, "http://192.0.2.1:9/", timeout_seconds=1.0)  # TEST-NET-1: not public
    assert proxy.seen == []


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("169.254.169.254", "metadata"),
        ("fd00:ec2::254", "metadata"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fc00::1", "private"),
        ("100.64.0.1", "carrier-grade NAT"),
        ("169.254.1.1", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("::1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("::ffff:169.254.169.254", "metadata"),
        ("2002:7f00:1::", "loopback"),  # 6to4 around 127.0.0.1
        ("64:ff9b::a9fe:a9fe", "metadata"),  # NAT64 around 169.254.169.254
        ("240.0.0.1", "reserved"),
        ("192.0.2.1", "private"),  # documentation range: private to Python's ipaddress
    ],
)
def test_blocked_ranges(address: str, reason: str) -> None:
    why = blocked_reason(ipaddress.ip_address(address))
    assert why is not None and reason in why


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_pass(address: str) -> None:
    assert blocked_reason(ipaddress.ip_address(address)) is None


def test_allow_entries() -> None:
    assert host_allowed("Example.COM.", 443, ["example.com"])
    assert host_allowed("::1", 8080, ["[::1]:8080"])
    assert not host_allowed("::1", 8081, ["[::1]:8080"])
    assert not host_allowed("api.example.com", 443, ["example.com"])


def test_the_connection_goes_to_the_checked_address_not_the_name(servers) -> None:
    """DNS rebinding needs a second lookup at connect time; the guard hands the connecting
    layer the address it checked, never the name (recorded around the real backend)."""
    import asyncio

    import httpcore

    from altlas.run.handlers.http_sandbox import _GuardedBackend

    connected: list[str] = []

    class Recording(httpcore.AnyIOBackend):
        async def connect_tcp(self, host, port, *args, **kwargs):  # type: ignore[override]
            connected.append(host)
            return await super().connect_tcp(host, port, *args, **kwargs)

    backend = _GuardedBackend(["localhost"])
    backend._inner = Recording()

    async def fetch() -> int:
        async with httpcore.AsyncConnectionPool(network_backend=backend) as pool:
            response = await pool.request("GET", f"http://localhost:{servers[0].port}/pinned")
            return response.status

    assert asyncio.run(fetch()) == 200
    assert servers[0].seen == ["/pinned"]
    assert connected and all(ipaddress.ip_address(host).is_loopback for host in connected)


def test_the_allow_list_comes_from_configuration(tmp_path, servers, monkeypatch) -> None:
    """An operator sets it in the environment (or config.toml); the run picks it up."""
    monkeypatch.setenv("ALTLAS_RUN__HTTP_ALLOW_HOSTS", f"example.org, 127.0.0.1:{servers[0].port}")
    task = _get(tmp_path, f"{servers[0].url}/configured")
    assert task.status is TaskStatus.COMPLETED, task.error
    assert servers[0].seen == ["/configured"]
