"""The outermost layer: request ids, security and version headers, and request analytics.

It wraps the whole application (routing included), so requests for paths that match no
route, and errors raised before any handler, are still timed, counted and given the same
headers as everything else.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable

from altlas.server._asgi import App, Message, Receive, Scope, Send
from altlas.server.analytics import AnalyticsRecorder, RequestRecord
from altlas.server.errors import REQUEST_ID_KEY
from altlas.server.versioning import VersionPolicy

__all__ = ["RESPONSE_HEADERS_KEY", "STATUS_KEY", "EdgeMiddleware"]

RESPONSE_HEADERS_KEY = "altlas.response_headers"
"""Scope key: a list of headers an inner layer wants on the answer, whichever layer ends
up producing it (the rate limit's ``RateLimit-*``). One pass here instead of one more send
wrapper per layer."""
STATUS_KEY = "altlas.status"
"""Scope key: the answer's status, once it has started (for layers that count statuses)."""

_SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-resource-policy", b"same-origin"),
)
# The API returns data, never pages: nothing may run, load or frame.
_API_CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")
_HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
_SECURITY_NAMES = frozenset(name for name, _ in _SECURITY_HEADERS)


_NO_STORE = (b"cache-control", b"no-store")


def _request_ids() -> Callable[[], str]:
    """Unique ids without a system call per request: 64 random bits per process, then a
    counter. They need to be unique (to find a request in logs), not secret."""
    prefix = "req_" + os.urandom(8).hex() + "_"
    counter = itertools.count(1)
    return lambda: prefix + str(next(counter))


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
        self._next_id = _request_ids()
        # The headers every response gets, once encoded; the common case copies this list.
        self._always = [*_SECURITY_HEADERS, *([_HSTS] if hsts else [])]

    def _headers(
        self,
        headers: list[tuple[bytes, bytes]],
        request_id: str,
        docs: bool,
        version_headers: list[tuple[bytes, bytes]],
        scope: Scope,
    ) -> list[tuple[bytes, bytes]]:
        names = {name for name, _ in headers}  # ASGI header names are lower case
        headers.append((b"x-request-id", request_id.encode()))
        if names.isdisjoint(_SECURITY_NAMES):
            headers += self._always
        else:  # the docs pages set some of their own
            headers.extend(h for h in _SECURITY_HEADERS if h[0] not in names)
            if self.hsts:
                headers.append(_HSTS)
        if not docs and b"content-security-policy" not in names:
            headers.append(_API_CSP)
        if b"cache-control" not in names:
            headers.append(_NO_STORE)
        headers += version_headers
        headers += self.versions.route_headers(scope)
        asked = scope.get(RESPONSE_HEADERS_KEY)
        if asked:
            headers += asked
        return headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = self.clock()
        request_id = self._next_id()
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
                state["status"] = scope[STATUS_KEY] = message["status"]
                message["headers"] = self._headers(
                    list(message.get("headers", ())), request_id, docs, version_headers, scope
                )
            elif message["type"] == "http.response.body":
                state["out"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, counting_receive, wrapped_send)
        finally:
            if self.recorder is not None:
                self.recorder.record(
                    RequestRecord(
                        time.time(),
                        scope.get("path_template") or "<unmatched>",
                        scope["method"],
                        state["status"],
                        (self.clock() - started) * 1000.0,
                        principal_of(scope),
                        state["in"],
                        state["out"],
                    ),
                )
