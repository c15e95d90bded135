"""The pool: one call in, the right backend out, with cache, budgets, retries and breakers.

For each request the strategy orders the backends; each is then tried in that order until one
answers. A backend is skipped, without a request, when its breaker is cooling down (also in
the middle of a fallback) or when its reservation would exceed a budget. On a backend, tenacity
retries the failures that are worth it (429, 5xx, timeouts, connection errors); each backend's
retries are its own and none is tried twice in one call, so a fallback never restarts the
cycle. A 4xx the next backend would refuse too ends the call at once.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from altlas.errors import UnavailableError
from altlas.llm.attempts import response_from, with_retries
from altlas.llm.budget import DEFAULT_COMPLETION_TOKENS, Ledger, Reservation, Scope
from altlas.llm.calllog import CallLog
from altlas.llm.client import BackendFailure
from altlas.llm.context import CallContext
from altlas.llm.errors import LlmError
from altlas.llm.request import ChatRequest, ChatResponse
from altlas.llm.strategies import BackendState, RoundRobin, order
from altlas.llm.streaming import ChatStream

if TYPE_CHECKING:
    import httpx

    from altlas.config import Settings
    from altlas.llm.cache import Cache
    from altlas.llm.config import LlmSettings

__all__ = ["NOT_CONFIGURED", "CallContext", "Pool"]

_log = logging.getLogger(__name__)

NOT_CONFIGURED = (
    "no LLM backend configured: set [llm] base_url and model, or add [[llm.backends]], "
    "in config.toml (docs/llm.md)"
)


class Pool:
    """Thread-safe for budgets and logs; async calls share one loop's client when connected."""

    def __init__(
        self,
        settings: LlmSettings,
        *,
        home: Path,
        cache: Cache | bool | None = True,
        clock: Any = time.monotonic,
    ) -> None:
        from altlas.llm.cache import open_cache
        from altlas.run.resilience import CircuitBreaker

        self.settings = settings
        self.home = home
        self.states = [
            BackendState(
                b,
                CircuitBreaker(
                    f"llm:{b.name}", settings.breaker_failures, settings.cooldown_seconds, clock
                ),
            )
            for b in settings.pool()
        ]
        if cache is True:
            self.cache: Cache | None = open_cache(settings, home) if self.states else None
        else:
            self.cache = cache or None
        self.log = CallLog(home, log_prompts=settings.log_prompts)
        self.ledger = Ledger()
        self._rr = RoundRobin()
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient]
        self._clients = weakref.WeakKeyDictionary()
        self._sems: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, dict[str, asyncio.Semaphore]
        ] = weakref.WeakKeyDictionary()

    @classmethod
    def from_settings(cls, settings: Settings | None = None, *, cache: bool = True) -> Pool:
        from altlas.config import load_settings
        from altlas.llm.config import llm_settings

        settings = settings or load_settings()
        return cls(llm_settings(settings), home=settings.home, cache=cache)

    @property
    def configured(self) -> bool:
        return bool(self.states)

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()
        self.log.close()

    # -- connections -----------------------------------------------------------------------

    @asynccontextmanager
    async def connected(self) -> AsyncIterator[Pool]:
        """Keep one HTTP client (and its connections) for this event loop until the exit."""
        import httpx

        loop = asyncio.get_running_loop()
        client = httpx.AsyncClient(limits=httpx.Limits(max_keepalive_connections=32))
        self._clients[loop] = client
        try:
            yield self
        finally:
            self._clients.pop(loop, None)
            await client.aclose()

    @asynccontextmanager
    async def client(self) -> AsyncIterator[httpx.AsyncClient]:
        """The connected client of this loop, else one for this call only (closed after)."""
        import httpx

        found = self._clients.get(asyncio.get_running_loop())
        if found is not None:
            yield found
            return
        async with httpx.AsyncClient() as client:
            yield client

    def semaphore(self, state: BackendState) -> asyncio.Semaphore:
        """``max_concurrency`` per backend, per event loop (a semaphore belongs to one loop)."""
        per_loop = self._sems.setdefault(asyncio.get_running_loop(), {})
        sem = per_loop.get(state.config.name)
        if sem is None:
            sem = per_loop[state.config.name] = asyncio.Semaphore(state.config.max_concurrency)
        return sem

    # -- choosing -------------------------------------------------------------------------

    def candidates(self, request: ChatRequest) -> list[BackendState]:
        if not self.states:
            raise LlmError(NOT_CONFIGURED, kind="not_configured")
        states = self.states
        if request.backend:
            states = [s for s in states if s.config.name == request.backend]
            if not states:
                names = ", ".join(s.config.name for s in self.states)
                raise LlmError(
                    f"no LLM backend named '{request.backend}' (configured: {names})",
                    kind="not_configured",
                )
        if request.model:
            states = [s for s in states if s.config.model == request.model]
            if not states:
                raise LlmError(
                    f"no LLM backend serves model '{request.model}'", kind="not_configured"
                )
        return order(
            self.settings.strategy,
            states,
            rr=self._rr,
            prompt_tokens=request.estimated_prompt_tokens(),
            completion_tokens=self.completion_estimate(request),
        )

    @staticmethod
    def completion_estimate(request: ChatRequest) -> int:
        value = request.params.get("max_tokens")
        return int(value) if isinstance(value, int) and value > 0 else DEFAULT_COMPLETION_TOKENS

    def limits(self, state: BackendState, ctx: CallContext) -> dict[Scope, float]:
        limits: dict[Scope, float] = {}
        if self.settings.budget_usd_per_run is not None:
            limits[("run", ctx.run_id or "-")] = self.settings.budget_usd_per_run
        if self.settings.budget_usd_per_key is not None and ctx.key_id:
            limits[("key", ctx.key_id)] = self.settings.budget_usd_per_key
        if state.config.budget_usd is not None:
            limits[("backend", state.config.name)] = state.config.budget_usd
        return limits

    def reserve(
        self, state: BackendState, request: ChatRequest, ctx: CallContext
    ) -> Reservation | str:
        amount = state.config.cost(
            request.estimated_prompt_tokens(), self.completion_estimate(request)
        )
        return self.ledger.reserve(self.limits(state, ctx), amount)

    def settle(
        self, reservation: Reservation, state: BackendState, ctx: CallContext, cost: float
    ) -> None:
        self.ledger.settle(reservation, cost)
        if not reservation.limits:
            scopes: list[Scope] = [("run", ctx.run_id or "-"), ("backend", state.config.name)]
            if ctx.key_id:
                scopes.append(("key", ctx.key_id))
            self.ledger.charge(scopes, cost)

    # -- the cache --------------------------------------------------------------------------

    def cached(self, request: ChatRequest, ordered: list[BackendState]) -> ChatResponse | None:
        if self.cache is None or not request.cache or not request.deterministic:
            return None
        for state in ordered:
            try:
                hit = self.cache.get(request.cache_key(state.config.model))
            except UnavailableError as exc:
                # A busy cache is a miss: the call still works, it only costs what it costs.
                _log.warning("llm cache skipped: %s", exc)
                return None
            if hit is not None:
                return response_from(hit, state, cached=True)
        return None

    def store(self, request: ChatRequest, state: BackendState, response: ChatResponse) -> None:
        if self.cache is None or not request.cache or not request.deterministic:
            return
        if response.finish_reason not in (None, "stop", "length", "tool_calls"):
            return
        try:
            self.cache.put(request.cache_key(state.config.model), response.raw)
        except UnavailableError as exc:
            # The answer is already paid for; failing the request here would throw it away.
            _log.warning("llm answer not cached: %s", exc)

    # -- calling --------------------------------------------------------------------------

    async def chat(self, request: ChatRequest, ctx: CallContext | None = None) -> ChatResponse:
        """One completion through the pool; :class:`LlmError` when none can be had."""
        ctx = ctx or CallContext()
        started = time.perf_counter()
        ordered = self.candidates(request)
        hit = self.cached(request, ordered)
        if hit is not None:
            hit.latency_ms = (time.perf_counter() - started) * 1000
            self.record(request, ctx, hit, None)
            return hit
        attempts: list[dict[str, Any]] = []
        async with self.client() as client:
            for state in ordered:
                answer = await self._try_backend(state, request, ctx, client, attempts)
                if answer is not None:
                    answer.fallbacks = attempts
                    self.store(request, state, answer)
                    self.record(request, ctx, answer, None)
                    return answer
        raise self.failed(request, ctx, attempts)

    async def _try_backend(
        self,
        state: BackendState,
        request: ChatRequest,
        ctx: CallContext,
        client: httpx.AsyncClient,
        attempts: list[dict[str, Any]],
    ) -> ChatResponse | None:
        from altlas.run.resilience import CircuitOpenError

        reservation = self.reserve(state, request, ctx)
        if isinstance(reservation, str):
            attempts.append(
                {"backend": state.config.name, "skipped": "budget", "error": reservation}
            )
            return None
        try:
            data, latency = await with_retries(
                state,
                request,
                client,
                self.semaphore(state),
                retries=self.settings.retries,
                attempts=attempts,
            )
        except CircuitOpenError as exc:
            self.ledger.release(reservation)
            attempts.append(
                {"backend": state.config.name, "skipped": "cooldown", "error": exc.message}
            )
            return None
        except BackendFailure as failure:
            self.ledger.release(reservation)
            if not failure.fallback:
                raise self.failed(request, ctx, attempts, refused=failure) from None
            return None
        except BaseException:
            self.ledger.release(reservation)
            raise
        answer = response_from(data, state, cached=False)
        answer.latency_ms = latency
        if not (answer.prompt_tokens or answer.completion_tokens):
            # no usage in the reply: charge an estimate rather than nothing
            answer.cost_usd = state.config.cost(
                request.estimated_prompt_tokens(), len(answer.text) // 4 + 1
            )
        self.settle(reservation, state, ctx, answer.cost_usd)
        return answer

    def failed(
        self,
        request: ChatRequest,
        ctx: CallContext,
        attempts: list[dict[str, Any]],
        *,
        refused: BackendFailure | None = None,
    ) -> LlmError:
        if refused is not None:
            name = attempts[-1]["backend"] if attempts else "?"
            error = LlmError(
                f"LLM backend {name} refused the request ({refused.message}); "
                "the request itself is wrong, so no other backend was tried",
                kind="refused",
                attempts=attempts,
                status=refused.status,
            )
        elif attempts and all(a.get("skipped") == "budget" for a in attempts):
            error = LlmError(attempts[0]["error"], kind="budget", attempts=attempts)
        else:
            tried = "; ".join(f"{a['backend']}: {a['error']}" for a in attempts[-4:])
            error = LlmError(
                f"no LLM backend answered ({tried})", kind="unavailable", attempts=attempts
            )
        self.record(request, ctx, None, error)
        return error

    def record(
        self,
        request: ChatRequest,
        ctx: CallContext,
        answer: ChatResponse | None,
        error: LlmError | None,
        *,
        stream: bool = False,
    ) -> None:
        from altlas.llm.request import message_text

        row: dict[str, Any] = {
            "caller": ctx.caller,
            "run_id": ctx.run_id,
            "task_id": ctx.task_id,
            "key_id": ctx.key_id,
            "stream": int(stream),
            "prompt": message_text(request.messages),
        }
        if answer is not None:
            row.update(
                backend=answer.backend,
                model=answer.model,
                status="ok",
                prompt_tokens=answer.prompt_tokens,
                completion_tokens=answer.completion_tokens,
                total_tokens=answer.total_tokens,
                latency_ms=round(answer.latency_ms, 3),
                cost_usd=answer.cost_usd,
                cache_hit=int(answer.cached),
                fallbacks=answer.fallbacks,
                response=answer.text,
            )
        if error is not None:
            row.update(
                status=error.kind, error=error.message, fallbacks=error.attempts, cache_hit=0
            )
        self.log.record(row)

    # -- streaming ------------------------------------------------------------------------

    def stream(self, request: ChatRequest, ctx: CallContext | None = None) -> ChatStream:
        """Text deltas as they come; ``.response`` once the stream has ended cleanly."""
        return ChatStream(self, request, ctx or CallContext())

    # -- status and sync ------------------------------------------------------------------

    def status(self) -> list[dict[str, Any]]:
        return [
            {
                "name": s.config.name,
                "model": s.config.model,
                "base_url": s.config.base_url,
                "weight": s.config.weight,
                "breaker": s.breaker.snapshot()["state"],
                "ewma_ms": None if s.ewma_ms is None else round(s.ewma_ms, 3),
                "calls": s.calls,
                "failures": s.failures,
                "last_error": s.last_error,
            }
            for s in self.states
        ]

    def chat_sync(self, request: ChatRequest, ctx: CallContext | None = None) -> ChatResponse:
        """:meth:`chat` from plain code (a worker thread when a loop already runs here)."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(self.chat(request, ctx))
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=1) as worker:
            return worker.submit(asyncio.run, self.chat(request, ctx)).result()
