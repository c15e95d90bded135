"""A chat request as the pool sees it, its canonical form (the cache key) and the answer.

The cache key is the SHA-256 of the canonical request: the model actually asked, the messages,
every sampling parameter, tools, tool_choice, response_format, seed and the key's schema
version. Anything that can change an answer is in it; a request that is not deterministic
(neither temperature 0 nor a seed) is never stored.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import orjson

__all__ = ["CACHE_SCHEMA_VERSION", "ChatRequest", "ChatResponse", "message_text"]

CACHE_SCHEMA_VERSION = 1

SAMPLING = (
    "temperature",
    "top_p",
    "max_tokens",
    "stop",
    "presence_penalty",
    "frequency_penalty",
    "logit_bias",
    "n",
    "seed",
    "tools",
    "tool_choice",
    "response_format",
)
"""Every body key besides model and messages that the pool passes on (and keys the cache on)."""


def message_text(messages: list[dict[str, Any]]) -> str:
    parts: list[str] = []
    for message in messages:
        content = message.get("content")
        if isinstance(content, str):
            parts.append(content)
        elif content is not None:
            parts.append(orjson.dumps(content).decode())
    return "\n".join(parts)


@dataclass(slots=True)
class ChatRequest:
    """An OpenAI chat completion request, minus the model when the pool chooses it."""

    messages: list[dict[str, Any]]
    model: str | None = None
    """Pin a model; only backends serving it are tried. None: each backend's own model."""
    params: dict[str, Any] = field(default_factory=dict)
    """Sampling and shaping keys from :data:`SAMPLING`; others are refused."""
    backend: str | None = None
    """Pin one backend by name."""
    cache: bool = True

    def __post_init__(self) -> None:
        unknown = sorted(set(self.params) - set(SAMPLING))
        if unknown:
            raise ValueError(f"unknown request parameter {unknown[0]!r} (known: {SAMPLING})")

    @property
    def deterministic(self) -> bool:
        return self.params.get("temperature") == 0 or self.params.get("seed") is not None

    def body(
        self, model: str, *, stream: bool = False, schema_mode: str = "json_schema"
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"model": model, "messages": self.messages}
        body.update({k: v for k, v in self.params.items() if v is not None})
        wanted = body.get("response_format")
        json_schema = isinstance(wanted, dict) and wanted.get("type") == "json_schema"
        if schema_mode == "json_object" and json_schema:
            schema = (wanted.get("json_schema") or {}).get("schema", {})  # type: ignore[union-attr]
            body["response_format"] = {"type": "json_object", "schema": schema}
        if stream:
            body["stream"] = True
        return body

    def cache_key(self, model: str) -> str:
        canonical = {
            "v": CACHE_SCHEMA_VERSION,
            "model": model,
            "messages": self.messages,
            **{k: self.params.get(k) for k in SAMPLING},
        }
        raw = orjson.dumps(canonical, option=orjson.OPT_SORT_KEYS)
        return hashlib.sha256(raw).hexdigest()

    def estimated_prompt_tokens(self) -> int:
        """About four characters a token, plus a few per message for the chat framing."""
        return len(message_text(self.messages)) // 4 + 4 * len(self.messages) + 1


@dataclass(slots=True)
class ChatResponse:
    """What came back, and how."""

    text: str
    model: str
    backend: str
    finish_reason: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    usage_total: int = 0
    """``usage.total_tokens`` when the backend sent one."""
    cost_usd: float = 0.0
    latency_ms: float = 0.0
    cached: bool = False
    fallbacks: list[dict[str, Any]] = field(default_factory=list)
    """Backends tried before the one that answered: ``{backend, error, status}``."""
    raw: dict[str, Any] = field(default_factory=dict)
    """The completion as the backend sent it (choices, usage, tool calls)."""

    @property
    def total_tokens(self) -> int:
        return self.usage_total or self.prompt_tokens + self.completion_tokens

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "model": self.model,
            "backend": self.backend,
            "finish_reason": self.finish_reason,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
            "cost_usd": self.cost_usd,
            "latency_ms": self.latency_ms,
            "cached": self.cached,
            "fallbacks": self.fallbacks,
        }
