"""The ``http`` handler (httpx): one request, off unless the run allows the network."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from altlas.formats.plan import Task
from altlas.run.handlers.base import Handler, HandlerContext, PermanentError, TransientError

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


class HttpHandler(Handler):
    name = "http"
    description = "one HTTP request with httpx (needs --allow-net)"
    breaker = True
    cacheable = True

    def check(self, task: Task, params: Mapping[str, Any]) -> str | None:
        try:
            _url(params)
        except PermanentError as exc:
            return exc.message
        return None

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
        import httpx

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
        try:
            async with httpx.AsyncClient(
                follow_redirects=bool(ctx.params.get("follow_redirects", True)),
                timeout=ctx.timeout,
            ) as client:
                response = await client.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise TransientError(
                f"{method} {url}: {type(exc).__name__}: {exc}", error_type="HTTPError"
            ) from None
        limit = ctx.config.max_output_bytes
        text = response.text
        out: dict[str, Any] = {
            "url": str(response.url),
            "method": method,
            "status_code": response.status_code,
            "headers": dict(response.headers),
            "text": text[:limit],
        }
        if len(text) > limit:
            out["truncated"] = True
        if "json" in response.headers.get("content-type", "") and len(text) <= limit:
            with contextlib.suppress(ValueError):
                out["json"] = response.json()
        expect = ctx.params.get("expect_status")
        ok = response.status_code in expect if isinstance(expect, list) else response.is_success
        if not ok:
            message = f"{method} {url} answered {response.status_code} {response.reason_phrase}"
            if response.status_code >= 500 or response.status_code in (408, 429):
                raise TransientError(message, error_type="HTTPStatus", output=out)
            raise PermanentError(message, error_type="HTTPStatus", output=out)
        return out
