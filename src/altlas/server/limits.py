"""Rate limits per principal and route group, configured like Litestar's rate limit.

Each route names its group in ``opt["rate_group"]``. A request is counted against the pair
(principal, group) in a fixed window; the window length and the limit come from
``[server] rate_limits`` (per group) and ``principal_rate_limits`` (per principal). Every
answer carries ``RateLimit-Limit``, ``-Remaining``, ``-Reset`` and ``-Policy`` (this layer
hands them to :class:`~altlas.server.edge.EdgeMiddleware` through the scope, so an error made
by a later layer carries them too); over the limit it is 429 with ``Retry-After``.

Counters are a dict in this process by default, or Redis (``--redis URL``) to share them
between server processes, where the count is one atomic ``INCR``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from litestar.exceptions import TooManyRequestsException
from litestar.middleware.rate_limit import (
    DURATION_VALUES,
    RateLimitConfig,
    RateLimitMiddleware,
)
from litestar.types import ASGIApp, Receive, Scope, Send

from altlas.server.config import RateSpec
from altlas.server.edge import RESPONSE_HEADERS_KEY, principal_of

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["GroupRateLimitConfig", "GroupRateLimitMiddleware", "StoreCounter"]


class StoreCounter:
    """Fixed-window counts: atomic ``INCR`` in Redis, or a dict in this process.

    The in-process count is one dict update with no ``await`` in between, so it is atomic
    on the event loop. (Litestar's MemoryStore would do, but each of its operations takes a
    lock that yields to the loop: three loop round-trips per request, measured at about a
    tenth of the cached-GET throughput.)
    """

    def __init__(self, redis: Redis | None = None, namespace: str = "altlas:rl") -> None:
        self.redis = redis
        self.namespace = namespace
        self._counts: dict[str, tuple[int, float]] = {}
        self._next_sweep = 0.0

    async def incr(self, key: str, window: int) -> int:
        if self.redis is not None:
            full = f"{self.namespace}:{key}"
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.incr(full)
                pipe.expire(full, window + 1)
                count, _ = await pipe.execute()
            return int(count)
        now = time.monotonic()
        if now >= self._next_sweep:
            self._sweep(now)
        count, expires = self._counts.get(key, (0, now + window + 1))
        self._counts[key] = (count + 1, expires)
        return count + 1

    def _sweep(self, now: float) -> None:
        """Windows that have ended leave their keys behind; drop them once a minute."""
        self._next_sweep = now + 60.0
        self._counts = {k: v for k, v in self._counts.items() if v[1] > now}


_DEFAULT_SPEC = RateSpec(limit=60, unit="minute")


def _client_host(scope: Any) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


@dataclass
class GroupRateLimitConfig(RateLimitConfig):
    """``RateLimitConfig`` whose limit depends on the route group and the principal."""

    rate_limit: tuple[Any, int] = ("minute", 1)  # unused: limits come from ``limits``
    limits: Callable[[str, str], RateSpec] = field(default=lambda _g, _p: _DEFAULT_SPEC)
    counter: StoreCounter = field(default_factory=StoreCounter)
    enabled: bool = True
    middleware_class: type[RateLimitMiddleware] = field(default=None)  # type: ignore[assignment]
    """Not a ``RateLimitMiddleware``: see :class:`GroupRateLimitMiddleware`."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.middleware_class is None:
            self.middleware_class = GroupRateLimitMiddleware


@dataclass(frozen=True, slots=True)
class _Policy:
    """One (group, principal)'s limit, with its constant headers already encoded."""

    limit: int
    unit: str
    window: int
    limit_header: tuple[bytes, bytes]
    policy_header: tuple[bytes, bytes]


_MAX_POLICIES = 10_000


class GroupRateLimitMiddleware:
    """Counts each request against (principal, group); unauthenticated callers by address.

    A plain ASGI class rather than a subclass of Litestar's ``RateLimitMiddleware``, whose
    base wraps every call in a second, path-pattern check this layer does not use.
    """

    def __init__(self, app: ASGIApp, config: RateLimitConfig) -> None:
        assert isinstance(config, GroupRateLimitConfig)
        self.app = app
        self.config = config
        self._policies: dict[tuple[str, str], _Policy] = {}
        self._remaining_name = config.rate_limit_remaining_header_key.lower().encode()
        self._reset_name = config.rate_limit_reset_header_key.lower().encode()

    def _policy(self, group: str, principal: str) -> _Policy:
        # Limits come from configuration, which does not change while the server runs.
        policy = self._policies.get((group, principal))
        if policy is None:
            spec = self.config.limits(group, principal)
            window = DURATION_VALUES[spec.unit]
            policy = _Policy(
                limit=spec.limit,
                unit=spec.unit,
                window=window,
                limit_header=(
                    self.config.rate_limit_limit_header_key.lower().encode(),
                    str(spec.limit).encode(),
                ),
                policy_header=(
                    self.config.rate_limit_policy_header_key.lower().encode(),
                    f"{spec.limit};w={window}".encode(),
                ),
            )
            if len(self._policies) >= _MAX_POLICIES:  # callers by address are unbounded
                self._policies.clear()
            self._policies[(group, principal)] = policy
        return policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw: Any = scope
        handler = raw.get("route_handler")
        group = handler.opt.get("rate_group") if handler is not None else None
        if not self.config.enabled or group is None:
            await self.app(scope, receive, send)
            return
        principal = principal_of(raw) or f"ip:{_client_host(raw)}"
        policy = self._policy(group, principal)
        window = policy.window
        now = time.time()
        start = int(now // window) * window
        count = await self.config.counter.incr(f"{group}:{principal}:{start}", window)
        reset = str(max(1, math.ceil(start + window - now)))
        extra = [
            policy.limit_header,
            (self._remaining_name, str(max(0, policy.limit - count)).encode()),
            (self._reset_name, reset.encode()),
            policy.policy_header,
        ]
        if count > policy.limit:
            raise TooManyRequestsException(
                detail=f"rate limit of {policy.limit} per {policy.unit} for {group} exceeded; "
                f"retry in {reset} s",
                headers={
                    **{name.decode(): value.decode() for name, value in extra},
                    "Retry-After": reset,
                },
            )

        # The edge puts these on whatever answer comes back, an error from a later layer too.
        raw.setdefault(RESPONSE_HEADERS_KEY, []).extend(extra)
        await self.app(scope, receive, send)
