"""Request and response bodies of the API (validated by pydantic, documented in OpenAPI)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from altlas.server.roles import Role

__all__ = [
    "AtlasRequest",
    "KeyCreate",
    "RefreshRequest",
    "RunOptions",
    "RunRequest",
    "SegmentRequest",
    "TokenRequest",
    "TokenResponse",
]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TokenRequest(_Body):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)
    cookie: bool = False
    """Also set the access token as an HttpOnly cookie (browsers); CSRF applies then."""


class RefreshRequest(_Body):
    refresh_token: str = Field(min_length=1, max_length=4096)


class TokenResponse(BaseModel):
    access_token: str
    token_type: str
    expires_in: int
    refresh_token: str
    refresh_expires_in: int
    role: Role
    csrf_token: str | None = None


class KeyCreate(_Body):
    name: str = Field(min_length=1, max_length=200)
    role: Role
    expires_in_days: float | None = Field(default=None, gt=0, le=3650)


class SegmentRequest(_Body):
    text: str = Field(min_length=1, max_length=100_000)
    mode: str | None = Field(default=None, max_length=40)
    persona: str | None = Field(default=None, max_length=80)
    language: str = Field(default="auto", max_length=10)
    seed: int | None = Field(default=None, ge=0, le=2**63 - 1)
    """Makes modes and personas with random effects repeatable."""
    chaos_level: int | None = Field(default=None, ge=1, le=10)
    """Only for ``mode: chaos``."""


class RunOptions(_Body):
    """The run options a client may choose; the rest is the server's configuration."""

    concurrency: int | None = Field(default=None, ge=1, le=64)
    timeout_seconds: float | None = Field(default=None, gt=0, le=86_400)
    retries: int | None = Field(default=None, ge=0, le=10)
    continue_on_error: bool | None = None
    cache: bool | None = None
    only: list[str] | None = Field(default=None, max_length=10_000)
    from_task: str | None = Field(default=None, max_length=200)


SHARE_PATTERN = r"^(role:(admin|operator|viewer)|group:[A-Za-z0-9][A-Za-z0-9_.@-]{0,63})$"


class RunRequest(_Body):
    plan: dict[str, Any]
    """A plan in any JSON dialect (canonical, segmentation-v1, runner)."""
    options: RunOptions = Field(default_factory=RunOptions)
    archive: bool = True
    """Add the result to the archive when the run finishes."""
    share: list[Annotated[str, Field(pattern=SHARE_PATTERN)]] = Field(
        default_factory=list, max_length=20
    )
    """Who else may see and act on the run: ``role:viewer``, ``role:operator``,
    ``group:NAME`` (groups are ``[server] groups``). The submitter and admins always can."""


class AtlasRequest(_Body):
    since: datetime | None = None
    """Only results added at or after this time."""
