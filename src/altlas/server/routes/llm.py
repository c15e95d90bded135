"""``POST /v1/llm/chat``: an OpenAI-compatible chat completion through the LLM pool.

The body is an OpenAI chat request; the pool picks the backend, falls back, caches and
enforces the per-key budget (``[llm] budget_usd_per_key``, reserved before any request).
With ``stream`` the answer is server-sent events in OpenAI's chunk format, ending in
``data: [DONE]``; a stream cut off upstream ends with an ``error`` event and no ``[DONE]``,
so a client never takes half an answer for a whole one.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Literal

import orjson
from litestar import Request, Response, post
from litestar.params import JSONBody
from litestar.response import Stream
from pydantic import BaseModel, ConfigDict, Field, model_validator

from altlas.errors import (
    AltlasError,
    InvalidInputError,
    NotFoundError,
    QuotaError,
    UnavailableError,
)
from altlas.server.accounts import Principal
from altlas.server.roles import Permission
from altlas.server.routes._common import JSON_BODY_OPT, PROTECTED, TEXT_BODY, errors, ok, route_opt

if TYPE_CHECKING:
    from litestar import Litestar

    from altlas.config import Settings
    from altlas.llm.pool import Pool
    from altlas.llm.request import ChatResponse
    from altlas.server.config import ServerConfig

__all__ = ["LLM_STATE", "ROUTES", "llm_lifespan", "server_pool"]

LLM_STATE = "llm_pool"
_GROUPS: dict[str, type[AltlasError]] = {
    "budget": QuotaError,
    "refused": InvalidInputError,
    "unavailable": UnavailableError,
    "not_configured": UnavailableError,
}
"""What an LlmError's kind means to the client; server/errors.py turns the group into a status."""


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: str | list[dict[str, Any]] | None = None


class ChatCompletionRequest(BaseModel):
    """An OpenAI chat completion request; ``model`` pins the backends serving it."""

    model_config = ConfigDict(extra="forbid")
    messages: list[ChatMessage] = Field(min_length=1)
    model: str | None = None
    stream: bool = False
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)
    max_tokens: int | None = Field(default=None, ge=1)
    stop: str | list[str] | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    logit_bias: dict[str, float] | None = None
    n: int | None = Field(default=None, ge=1, le=8)
    seed: int | None = None
    tools: list[dict[str, Any]] | None = None
    tool_choice: str | dict[str, Any] | None = None
    response_format: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _one_streamed_choice(self) -> ChatCompletionRequest:
        # the pool streams the text of one choice; n > 1 would drop the others silently
        if self.stream and (self.n or 1) > 1:
            raise ValueError("n: a streamed chat has one choice (n = 1)")
        return self


class ChatChoice(BaseModel):
    index: int = 0
    message: dict[str, Any]
    finish_reason: str | None = None


class ChatUsage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


class PoolFacts(BaseModel):
    """How the pool answered (not part of OpenAI's format; clients ignore it)."""

    backend: str
    cached: bool
    cost_usd: float
    latency_ms: float
    fallbacks: list[dict[str, Any]]


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[ChatChoice]
    usage: ChatUsage
    altlas: PoolFacts


def server_pool(settings: Settings, config: ServerConfig) -> Pool:
    """The pool the server holds; with ``--redis`` its response cache lives in Redis too."""
    from altlas.config import Settings as SettingsClass
    from altlas.llm import get_pool

    if config.redis:
        section = dict(settings.raw_section("llm"))
        section.setdefault("cache_backend", "redis")
        section.setdefault("cache_url", config.redis)
        settings = SettingsClass(settings.home, {**settings.data, "llm": section})
    return get_pool(settings)


def llm_lifespan(pool: Pool) -> Any:
    """One HTTP client (and its keep-alive connections) for the app's lifetime."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with pool.connected():
            yield

    return lifespan


def _failure(exc: Any, pool: Pool) -> AltlasError:
    """The pool's failure as the group that says whose move it is."""
    if exc.kind == "not_configured" and pool.configured:
        # a pool exists but serves no such model: the request names the wrong thing
        return NotFoundError(exc.one_line())
    return _GROUPS.get(exc.kind, UnavailableError)(exc.one_line())


