"""Response bodies of the routes that build their JSON themselves (for ETags and speed):
declared here so the OpenAPI document types them and generated clients get real models."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

__all__ = [
    "AnalyticsReport",
    "AtlasList",
    "KeyCreated",
    "KeyInfo",
    "KeyList",
    "RunArtifact",
    "RunList",
    "RunProgress",
    "RunStatus",
]


class RunProgress(BaseModel):
    tasks_finished: int
    tasks_started: int


class RunArtifact(BaseModel):
    path: str
    size_bytes: int
    url: str
    """``GET`` it to download the file from the run's workspace."""


class RunStatus(BaseModel):
    id: str
    state: str
    """queued, running, done, failed or cancelled."""
    status: str | None = None
    """The run's own status once it ended (success, partial, failure, cancelled)."""
    owner: str | None = None
    share: list[str] = Field(default_factory=list)
    created_at: str
    started_at: str | None = None
    finished_at: str | None = None
    attempts: int
    cancel_requested: bool
    error: str | None = None
    progress: RunProgress
    summary: dict[str, Any] | None = None
    has_result: bool
    workspace: str | None = None
    artifacts: list[RunArtifact] = Field(default_factory=list)
    """Files the run wrote in its workspace (runs submitted with a ``workspace``)."""
    links: dict[str, str]


class RunList(BaseModel):
    runs: list[RunStatus]


class KeyInfo(BaseModel):
    id: str
    prefix: str
    name: str
    role: str
    created_at: str
    created_by: str | None = None
    expires_at: str | None = None
    last_used_at: str | None = None
    revoked_at: str | None = None
    active: bool


class KeyCreated(KeyInfo):
    key: str
    """The full secret: shown in this answer once, never again."""


class KeyList(BaseModel):
    keys: list[KeyInfo]


class AnalyticsReport(BaseModel):
    by: str
    since: str | None = None
    groups: list[dict[str, Any]]
    """One row per group: requests, rate, error ratios, p50/p90/p99 latency (ms)."""


class AtlasList(BaseModel):
    atlases: list[Any]
    """:class:`~altlas.index.models.AtlasEntry` rows, newest first."""
