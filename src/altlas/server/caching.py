"""HTTP caching: ETag and Last-Modified on every resource GET, 304 answers, the search cache.

* Handlers answer resource GETs with :func:`resource_response`, which sets a strong ETag
  (a hash of the exact bytes), ``Last-Modified`` and ``Cache-Control: private, no-cache``
  (clients may keep a copy but must revalidate).
* :class:`ConditionalGetMiddleware` answers ``If-None-Match`` / ``If-Modified-Since`` with
  304. A GET whose handler set no ETag is buffered and hashed here, so nothing escapes.
* Search answers sit in Litestar's response cache; :class:`SearchCache` adds a generation to
  their keys and clears the store when the bus reports an archive change, so a cached answer
  never outlives the data it came from (the TTL is only a backstop).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import threading
import time
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

import orjson
from litestar import Request, Response
from litestar.stores.base import Store

from altlas.events.bus import Event
from altlas.server._asgi import App, Message, Receive, Scope, Send

__all__ = [
    "CachedAnswerMiddleware",
    "ConditionalGetMiddleware",
    "LoopMemoryStore",
    "SearchCache",
    "etag_of",
    "resource_response",
]

_FIRST_SEEN_MAX = 4096


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def http_date(when: datetime) -> str:
    return format_datetime(when.astimezone(UTC).replace(microsecond=0), usegmt=True)


def _parse_http_date(text: str) -> datetime | None:
    try:
        value = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def resource_response(
    content: Any,
    *,
    last_modified: datetime | None,
    media_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> Response[bytes]:
    """A cacheable representation: bytes as given, anything else as JSON."""
    body = content if isinstance(content, bytes) else orjson.dumps(content, default=str)
    out = {"ETag": etag_of(body), "Cache-Control": "private, no-cache", **(headers or {})}
    if last_modified is not None:
        out["Last-Modified"] = http_date(last_modified)
    return Response(body, media_type=media_type, headers=out)


def _tag_matches(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in header.split(","))


class ConditionalGetMiddleware:
    """304 for GET/HEAD when the client's copy is current (RFC 9110 section 13)."""

    def __init__(self, app: App) -> None:
        self.app = app
        self._first_seen: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def _last_modified_for(self, etag: str) -> bytes:
        """For a body without a natural time: when this exact content was first served, as
        a ready ``Last-Modified`` value (formatting a date per request is not free)."""
        seen = self._first_seen.get(etag)
        if seen is None:
            with self._lock:
                seen = self._first_seen.get(etag)
                if seen is None:
                    seen = http_date(datetime.now(UTC)).encode()
                    self._first_seen[etag] = seen
                    if len(self._first_seen) > _FIRST_SEEN_MAX:
                        self._first_seen.popitem(last=False)
        return seen

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        if_none_match = if_modified_since = ""
        for name, value in scope["headers"]:
            if name == b"if-none-match":
                if_none_match = value.decode("latin-1")
            elif name == b"if-modified-since":
                if_modified_since = value.decode("latin-1")
        start: Message | None = None
        buffered: list[bytes] = []
        mode = "undecided"  # -> "pass", "drop" (answered 304) or "buffer"
        conditional = bool(if_none_match or if_modified_since)

        def not_modified(headers: list[tuple[bytes, bytes]]) -> bool:
            if not conditional:
                return False
            names = dict(headers)
            etag = names.get(b"etag", b"").decode("latin-1")
            if if_none_match:
                return bool(etag) and _tag_matches(if_none_match, etag)
            if if_modified_since and b"last-modified" in names:
                since = _parse_http_date(if_modified_since)
                modified = _parse_http_date(names[b"last-modified"].decode("latin-1"))
                return since is not None and modified is not None and modified <= since
            return False

        async def send_304(headers: list[tuple[bytes, bytes]]) -> None:
            keep = (b"etag", b"last-modified", b"cache-control", b"vary", b"expires")
            await send(
                {
                    "type": "http.response.start",
                    "status": 304,
                    "headers": [(k, v) for k, v in headers if k.lower() in keep],
                },
            )
            await send({"type": "http.response.body", "body": b"", "more_body": False})

        async def wrapped_send(message: Message) -> None:
            nonlocal start, mode
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                names = dict(headers)  # ASGI response header names are lower case
                streaming = names.get(b"content-type", b"").startswith(b"text/event-stream")
                if message["status"] != 200 or streaming:
                    mode = "pass"
                    await send(message)
                    return
                if b"etag" in names:
                    if b"last-modified" not in names:
                        etag = names[b"etag"].decode("latin-1")
                        headers.append((b"last-modified", self._last_modified_for(etag)))
                        message["headers"] = headers
                    if not_modified(headers):
                        mode = "drop"
                        await send_304(headers)
                        return
                    mode = "pass"
                    await send(message)
                    return
                mode = "buffer"
                start = message
                return
            if mode == "drop":
                return
            if mode != "buffer":
                await send(message)
                return
            buffered.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            assert start is not None
            body = b"".join(buffered)
            etag = etag_of(body)
            headers = [
                (k, v) for k, v in start.get("headers", ()) if k.lower() != b"content-length"
            ]
            headers.append((b"etag", etag.encode()))
            if not any(k.lower() == b"last-modified" for k, _ in headers):
                headers.append((b"last-modified", self._last_modified_for(etag)))
            if not any(k.lower() == b"cache-control" for k, _ in headers):
                headers.append((b"cache-control", b"private, no-cache"))
            if not_modified(headers):
                await send_304(headers)
                return
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body, "more_body": False})

        await self.app(scope, receive, wrapped_send)


