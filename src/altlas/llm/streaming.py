"""A streamed call through the pool.

Before the first token a stream is like any call: retries, cooldowns, budgets and fallback
apply. From the first token on it is committed to its backend: a break, a bad event or an end
without ``[DONE]`` raises :class:`LlmError` (``stream_cut``) and nothing else is tried, since
the caller has already shown part of one model's answer.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Protocol

from altlas.llm.attempts import count_failure, key_for, response_from, retry_policy
from altlas.llm.client import BackendFailure, stream_deltas
from altlas.llm.errors import LlmError
from altlas.llm.request import ChatRequest, ChatResponse

if TYPE_CHECKING:
    import asyncio
    from contextlib import AbstractAsyncContextManager

    import httpx

    from altlas.llm.budget import Ledger, Reservation
    from altlas.llm.config import LlmSettings
    from altlas.llm.context import CallContext
    from altlas.llm.strategies import BackendState

__all__ = ["ChatStream", "StreamingPool"]


class StreamingPool(Protocol):
    """What a stream uses of its pool (``llm.pool.Pool`` is one); the pool imports this
    module to make streams, so this module names the pool only by this shape."""

    settings: LlmSettings
    ledger: Ledger

    def candidates(self, request: ChatRequest) -> list[BackendState]: ...
    def cached(self, request: ChatRequest, ordered: list[BackendState]) -> ChatResponse | None: ...
    def client(self) -> AbstractAsyncContextManager[httpx.AsyncClient]: ...
    def semaphore(self, state: BackendState) -> asyncio.Semaphore: ...
    def reserve(
        self, state: BackendState, request: ChatRequest, ctx: CallContext
    ) -> Reservation | str: ...
    def settle(
        self, reservation: Reservation, state: BackendState, ctx: CallContext, cost: float
    ) -> None: ...
    def store(self, request: ChatRequest, state: BackendState, response: ChatResponse) -> None: ...
    def failed(
        self,
        request: ChatRequest,
        ctx: CallContext,
        attempts: list[dict[str, Any]],
        *,
        refused: BackendFailure | None = None,
    ) -> LlmError: ...
    def record(
        self,
        request: ChatRequest,
        ctx: CallContext,
        answer: ChatResponse | None,
        error: LlmError | None,
        *,
        stream: bool = False,
    ) -> None: ...


class ChatStream:
    """``async for text in pool.stream(request): ...``; then ``.response``."""

    def __init__(self, pool: StreamingPool, request: ChatRequest, ctx: CallContext) -> None:
        self.pool = pool
        self.request = request
        self.ctx = ctx
        self.response: ChatResponse | None = None

    def __aiter__(self) -> AsyncIterator[str]:
        return self._run()

    async def _run(self) -> AsyncIterator[str]:
        pool, request = self.pool, self.request
        started = time.perf_counter()
        ordered = pool.candidates(request)
        hit = pool.cached(request, ordered)
        if hit is not None:
            hit.latency_ms = (time.perf_counter() - started) * 1000
            self.response = hit
            pool.record(request, self.ctx, hit, None, stream=True)
            yield hit.text
            return
        attempts: list[dict[str, Any]] = []
        async with pool.client() as client:
            for state in ordered:
                reservation = pool.reserve(state, request, self.ctx)
                if isinstance(reservation, str):
                    attempts.append(
                        {"backend": state.config.name, "skipped": "budget", "error": reservation}
                    )
                    continue
                async for text in self._on_backend(state, client, reservation, attempts):
                    yield text
                if self.response is not None:
                    return
        raise pool.failed(request, self.ctx, attempts)

    async def _open(
        self, state: BackendState, client: httpx.AsyncClient, attempts: list[dict[str, Any]]
    ) -> tuple[AsyncIterator[dict[str, Any]], dict[str, Any]] | None:
        """The stream and its first event, after this backend's retries; None to fall back."""
        from altlas.run.resilience import CircuitOpenError

        pool = self.pool
        body = self.request.body(
            state.config.model, stream=True, schema_mode=state.config.schema_mode
        )
        key = key_for(state)
        try:
            async for attempt in retry_policy(pool.settings.retries):
                with attempt:
                    state.breaker.before_call()
                    events = stream_deltas(client, state.config, key, body)
                    try:
                        first = await anext(events)
                    except BackendFailure as failure:
                        count_failure(state, failure, attempts)
                        raise
                    except BaseException:  # cancelled: free a half-open trial for others
                        state.breaker.release()
                        raise
                    return events, first
        except CircuitOpenError as exc:
            attempts.append(
                {"backend": state.config.name, "skipped": "cooldown", "error": exc.message}
            )
        except BackendFailure as failure:
            if not failure.fallback:
                raise pool.failed(self.request, self.ctx, attempts, refused=failure) from None
        return None

    async def _on_backend(
        self,
        state: BackendState,
        client: httpx.AsyncClient,
        reservation: Reservation,
        attempts: list[dict[str, Any]],
    ) -> AsyncIterator[str]:
        pool = self.pool
        started = time.perf_counter()
        async with pool.semaphore(state):
            try:
                opened = await self._open(state, client, attempts)
            except BaseException:
                pool.ledger.release(reservation)
                raise
            if opened is None:
                pool.ledger.release(reservation)
                return
            events, event = opened
            parts: list[str] = []
            try:
                while not event.get("done"):
                    parts.append(event["delta"])
                    yield event["delta"]
                    event = await anext(events)
            except (BackendFailure, StopAsyncIteration) as exc:
                self._cut(state, exc, parts, reservation, attempts)
            except GeneratorExit:  # the caller stopped reading: nothing to settle or blame
                pool.ledger.release(reservation)
                state.breaker.release()
                raise
            finally:
                await events.aclose()  # type: ignore[attr-defined]
        self._done(state, event, parts, reservation, attempts, started)

    def _cut(
        self,
        state: BackendState,
        exc: BaseException,
        parts: list[str],
        reservation: Reservation,
        attempts: list[dict[str, Any]],
    ) -> None:
        pool = self.pool
        message = exc.message if isinstance(exc, BackendFailure) else "the stream ended early"
        failure = BackendFailure(message, retry=False, fallback=True)
        count_failure(state, failure, attempts)
        prompt = self.request.estimated_prompt_tokens()
        pool.settle(
            reservation, state, self.ctx, state.config.cost(prompt, len("".join(parts)) // 4)
        )
        error = LlmError(
            f"the stream from LLM backend {state.config.name} was cut off after "
            f"{len(parts)} chunk(s): {message}; the partial answer is not an answer",
            kind="stream_cut",
            attempts=attempts,
        )
        pool.record(self.request, self.ctx, None, error, stream=True)
        raise error

    def _done(
        self,
        state: BackendState,
        event: dict[str, Any],
        parts: list[str],
        reservation: Reservation,
        attempts: list[dict[str, Any]],
        started: float,
    ) -> None:
        pool = self.pool
        text = "".join(parts)
        usage = event.get("usage") or {
            "prompt_tokens": self.request.estimated_prompt_tokens(),
            "completion_tokens": len(text) // 4,
        }
        data = {
            "model": event.get("model") or state.config.model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": event.get("finish_reason"),
                }
            ],
            "usage": usage,
        }
        answer = response_from(data, state, cached=False)
        answer.latency_ms = (time.perf_counter() - started) * 1000
        answer.fallbacks = attempts
        state.observe(answer.latency_ms)
        state.breaker.record_success()
        pool.settle(reservation, state, self.ctx, answer.cost_usd)
        pool.store(self.request, state, answer)
        pool.record(self.request, self.ctx, answer, None, stream=True)
        self.response = answer
