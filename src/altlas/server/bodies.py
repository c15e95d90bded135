"""Request bodies: JSON decoding with a nesting limit, for every JSON route at once.

Litestar decodes a JSON body with msgspec, which raises ``RecursionError`` on a body nested
about a thousand levels deep: a 500, even on the login route. :class:`AltlasRequest`
replaces that decoding for the whole application, so every route taking ``JSONBody`` gets
the same check: deeper than ``[server] max_json_depth`` is a 400 in the error envelope,
measured on the bytes before any object is built.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import HTTPException
from litestar.serialization import decode_json
from litestar.types import Empty

from altlas.errors import DecodeError

__all__ = [
    "DEFAULT_MAX_JSON_DEPTH",
    "JSON_BODY_OPT",
    "SMALL_BODY",
    "TEXT_BODY",
    "AltlasRequest",
    "JsonTooDeepError",
    "check_json_depth",
]

DEFAULT_MAX_JSON_DEPTH = 128
JSON_BODY_OPT = "json_body_bytes"
"""Route ``opt`` key: the largest JSON body the route decodes (default :data:`SMALL_BODY`)."""
SMALL_BODY = 64 * 1024
"""JSON body limit of routes whose models hold a few short fields (auth, keys, atlas). The
global ``max_body_bytes`` is for documents, which are read in worker processes; a JSON body
taken by a model is decoded on the event loop, so it must stay small."""
TEXT_BODY = 1024 * 1024
"""JSON body limit of ``POST /v1/segment`` (100,000 characters of text, escaped)."""

_BRACKETS = bytes.maketrans(b"{}", b"[]")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


class JsonTooDeepError(DecodeError):
    """A JSON body nested deeper than the server accepts."""


def check_json_depth(raw: bytes, limit: int) -> None:
    """Raise :class:`JsonTooDeepError` if ``raw`` nests arrays/objects deeper than ``limit``.

    Works on the bytes, in C-level passes: escapes are dropped (``\\\\`` first, then
    ``\\"``), so splitting on ``"`` leaves the text outside strings at the even places;
    every byte but brackets goes, and innermost ``[]`` pairs are peeled off one level per
    pass. At most ``limit + 1`` passes, so the cost is bounded whatever the input.
    """
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return  # cannot be deeper than the number of openers
    unescaped = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    outside = b"".join(unescaped.split(b'"')[::2])
    skeleton = outside.translate(_BRACKETS, _NOT_BRACKETS)
    for _ in range(limit):
        peeled = skeleton.replace(b"[]", b"")
        if peeled == skeleton:
            return  # empty, or unbalanced: the JSON parser reports that
        skeleton = peeled
    if b"[]" in skeleton:
        raise JsonTooDeepError(f"the JSON body is nested deeper than {limit} levels")


class AltlasRequest(Request[Any, Any, Any]):
    """Litestar's request with a bounded JSON decoder (see the module docstring)."""

    async def json(self) -> Any:
        if self._json is not Empty:
            return self._json
        if self._connection_state.json is not Empty:
            self._json = self._connection_state.json
            return self._json
        body = await self.body()
        allowed = self.route_handler.opt.get(JSON_BODY_OPT, SMALL_BODY)
        if len(body) > allowed:
            raise HTTPException(
                status_code=413,
                detail=f"a JSON body on this route is at most {allowed:,} bytes",
            )
        ctx = self.app.state.get("ctx")
        limit = ctx.config.max_json_depth if ctx is not None else DEFAULT_MAX_JSON_DEPTH
        check_json_depth(body, limit)
        try:
            decoded = decode_json(
                body or b"null",
                type_decoders=self.route_handler.resolve_type_decoders(),
            )
        except RecursionError:  # a limit configured beyond what the decoder can nest
            raise JsonTooDeepError("the JSON body is nested too deeply") from None
        self._json = self._connection_state.json = decoded
        return decoded