class CachedAnswerMiddleware:
    """Keeps a cached answer as the handler made it, for the innermost router layer.

    Litestar's response cache stores the very ``http.response.start`` message it passes
    outward, and the outer layers (request id, version, rate limit, Last-Modified) add their
    headers to that message in place before the body ends and the entry is written. Without a
    copy, every later caller got the first caller's request id and rate-limit counters, plus
    its own. Routes without ``cache`` pass straight through.
    """

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = scope.get("route_handler")
        if scope["type"] != "http" or not getattr(handler, "cache", False):
            await self.app(scope, receive, send)
            return

        async def copying_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": list(message.get("headers", ()))}
            await send(message)

        await self.app(scope, receive, copying_send)


class LoopMemoryStore(Store):
    """An in-memory store for one event loop: Litestar's ``MemoryStore`` minus its lock and
    its wall-clock expiry.

    Every operation is a few dict steps with no ``await`` in between, so it is already
    atomic on the loop (other threads reach it only through the loop, see
    :meth:`SearchCache.on_event`); the lock cost one loop round-trip per cached read, and
    the ``datetime.now()`` per read showed up in profiles too. Expiry is on the monotonic
    clock.
    """

    def __init__(self, max_entries: int | None = None) -> None:
        # A cache needs a bound (every distinct query string is an entry); a rate-limit
        # counter store must not have one, or a flood of keys would reset the limits.
        self.max_entries = max_entries
        self._store: dict[str, tuple[bytes, float | None]] = {}

    @staticmethod
    def _deadline(expires_in: int | timedelta | None) -> float | None:
        if not expires_in:
            return None
        seconds = expires_in.total_seconds() if isinstance(expires_in, timedelta) else expires_in
        return time.monotonic() + seconds

    async def set(
        self, key: str, value: str | bytes, expires_in: int | timedelta | None = None
    ) -> None:
        data = value.encode("utf-8") if isinstance(value, str) else value
        full = self.max_entries is not None and len(self._store) >= self.max_entries
        if full and key not in self._store:
            await self.delete_expired()
            if len(self._store) >= self.max_entries:  # type: ignore[operator]
                del self._store[next(iter(self._store))]  # the oldest write
        self._store[key] = (data, self._deadline(expires_in))

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        item = self._store.get(key)
        if item is None:
            return None
        data, deadline = item
        if deadline is not None:
            if deadline <= time.monotonic():
                self._store.pop(key, None)
                return None
            if renew_for:
                self._store[key] = (data, self._deadline(renew_for))
        return data

    async def delete(self, key: str) -> None:
        self._store.pop(key, None)

    async def delete_all(self) -> None:
        self._store.clear()

    async def delete_expired(self) -> None:
        now = time.monotonic()
        self._store = {k: v for k, v in self._store.items() if v[1] is None or v[1] > now}

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        item = self._store.get(key)
        if item is None or item[1] is None:
            return None
        return int(item[1] - time.monotonic())


class SearchCache:
    """Cache keys for search answers, invalidated by archive events from the bus."""

    def __init__(self) -> None:
        self.generation = 0
        self.invalidations = 0
        self._store: Store | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._pending: set[concurrent.futures.Future[None]] = set()

    def bind(self, store: Store, loop: asyncio.AbstractEventLoop) -> None:
        self._store = store
        self._loop = loop

    def key(self, request: Request[Any, Any, Any]) -> str:
        # The raw query string, not the parsed one: parsing cost more than the cached answer
        # saves. The same query spelled differently is only a second entry, never a wrong one.
        query = request.scope["query_string"].decode("latin-1")
        return f"search:{self.generation}:{request.scope['path']}?{query}"

    def on_event(self, _event: Event) -> None:
        """Bus subscriber for ``archive.`` events; may run in any thread."""
        # The new generation makes this process stop reading old entries at once; clearing
        # the store also drops them for other processes sharing a Redis store.
        self.generation += 1
        self.invalidations += 1
        store, loop = self._store, self._loop
        if store is None or loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            task = loop.create_task(store.delete_all())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        else:
            pending = asyncio.run_coroutine_threadsafe(store.delete_all(), loop)
            self._pending.add(pending)
            pending.add_done_callback(self._pending.discard)
