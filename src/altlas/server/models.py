"""Request and response bodies of the API (validated by pydantic, documented in OpenAPI)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from altlas.server.roles import Role

__all__ = [
    "ArtifactLink",
    "AtlasRequest",
    "DoAnswer",
    "DoRequest",
    "FileInfo",
    "FileList",
    "KeyCreate",
    "RefreshRequest",
    "RunOptions",
    "RunRequest",
    "SegmentRequest",
    "TokenRequest",
    "TokenResponse",
    "WorkspaceCreate",
    "WorkspaceInfo",
    "WorkspaceList",
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


WORKSPACE_ID_PATTERN = r"^ws_[0-9a-f]{32}$"
_Share = list[Annotated[str, Field(pattern=SHARE_PATTERN)]]


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
    workspace: str | None = Field(default=None, pattern=WORKSPACE_ID_PATTERN)
    """A workspace id (``POST /v1/workspaces``): the run works in its files, and its status
    lists the files it wrote as ``artifacts`` with download URLs."""


class AtlasRequest(_Body):
    since: datetime | None = None
    """Only results added at or after this time."""


class WorkspaceCreate(_Body):
    share: _Share = Field(default_factory=list, max_length=20)
    """Who else may see and use the workspace (as for runs)."""


class FileInfo(BaseModel):
    path: str
    size_bytes: int
    modified_at: str
    url: str
    """Where to download it (``GET``)."""


class FileList(BaseModel):
    files: list[FileInfo]


class WorkspaceInfo(BaseModel):
    id: str
    owner: str
    share: list[str]
    created_at: str
    files: list[FileInfo] | None = None
    links: dict[str, str]


class WorkspaceList(BaseModel):
    workspaces: list[WorkspaceInfo]


class DoRequest(_Body):
    command: str = Field(min_length=1, max_length=10_000)
    """What to do, in words (``Sort x.csv by y and save it as out/z.csv``)."""
    workspace: str = Field(pattern=WORKSPACE_ID_PATTERN)
    """The workspace whose files the command works on."""
    overwrite: bool = False
    """Replace existing files (only if the server's ``allow_overwrite`` permits)."""
    allow_exec: bool = False
    """Run programs (only if the server's ``allow_exec`` permits; the exec allowlist holds)."""
    wait_seconds: float | None = Field(default=None, ge=0, le=300)
    """How long to wait for the answer (at most the server's ``do_wait_seconds``); after
    that the answer is 202 with a job to follow."""
    share: _Share = Field(default_factory=list, max_length=20)


class ArtifactLink(BaseModel):
    path: str
    size_bytes: int
    url: str


class DoAnswer(BaseModel):
    """What ``POST /v1/do`` and ``GET /v1/do/{id}`` answer."""

    id: str
    """The job id; also the run id of the result."""
    state: str
    command: str
    workspace: str
    plan: dict[str, Any] | None = None
    answer: str | None = None
    """The answer in words, once the work is done."""
    ok: bool | None = None
    """True when every task did its job."""
    failures: dict[str, str] = Field(default_factory=dict)
    result_id: str | None = None
    artifacts: list[ArtifactLink] = Field(default_factory=list)
    error: str | None = None
    links: dict[str, str]
