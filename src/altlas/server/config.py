"""The ``[server]`` config section.

Every key can be set in ``config.toml`` under ``[server]``, as ``ALTLAS_SERVER__<KEY>`` in
the environment, or (for the network ones) as an ``altlas serve`` flag.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "DEFAULT_RATE_LIMITS",
    "RATE_GROUPS",
    "DeprecationSpec",
    "RateSpec",
    "ServerConfig",
    "parse_rate",
]

RATE_GROUPS = (
    "auth",
    "segment",
    "plans",
    "runs",
    "search",
    "archive",
    "atlas",
    "admin",
    "ops",
    "llm",
)
"""Route groups with their own counters. Every route belongs to exactly one."""

DEFAULT_RATE_LIMITS: dict[str, str] = {
    "auth": "20/minute",
    "segment": "120/minute",
    "plans": "240/minute",
    "runs": "120/minute",
    "search": "1200/minute",
    "archive": "120/minute",
    "atlas": "30/minute",
    "admin": "120/minute",
    "ops": "600/minute",
    "llm": "60/minute",
}

Unit = Literal["second", "minute", "hour", "day"]
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour|day)s?\s*$")


class RateSpec(BaseModel):
    """``N/unit``: at most N requests per fixed window of one unit."""

    model_config = ConfigDict(frozen=True)
    limit: int = Field(ge=1)
    unit: Unit


def parse_rate(text: str) -> RateSpec:
    match = _RATE.match(text)
    if match is None:
        raise ValueError(f"rate {text!r} is not 'N/second|minute|hour|day'")
    return RateSpec(limit=int(match.group(1)), unit=match.group(2))


class DeprecationSpec(BaseModel):
    """A version's retirement: deprecated since ``at``, gone at ``sunset``."""

    model_config = ConfigDict(extra="forbid")
    at: datetime
    sunset: datetime | None = None
    successor: str | None = None
    """A URL for the replacement, sent as ``Link: <...>; rel="successor-version"``."""


