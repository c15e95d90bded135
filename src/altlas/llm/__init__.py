"""The AI orchestrator: every LLM call in altlas goes through a :class:`Pool` of backends.

``[llm]`` in config.toml describes the pool (docs/llm.md). The pool picks a backend by
strategy, falls back on failures worth it, keeps per-backend retries, breakers and cooldowns,
caches deterministic answers, enforces budgets and logs every call in the run journal.

>>> from altlas.llm import ChatRequest, get_pool
>>> answer = get_pool().chat_sync(ChatRequest([{"role": "user", "content": "Hi"}]))

Nothing heavy is imported here: httpx, tenacity and sqlite-utils load on first use.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from altlas.config import Settings
    from altlas.llm.errors import LlmError
    from altlas.llm.pool import CallContext, Pool
    from altlas.llm.request import ChatRequest, ChatResponse

__all__ = [
    "CallContext",
    "ChatRequest",
    "ChatResponse",
    "LlmError",
    "Pool",
    "ask",
    "get_pool",
    "reset_pools",
]

_LAZY = {
    "CallContext": "altlas.llm.pool",
    "Pool": "altlas.llm.pool",
    "ChatRequest": "altlas.llm.request",
    "ChatResponse": "altlas.llm.request",
    "LlmError": "altlas.llm.errors",
}
_POOLS: dict[tuple[str, bytes, bool], Pool] = {}
_LOCK = threading.Lock()


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'altlas.llm' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(module), name)


def get_pool(settings: Settings | None = None, *, cache: bool = True) -> Pool:
    """The process's pool for these settings: breakers, latencies and budgets live in it.

    One pool per (home, ``[llm]`` section, cache on/off), so a changed config gets a new one.
    """
    import orjson

    from altlas.config import load_settings
    from altlas.llm.pool import Pool

    settings = settings or load_settings()
    section = orjson.dumps(settings.raw_section("llm"), option=orjson.OPT_SORT_KEYS)
    key = (str(settings.home), section, cache)
    with _LOCK:
        pool = _POOLS.get(key)
        if pool is None:
            pool = _POOLS[key] = Pool.from_settings(settings, cache=cache)
    return pool


def reset_pools() -> None:
    """Forget every pool (tests; a server reloading its config)."""
    with _LOCK:
        pools = list(_POOLS.values())
        _POOLS.clear()
    for pool in pools:
        pool.close()


def ask(prompt: str, *, system: str | None = None, **params: Any) -> ChatResponse:
    """One quick call through the configured pool (``altlas llm ask``)."""
    from altlas.llm.request import ChatRequest

    messages = [{"role": "system", "content": system}] if system else []
    messages.append({"role": "user", "content": prompt})
    return get_pool().chat_sync(ChatRequest(messages, params=params))
