"""The OpenAI-compatible wire: ``POST {base_url}/chat/completions``, plain or streamed (SSE).

Failures become :class:`BackendFailure` with two decisions attached: may this backend be tried
again (``retry``) and may the next backend be tried (``fallback``). 429, 408, 5xx, timeouts and
connection errors allow both; 401, 403 and 404 are this backend's key or model, so only the
next backend is tried; any other 4xx (400, 413, 422...) is the request itself, which the next
backend would refuse as well, so nothing more is tried.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    import httpx

    from altlas.llm.config import BackendConfig

__all__ = ["BackendFailure", "complete", "endpoint", "stream_deltas"]

_BACKEND_SPECIFIC = (401, 403, 404)


class BackendFailure(Exception):
    def __init__(self, message: str, *, retry: bool, fallback: bool, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.retry = retry
        self.fallback = fallback
        self.status = status


class StreamCut(BackendFailure):
    """The stream broke or ended without ``[DONE]`` after text had been delivered."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retry=False, fallback=False)


def endpoint(base_url: str) -> str:
    base = base_url.rstrip("/")
    if base.endswith("/chat/completions"):
        return base
    if not base.endswith("/v1"):
        base += "/v1"
    return base + "/chat/completions"


def status_failure(status: int, text: str) -> BackendFailure:
    message = f"HTTP {status}: {' '.join(text[:200].split())}"
    if status in (408, 429) or status >= 500:
        return BackendFailure(message, retry=True, fallback=True, status=status)
    if status in _BACKEND_SPECIFIC:
        return BackendFailure(message, retry=False, fallback=True, status=status)
    return BackendFailure(message, retry=False, fallback=False, status=status)


def transport_failure(exc: Exception, timeout: float) -> BackendFailure:
    import httpx

    if isinstance(exc, httpx.TimeoutException):
        return BackendFailure(f"timeout after {timeout:g} s", retry=True, fallback=True)
    return BackendFailure(f"request failed: {type(exc).__name__}: {exc}", retry=True, fallback=True)


def _headers(key: str | None) -> dict[str, str]:
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    return headers


async def complete(
    client: httpx.AsyncClient, backend: BackendConfig, key: str | None, body: dict[str, Any]
) -> dict[str, Any]:
    """The parsed completion; :class:`BackendFailure` for anything else."""
    import httpx

    try:
        response = await client.post(
            endpoint(backend.base_url),
            content=orjson.dumps(body),
            headers=_headers(key),
            timeout=backend.timeout,
        )
    except httpx.HTTPError as exc:
        raise transport_failure(exc, backend.timeout) from None
    if response.status_code >= 400:
        raise status_failure(response.status_code, response.text)
    try:
        data = orjson.loads(response.content)
        if not isinstance(data["choices"][0]["message"], dict):
            raise TypeError
    except (orjson.JSONDecodeError, KeyError, IndexError, TypeError):
        raise BackendFailure(
            "the answer is not a chat completion (no choices[0].message)",
            retry=False,
            fallback=True,
        ) from None
    if not isinstance(data, dict):
        raise BackendFailure("the answer is not a JSON object", retry=False, fallback=True)
    return data


def _event(line: str) -> dict[str, Any] | None:
    """One SSE ``data:`` line as JSON; None for comments, blank lines and other fields."""
    if not line.startswith("data:"):
        return None
    payload = line[5:].strip()
    if payload == "[DONE]":
        return {"done": True}
    try:
        event = orjson.loads(payload)
    except orjson.JSONDecodeError:
        raise StreamCut(f"a stream event is not JSON: {payload[:80]!r}") from None
    return event if isinstance(event, dict) else None


async def stream_deltas(
    client: httpx.AsyncClient, backend: BackendConfig, key: str | None, body: dict[str, Any]
) -> AsyncIterator[dict[str, Any]]:
    """Stream events: ``{"delta": str}`` ... then ``{"done": True, ...}``.

    A failure before any event is a plain :class:`BackendFailure` (the pool may fall back);
    ending without ``[DONE]`` is :class:`StreamCut`, never a clean end.
    """
    import httpx

    url = endpoint(backend.base_url)
    try:
        async with client.stream(
            "POST", url, content=orjson.dumps(body), headers=_headers(key), timeout=backend.timeout
        ) as response:
            if response.status_code >= 400:
                await response.aread()
                raise status_failure(response.status_code, response.text)
            async for event in _events(response):
                yield event
                if event.get("done"):
                    return
    except httpx.HTTPError as exc:
        raise transport_failure(exc, backend.timeout) from None
    raise StreamCut("the stream ended without [DONE]")


async def _events(response: httpx.Response) -> AsyncIterator[dict[str, Any]]:
    finish: str | None = None
    usage: dict[str, Any] | None = None
    model: str | None = None
    async for line in response.aiter_lines():
        event = _event(line)
        if event is None:
            continue
        if event.get("done"):
            yield {"done": True, "finish_reason": finish, "usage": usage, "model": model}
            return
        model = event.get("model") or model
        usage = event.get("usage") or usage
        for choice in event.get("choices") or ():
            finish = choice.get("finish_reason") or finish
            content = (choice.get("delta") or {}).get("content")
            if content:
                yield {"delta": content}
