"""The ``[llm]`` section: a pool of OpenAI-compatible backends (docs/llm.md is the contract).

Two forms are read. ``[[llm.backends]]`` lists the pool; the older single form (``[llm]
base_url`` + ``model`` + ``api_key``) is a pool of one named ``default``. Keys are secret
*references* (``env:NAME``, ``file:PATH``), resolved per call and never logged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_serializer,
    field_validator,
    model_validator,
)

if TYPE_CHECKING:
    from altlas.config import Settings

__all__ = ["STRATEGIES", "BackendConfig", "LlmSettings", "llm_settings"]

STRATEGIES = ("fallback", "round-robin", "least-latency", "cheapest")
Strategy = Literal["fallback", "round-robin", "least-latency", "cheapest"]
_REFERENCE_SCHEMES = ("env", "file", "literal")


def _check_reference(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    scheme, sep, rest = value.partition(":")
    if not sep or scheme not in _REFERENCE_SCHEMES or not rest:
        raise ValueError("must be a secret reference such as env:NAME or file:PATH, not a value")
    return value


class BackendConfig(BaseModel):
    """One ``[[llm.backends]]`` entry."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    base_url: str = Field(min_length=1)
    """Up to ``/v1``; ``/chat/completions`` is added."""
    model: str = Field(min_length=1)
    api_key: str | None = None
    """A secret reference, resolved at call time."""
    weight: int = Field(default=1, ge=0)
    """round-robin share; 0 keeps the backend for fallback only."""
    cost_per_1k_input: float = Field(default=0.0, ge=0)
    cost_per_1k_output: float = Field(default=0.0, ge=0)
    timeout: float = Field(default=30.0, gt=0)
    max_concurrency: int = Field(default=4, ge=1)
    budget_usd: float | None = Field(default=None, ge=0)
    """Spend allowed on this backend for the life of the pool (a process, the server)."""
    schema_mode: Literal["json_schema", "json_object"] = "json_schema"
    """How a JSON Schema is sent: OpenAI's ``{"type": "json_schema", ...}``, or
    ``{"type": "json_object", "schema": ...}`` for servers that only know that form
    (llama-cpp-python's ``llama_cpp.server``)."""

    _ref = field_validator("api_key")(classmethod(lambda cls, v: _check_reference(v)))

    @field_serializer("api_key")
    def _shown_key(self, value: str | None) -> str | None:
        """``config show`` prints the list as is: a literal key must not reach the screen."""
        if value and value.startswith("literal:"):
            return "literal:***"
        return value

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (
            prompt_tokens * self.cost_per_1k_input + completion_tokens * self.cost_per_1k_output
        ) / 1000.0


class LlmSettings(BaseModel):
    """The whole ``[llm]`` section."""

    model_config = ConfigDict(extra="forbid")

    strategy: Strategy = "fallback"
    cache: bool = True
    cache_backend: Literal["sqlite", "redis"] = "sqlite"
    cache_url: str | None = None
    """``redis://host:port/db`` for ``cache_backend = "redis"`` (or a reference to one)."""
    budget_usd_per_run: float | None = Field(default=None, ge=0)
    budget_usd_per_key: float | None = Field(default=None, ge=0)
    """Spend allowed per caller key (the server's API keys) for the life of the pool."""
    log_prompts: bool = False
    retries: int = Field(default=1, ge=0, le=10)
    """Extra attempts on one backend before falling back to the next."""
    breaker_failures: int = Field(default=3, ge=1)
    cooldown_seconds: float = Field(default=30.0, ge=0)
    backends: list[BackendConfig] = Field(default_factory=list)
    # the single-endpoint form, and defaults for the llm handler
    base_url: str | None = None
    model: str | None = None
    api_key: str | None = None
    timeout_seconds: float = Field(default=120.0, gt=0)
    temperature: float | None = Field(default=None, ge=0, le=2)
    max_tokens: int | None = Field(default=None, ge=1)
    system_prompt: str | None = None

    _ref = field_validator("api_key")(classmethod(lambda cls, v: _check_reference(v)))

    @model_validator(mode="after")
    def _unique_names(self) -> LlmSettings:
        names = [b.name for b in self.backends]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"backend name '{name}' is used twice")
        return self

    def pool(self) -> list[BackendConfig]:
        """The backends in configured order; the single form as a pool of one."""
        if self.backends:
            return list(self.backends)
        if self.base_url and self.model:
            return [
                BackendConfig(
                    name="default",
                    base_url=self.base_url,
                    model=self.model,
                    api_key=self.api_key,
                    timeout=self.timeout_seconds,
                )
            ]
        return []

    @property
    def configured(self) -> bool:
        return bool(self.pool())


def llm_settings(settings: Settings) -> LlmSettings:
    """``[llm]`` validated; a bad key is a one-line ConfigError naming the field."""
    return settings.section("llm", LlmSettings)
