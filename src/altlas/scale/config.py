"""The ``[nats]`` settings and the one way to connect (credentials and TLS as secret references)."""

from __future__ import annotations

import asyncio
import ssl
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from altlas.config import Settings, resolve_secret
from altlas.errors import MissingExtraError, UnavailableError

if TYPE_CHECKING:
    from nats.aio.client import Client

__all__ = ["NatsConfig", "close_quietly", "connect", "nats_config", "require_nats"]


class NatsConfig(BaseModel):
    """``[nats]``: where the server is and how runs are delivered."""

    model_config = ConfigDict(extra="forbid")

    url: str = "nats://127.0.0.1:4222"
    user: str | None = None
    password: str | None = None
    """A secret reference (``env:NAME``, ``file:PATH``)."""
    token: str | None = None
    """A secret reference."""
    creds_file: str | None = None
    tls_ca: str | None = None
    tls_cert: str | None = None
    tls_key: str | None = None
    ack_wait_seconds: float = Field(30.0, gt=0)
    max_deliver: int = Field(5, ge=1)
    backoff_seconds: list[float] = Field(default_factory=list)
    """Redelivery delays after an ack timeout; empty: ack_wait each time."""
    duplicate_window_seconds: float = Field(120.0, gt=0)
    connect_timeout_seconds: float = Field(5.0, gt=0)
    inline_result_bytes: int = Field(256 * 1024, ge=1024)
    """Results and artifacts above this go to the JetStream object store by content hash."""

    @property
    def lease_ttl(self) -> float:
        # shorter than ack_wait so that a dead worker's lease is gone when its run comes back
        return max(1.0, self.ack_wait_seconds * 0.6)

    @property
    def heartbeat(self) -> float:
        return max(0.2, self.lease_ttl / 4)


def require_nats() -> None:
    try:
        import nats  # noqa: F401
    except ModuleNotFoundError:
        raise MissingExtraError("nats", "nats-py") from None


def nats_config(settings: Settings, url: str | None = None, **overrides: Any) -> NatsConfig:
    return settings.section("nats", NatsConfig, url=url, **overrides)


def _tls(config: NatsConfig) -> ssl.SSLContext | None:
    if not (config.tls_ca or config.tls_cert or config.url.startswith("tls://")):
        return None
    context = ssl.create_default_context(cafile=config.tls_ca)
    if config.tls_cert:
        context.load_cert_chain(config.tls_cert, config.tls_key)
    return context


async def connect(config: NatsConfig, *, name: str = "altlas") -> Client:
    """A client that reconnects forever (a restarted server must not end a worker)."""
    require_nats()
    import nats

    async def quiet(_exc: Exception) -> None:
        # disconnects during a server restart are expected; the client reconnects
        return None

    options: dict[str, Any] = {
        "servers": [config.url],
        "name": name,
        "max_reconnect_attempts": -1,
        "reconnect_time_wait": 0.25,
        "connect_timeout": 5,
        "error_cb": quiet,
        "allow_reconnect": True,
    }
    if config.user:
        options["user"] = config.user
        options["password"] = resolve_secret(config.password, what="[nats] password")
    if config.token:
        options["token"] = resolve_secret(config.token, what="[nats] token")
    if config.creds_file:
        options["user_credentials"] = config.creds_file
    tls = _tls(config)
    if tls is not None:
        options["tls"] = tls
    try:
        # with endless reconnects the client would also retry the first connect forever
        return await asyncio.wait_for(
            nats.connect(**options), timeout=config.connect_timeout_seconds
        )
    except TimeoutError:
        waited = config.connect_timeout_seconds
        raise UnavailableError(
            f"cannot connect to NATS at {config.url}: no answer in {waited:g} s"
        ) from None
    except Exception as exc:  # the client raises several unrelated types on a refused connect
        raise UnavailableError(
            f"cannot connect to NATS at {config.url}: {exc or type(exc).__name__}"
        ) from None


async def close_quietly(nc: Client) -> None:
    """Flush and close. Not ``drain()``: it waits out its 30 s timeout on a pull subscription."""
    import contextlib

    with contextlib.suppress(Exception):
        await nc.flush(timeout=2)
    with contextlib.suppress(Exception):
        await nc.close()