def _completion(answer: ChatResponse, stream_id: str) -> ChatCompletion:
    raw = answer.raw or {}
    choices = raw.get("choices") or [
        {
            "index": 0,
            "message": {"role": "assistant", "content": answer.text},
            "finish_reason": answer.finish_reason,
        }
    ]
    return ChatCompletion(
        id=str(raw.get("id") or stream_id),
        created=int(raw.get("created") or time.time()),
        model=answer.model,
        choices=[ChatChoice.model_validate(c) for c in choices],
        usage=ChatUsage(
            prompt_tokens=answer.prompt_tokens,
            completion_tokens=answer.completion_tokens,
            total_tokens=answer.total_tokens,
        ),
        altlas=PoolFacts(
            backend=answer.backend,
            cached=answer.cached,
            cost_usd=answer.cost_usd,
            latency_ms=round(answer.latency_ms, 3),
            fallbacks=answer.fallbacks,
        ),
    )


def _event(payload: dict[str, Any] | str) -> bytes:
    data = payload if isinstance(payload, str) else orjson.dumps(payload).decode()
    return f"data: {data}\n\n".encode()


async def _sse(
    first: str, rest: AsyncIterator[str], chat: Any, chunk_id: str, model: str | None
) -> AsyncIterator[bytes]:
    from altlas.llm import LlmError

    created = int(time.time())

    def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
        return _event(
            {
                "id": chunk_id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model or "",
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
        )

    try:
        yield chunk({"role": "assistant", "content": first})
        async for text in rest:
            yield chunk({"content": text})
    except LlmError as exc:
        # the status line went out with the first token: the error can only be an event
        kind = exc.kind if exc.kind in _GROUPS or exc.kind == "stream_cut" else "unavailable"
        yield _event({"error": {"message": exc.one_line(), "type": kind}})
        return
    finally:
        # a client that hangs up closes the upstream stream (and frees its reservation) now,
        # not whenever the generator is collected
        close = getattr(rest, "aclose", None)
        if close is not None:
            await close()
    answer = chat.response
    yield chunk({}, answer.finish_reason if answer is not None else "stop")
    yield _event("[DONE]")


@post(
    "/llm/chat",
    opt={**route_opt(Permission.LLM_CHAT, "llm"), JSON_BODY_OPT: TEXT_BODY},
    status_code=200,
    tags=["llm"],
    responses={
        **ok(ChatCompletion, "The completion (or, with stream, server-sent chunks)"),
        **errors(*PROTECTED, 402, 404, 503),
    },
)
async def chat(
    request: Request[Principal, Any, Any], data: JSONBody[ChatCompletionRequest]
) -> Response[Any]:
    """A chat completion through the server's LLM pool (OpenAI's request and answer).
    402: this key's budget would be exceeded (nothing was sent); 400: the backend refused
    the request; 404: no backend serves the ``model`` asked for; 503: no backend is
    configured or none answered."""
    from altlas.formats.common import new_id
    from altlas.llm import CallContext, ChatRequest, LlmError

    pool: Pool = request.app.state[LLM_STATE]
    body = data.model_dump(exclude_none=True, exclude={"messages", "model", "stream"})
    messages = [m.model_dump(exclude_none=True) for m in data.messages]
    chat_request = ChatRequest(messages, model=data.model, params=body)
    call = CallContext("server", key_id=request.user.key)
    if not data.stream:
        try:
            answer = await pool.chat(chat_request, call)
        except LlmError as exc:
            raise _failure(exc, pool) from None
        return Response(_completion(answer, new_id("chatcmpl")))
    streamed = pool.stream(chat_request, call)
    texts = aiter(streamed)
    try:
        # the first token decides the status: a failure before it is a plain HTTP error
        first = await anext(texts)
    except LlmError as exc:
        raise _failure(exc, pool) from None
    except StopAsyncIteration:
        first = ""
    events = _sse(first, texts, streamed, new_id("chatcmpl"), data.model)
    return Stream(events, media_type="text/event-stream", headers={"Cache-Control": "no-store"})


ROUTES = [chat]