class ServerConfig(BaseModel):
    """The ``[server]`` section."""

    model_config = ConfigDict(extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    """uvicorn worker processes; with more than one, use ``redis`` to share rate limits."""
    redis: str | None = None
    """``redis://host:port/db``: share rate-limit counters and the search cache."""
    tls_cert: Path | None = None
    tls_key: Path | None = None
    tls_client_ca: Path | None = None
    """With this CA bundle every client must present a certificate it signed (mTLS)."""

    jwt_secret: str | None = None
    """A secret reference (``env:NAME``, ``file:PATH``); unset: a key generated under
    ``ALTLAS_HOME/keys/`` on first start."""
    jwt_issuer: str = "altlas"
    jwt_audience: str = "altlas-api"
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    refresh_token_days: int = Field(default=7, ge=1, le=365)
    principal_cache_seconds: float = Field(default=5.0, ge=0, le=300)
    """How long a looked-up user or API key is trusted before the database is asked again:
    the most a removal or revocation made by another process takes to be seen."""
    cookie_secure: bool | None = None
    """``Secure`` on the auth cookie; default: on when TLS is configured."""

    max_body_bytes: int = Field(default=10_000_000, ge=1024)
    max_json_depth: int = Field(default=128, ge=8, le=900)
    """How deeply a JSON body may nest arrays and objects (400 above it)."""
    document_workers: int = Field(default=2, ge=1, le=64)
    """Processes reading request documents (plans to validate, convert or run, uploads)."""
    document_queue: int = Field(default=16, ge=0, le=10_000)
    """Requests that may wait for a document worker; beyond that, 503 with Retry-After."""
    document_timeout_seconds: float = Field(default=30.0, gt=0, le=3600)
    """A document taking longer has its worker killed and the request gets a 400."""
    document_memory_mb: int = Field(default=2048, ge=0)
    """Address-space limit of each document worker (0: none)."""
    trusted_proxies: list[str] = Field(default_factory=list)
    """Peers (addresses or CIDR networks) whose ``X-Forwarded-For``/``-Proto`` are believed.
    Empty (the default): the client is the TCP peer, whatever headers it sends."""
    cors_origins: list[str] = Field(default_factory=list)
    """Origins allowed by CORS. Empty (the default): no CORS headers at all."""
    metrics_public: bool = False
    """Serve ``/metrics`` without authentication (for a scraper on a trusted network)."""

    rate_limits: dict[str, str] = Field(default_factory=dict)
    """Per route group (``segment = "60/minute"``), merged over the defaults."""
    principal_rate_limits: dict[str, dict[str, str]] = Field(default_factory=dict)
    """Per principal (``"user:alice"``, ``"key:ab12cd34ef"``) and group, overriding both."""
    rate_limits_enabled: bool = True

    search_cache_seconds: int = Field(default=60, ge=0)
    """How long a search answer may be served from cache (archive changes clear it sooner)."""
    queue_workers: int = Field(default=2, ge=0, le=64)
    """Threads executing queued runs in each server process (0: accept but never run)."""
    nats: str | None = None
    """``nats://host:4222``: runs go through NATS JetStream (``altlas worker`` executes them),
    run events come from ``ALTLAS_EVENTS`` and archive changes invalidate the caches of the
    other instances; credentials and TLS come from ``[nats]``. Unset: the embedded queue."""
    nats_workers: int = Field(default=0, ge=0, le=64)
    """With ``nats``: runs each server process executes itself (an in-process worker);
    0 (the default): only ``altlas worker`` processes run them."""
    analytics: bool = True
    analytics_flush_seconds: float = Field(default=1.0, gt=0)
    analytics_batch: int = Field(default=500, ge=1)
    analytics_retention_days: int = Field(default=30, ge=1)
    sse_max_seconds: float = Field(default=3600.0, gt=0)
    """An event stream closes after this long even if the run is still going."""
    deprecations: dict[str, DeprecationSpec] = Field(default_factory=dict)
    """Per API version (``v1``): sends ``Deprecation``/``Sunset`` headers on its responses."""
    groups: dict[str, list[str]] = Field(default_factory=dict)
    """Named groups of principals (``ops = ["user:ada", "key:k3v9q0x2mz"]``); a run shared
    with ``group:ops`` is visible to its members."""
    run_options: dict[str, object] = Field(default_factory=dict)
    """``altlas.run`` options applied to every run the server executes (e.g. workspace)."""
    workspace_max_files: int = Field(default=1000, ge=1, le=1_000_000)
    """Files one workspace may hold (uploads beyond it get 413)."""
    workspace_max_bytes: int = Field(default=200_000_000, ge=1024)
    """Bytes one workspace may hold, uploads and what runs wrote together."""
    allow_exec: bool = False
    """Whether ``POST /v1/do`` may run programs (``allow_exec``); the ``[run]`` exec allowlist
    still applies. Off: a request asking for it gets 422."""
    allow_overwrite: bool = True
    """Whether ``POST /v1/do`` may replace existing files in a workspace (``overwrite``)."""
    do_wait_seconds: float = Field(default=10.0, ge=0, le=300)
    """How long ``POST /v1/do`` waits for the answer before it answers 202 with a job."""

    @field_validator("rate_limits")
    @classmethod
    def _known_groups(cls, value: dict[str, str]) -> dict[str, str]:
        for group, rate in value.items():
            if group not in RATE_GROUPS:
                raise ValueError(f"unknown rate-limit group {group!r} (one of {RATE_GROUPS})")
            parse_rate(rate)
        return value

    @field_validator("principal_rate_limits")
    @classmethod
    def _known_principal_groups(
        cls,
        value: dict[str, dict[str, str]],
    ) -> dict[str, dict[str, str]]:
        for principal, groups in value.items():
            if ":" not in principal:
                raise ValueError(f"principal {principal!r} must be 'user:NAME' or 'key:ID'")
            cls._known_groups(groups)
        return value

    def audience_of(self, principal: str, role: str) -> list[str]:
        """The names a caller is known by for run visibility: itself, its role, its groups."""
        names = [principal, f"role:{role}"]
        names += [f"group:{name}" for name, members in self.groups.items() if principal in members]
        return names

    def limit_for(self, group: str, principal: str | None = None) -> RateSpec:
        if principal is not None:
            override = self.principal_rate_limits.get(principal, {}).get(group)
            if override is not None:
                return parse_rate(override)
        return parse_rate(self.rate_limits.get(group, DEFAULT_RATE_LIMITS[group]))

    @property
    def tls(self) -> bool:
        return self.tls_cert is not None

    @property
    def secure_cookies(self) -> bool:
        return self.cookie_secure if self.cookie_secure is not None else self.tls
