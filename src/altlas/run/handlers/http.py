"""The ``http`` handler (httpx): one request, off unless the run allows the network.

Even with the network on, a plan reaches only public addresses (or hosts an operator listed
in ``[run] http_allow_hosts``): every connection, redirects included, goes through
:mod:`altlas.run.handlers.http_sandbox`. Redirects are followed here, at most
``[run] http_max_redirects`` of them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from altlas.formats.plan import Task
from altlas.run.handlers.base import (
    Handler,
    HandlerContext,
    PermanentError,
    TransientError,
    refusal,
)

__all__ = ["HttpHandler"]

_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _url(params: Mapping[str, Any]) -> str:
    url = params.get("url")
    if not isinstance(url, str) or not url.strip():
        raise PermanentError("needs parameters.url")
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PermanentError(f"parameters.url must be an http(s) URL, not {url!r}")
    return url.strip()


@dataclass(frozen=True, slots=True)
class _Reply:
    response: Any  # httpx.Response, whose body was read here (at most the output cap)
    body: bytes
    truncated: bool
    redirects: list[str]


async def _read_capped(response: Any, limit: int) -> tuple[bytes, bool]:
    """At most ``limit`` bytes of the body: a huge answer never sits in memory whole."""
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in response.aiter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                return b"".join(chunks)[:limit], True
    finally:
        await response.aclose()
    return b"".join(chunks), False


async def _send(
    ctx: HandlerContext, method: str, url: str, kwargs: dict[str, Any], *, follow: bool
) -> _Reply:
    """Send the request, following redirects here (each hop connects through the guard)."""
    import httpx

    from altlas.run.handlers.http_sandbox import AddressBlocked, GuardedTransport

    limit = ctx.config.http_max_redirects
    hops: list[str] = []
    try:
        async with httpx.AsyncClient(
            transport=GuardedTransport(ctx.config.http_allow_hosts),
            follow_redirects=False,
            timeout=ctx.timeout,
            trust_env=False,
        ) as client:
            request = client.build_request(method, url, **kwargs)
            while True:
                response = await client.send(request, stream=True)
                if not (follow and response.is_redirect and response.next_request is not None):
                    body, cut = await _read_capped(response, ctx.config.max_output_bytes)
                    return _Reply(response, body, cut, hops)
                request = response.next_request
                await response.aclose()
                _check_redirect(ctx, method, url, request.url, len(hops), limit)
                hops.append(str(request.url))
    except AddressBlocked as exc:
        where = f" (redirected to {hops[-1]})" if hops else ""
        raise PermanentError(
            f"task '{ctx.task.id}': {method} {url}{where} refused: {exc}",
            error_type="AddressBlocked",
        ) from None
    except httpx.InvalidURL as exc:
        raise PermanentError(f"{method} {url}: invalid URL: {exc}") from None
    except httpx.HTTPError as exc:
        raise TransientError(
            f"{method} {url}: {type(exc).__name__}: {exc}", error_type="HTTPError"
        ) from None


def _check_redirect(
    ctx: HandlerContext, method: str, url: str, target: Any, done: int, limit: int
) -> None:
    if target.scheme not in ("http", "https"):
        raise PermanentError(
            f"task '{ctx.task.id}': {method} {url} redirected to a {target.scheme}: URL; "
            "only http and https are followed",
            error_type="AddressBlocked",
        )
    if done >= limit:
        raise PermanentError(
            f"task '{ctx.task.id}': {method} {url} redirected more than {limit} times "
            "([run] http_max_redirects)",
            error_type="TooManyRedirects",
        )


class HttpHandler(Handler):
    name = "http"
    description = "one HTTP request with httpx (needs --allow-net)"
    breaker = True
    cacheable = True

    def check(self, task: Task, params: Mapping[str, Any]) -> str | None:
        return refusal(_url, params)

    def target(self, params: Mapping[str, Any], ctx: HandlerContext | None = None) -> str | None:
        try:
            parts = urlsplit(_url(params))
        except PermanentError:
            return None
        return f"{parts.scheme}://{parts.netloc}"

    def is_cacheable(self, params: Mapping[str, Any]) -> bool:
        return str(params.get("method", "GET")).upper() in ("GET", "HEAD")

    def describe(self, task: Task, params: Mapping[str, Any]) -> str:
        return f"{str(params.get('method', 'GET')).upper()} {_url(params)}"

    async def run(self, ctx: HandlerContext) -> Any:
        url = _url(ctx.params)
        if not ctx.config.allow_net:
            raise PermanentError(
                f"the http handler is off: run with --allow-net to request {url}",
                error_type="PermissionDenied",
            )
        method = str(ctx.params.get("method", "GET")).upper()
        if method not in _METHODS:
            raise PermanentError(
                f"parameters.method '{method}' is not one of {', '.join(_METHODS)}"
            )
        headers = ctx.params.get("headers") or {}
        if not isinstance(headers, Mapping):
            raise PermanentError("parameters.headers must be an object")
        kwargs: dict[str, Any] = {"headers": {str(k): str(v) for k, v in headers.items()}}
        if ctx.params.get("query") is not None:
            kwargs["params"] = ctx.params["query"]
        if ctx.params.get("json") is not None:
            kwargs["json"] = ctx.params["json"]
        elif ctx.params.get("body") is not None:
            body = ctx.params["body"]
            kwargs["content"] = body if isinstance(body, str) else str(body)
        follow = bool(ctx.params.get("follow_redirects", True))
        reply = await _send(ctx, method, url, kwargs, follow=follow)
        response = reply.response
        text = reply.body.decode(response.encoding or "utf-8", errors="replace")
        out: dict[str, Any] = {
            "url": str(response.url),
            "method": method,
            "status_code": response.status_code,
            "headers": dict(response.headers),
            "text": text,
        }
        if reply.redirects:
            out["redirects"] = reply.redirects
        if reply.truncated:
            out["truncated"] = True
        elif "json" in response.headers.get("content-type", ""):
            import orjson

            with contextlib.suppress(ValueError):
                out["json"] = orjson.loads(reply.body)
        expect = ctx.params.get("expect_status")
        ok = response.status_code in expect if isinstance(expect, list) else response.is_success
        if not ok:
            message = f"{method} {url} answered {response.status_code} {response.reason_phrase}"
            if response.status_code >= 500 or response.status_code in (408, 429):
                raise TransientError(message, error_type="HTTPStatus", output=out)
            raise PermanentError(message, error_type="HTTPStatus", output=out)
        return out
