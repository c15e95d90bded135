"""The outermost layer: request ids, security and version headers, and request analytics.

It wraps the whole application (routing included), so requests for paths that match no
route, and errors raised before any handler, are still timed, counted and given the same
headers as everything else.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

from altlas.server._asgi import App, Message, Receive, Scope, Send
from altlas.server.analytics import AnalyticsRecorder, RequestRecord
from altlas.server.errors import REQUEST_ID_KEY
from altlas.server.versioning import VersionPolicy

__all__ = ["EdgeMiddleware"]

_SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-resource-policy", b"same-origin"),
)
# The API returns data, never pages: nothing may run, load or frame.
_API_CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")
_HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


def principal_of(scope: Scope) -> str | None:
    user = scope.get("user")
    key = getattr(user, "key", None)
    return key if isinstance(key, str) else None


class EdgeMiddleware:
    """ASGI wrapper around the Litestar handler stack."""

    def __init__(
        self,
        app: App,
        *,
        recorder: AnalyticsRecorder | None,
        versions: VersionPolicy,
        hsts: bool,
        docs_prefix: str = "/schema",
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.app = app
        self.recorder = recorder
        self.versions = versions
        self.hsts = hsts
        self.docs_prefix = docs_prefix
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = self.clock()
        request_id = "req_" + secrets.token_hex(8)
        scope[REQUEST_ID_KEY] = request_id
        path: str = scope["path"]
        version_headers = self.versions.headers_for_path(path)
        docs = path.startswith(self.docs_prefix)
        state: dict[str, int] = {"status": 500, "in": 0, "out": 0}

        async def counting_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                state["in"] += len(message.get("body", b""))
            return message

        async def wrapped_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                headers = list(message.get("headers", ()))
                names = {name.lower() for name, _ in headers}
                headers.append((b"x-request-id", request_id.encode()))
                headers.extend(h for h in _SECURITY_HEADERS if h[0] not in names)
                if not docs and b"content-security-policy" not in names:
                    headers.append(_API_CSP)
                if self.hsts:
                    headers.append(_HSTS)
                if b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                headers.extend(version_headers)
                headers.extend(self.versions.route_headers(scope))
                message["headers"] = headers
            elif message["type"] == "http.response.body":
                state["out"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, counting_receive, wrapped_send)
        finally:
            if self.recorder is not None:
                route = scope.get("path_template") or "<unmatched>"
                self.recorder.record(
                    RequestRecord(
                        ts=time.time(),
                        route=route,
                        method=scope["method"],
                        status=state["status"],
                        latency_ms=(self.clock() - started) * 1000.0,
                        principal=principal_of(scope),
                        bytes_in=state["in"],
                        bytes_out=state["out"],
                    ),
                )
