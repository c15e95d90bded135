"""One backend's share of a call: its attempts under tenacity, its breaker, its bookkeeping.

Retries are per backend and per call: tenacity retries only failures marked ``retry`` (429,
5xx, timeouts, connection errors), the breaker is consulted before every attempt (so a breaker
that opens in the middle of a cycle ends it), and each failure is counted where strategies and
``altlas llm backends`` can see it.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from altlas.llm.client import BackendFailure, complete
from altlas.llm.request import ChatRequest, ChatResponse

if TYPE_CHECKING:
    import httpx

    from altlas.llm.strategies import BackendState

__all__ = [
    "RETRY_WAIT_INITIAL",
    "RETRY_WAIT_MAX",
    "count_failure",
    "key_for",
    "response_from",
    "retry_policy",
    "with_retries",
]

RETRY_WAIT_INITIAL = 0.05
RETRY_WAIT_MAX = 1.0


def key_for(state: BackendState) -> str | None:
    from altlas.config import resolve_secret

    return resolve_secret(state.config.api_key, what=f"[llm] {state.config.name} api_key")


def count_failure(
    state: BackendState, failure: BackendFailure, attempts: list[dict[str, Any]]
) -> None:
    """Count a failed attempt: the breaker and the latency EWMA see backend failures."""
    state.calls += 1
    state.failures += 1
    state.last_error = failure.message
    if failure.fallback:
        state.breaker.record_failure()
        state.observe(state.config.timeout * 1000)
    else:
        state.breaker.release()
    entry: dict[str, Any] = {"backend": state.config.name, "error": failure.message}
    if failure.status is not None:
        entry["status"] = failure.status
    attempts.append(entry)


def retry_policy(retries: int) -> Any:
    """tenacity for one backend: ``retries`` more attempts, only for failures marked ``retry``."""
    from tenacity import (
        AsyncRetrying,
        retry_if_exception,
        stop_after_attempt,
        wait_exponential,
        wait_random,
    )

    return AsyncRetrying(
        stop=stop_after_attempt(retries + 1),
        wait=wait_exponential(multiplier=RETRY_WAIT_INITIAL, max=RETRY_WAIT_MAX)
        + wait_random(0, RETRY_WAIT_INITIAL),
        retry=retry_if_exception(lambda e: isinstance(e, BackendFailure) and e.retry),
        reraise=True,
    )


async def with_retries(
    state: BackendState,
    request: ChatRequest,
    client: httpx.AsyncClient,
    semaphore: asyncio.Semaphore,
    *,
    retries: int,
    attempts: list[dict[str, Any]],
) -> tuple[dict[str, Any], float]:
    """The completion and its latency in ms; the last failure when every attempt failed."""
    body = request.body(state.config.model, schema_mode=state.config.schema_mode)
    key = key_for(state)
    retrying = retry_policy(retries)
    async for attempt in retrying:
        with attempt:
            return await _once(state, body, key, client, semaphore, attempts)
    raise AssertionError("unreachable: tenacity reraises")  # pragma: no cover


async def _once(
    state: BackendState,
    body: dict[str, Any],
    key: str | None,
    client: httpx.AsyncClient,
    semaphore: asyncio.Semaphore,
    attempts: list[dict[str, Any]],
) -> tuple[dict[str, Any], float]:
    state.breaker.before_call()
    started = time.perf_counter()
    try:
        async with semaphore:
            data = await complete(client, state.config, key, body)
    except BackendFailure as failure:
        count_failure(state, failure, attempts)
        raise
    except BaseException:
        state.breaker.release()
        raise
    latency = (time.perf_counter() - started) * 1000
    state.observe(latency)
    state.calls += 1
    state.breaker.record_success()
    return data, latency


def response_from(data: dict[str, Any], state: BackendState, *, cached: bool) -> ChatResponse:
    """A completion (fresh or from the cache) as a :class:`ChatResponse`."""
    choice = data["choices"][0]
    message = choice.get("message") or {}
    text = message.get("content")
    usage = data.get("usage") or {}
    prompt_tokens = int(usage.get("prompt_tokens") or 0)
    completion_tokens = int(usage.get("completion_tokens") or 0)
    return ChatResponse(
        text=text if isinstance(text, str) else "",
        model=str(data.get("model") or state.config.model),
        backend=state.config.name,
        finish_reason=choice.get("finish_reason"),
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        usage_total=int(usage.get("total_tokens") or 0),
        cost_usd=0.0 if cached else state.config.cost(prompt_tokens, completion_tokens),
        cached=cached,
        raw=data,
    )
