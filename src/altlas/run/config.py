"""The ``[run]`` config section, and the ``[llm]`` one under its old name (both re-exported
by :mod:`altlas.run.options`).

Precedence, lowest first: the defaults below, ``$ALTLAS_HOME/config.toml``, ``ALTLAS_RUN__*``
environment variables, then the options of one call of :func:`altlas.run` (or CLI flags).
They live apart from :class:`~altlas.run.options.RunOptions` so that the scheduler, executor
and handlers read their config without importing the per-call options (which name them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from altlas.llm.config import LlmSettings

__all__ = ["LlmConfig", "RunConfig"]


class RunConfig(BaseModel):
    """The ``[run]`` section. Every key can also be passed to :func:`altlas.run`."""

    model_config = ConfigDict(extra="forbid")

    concurrency: int = Field(default=4, ge=1, le=100_000)
    """How many tasks may run at once."""
    timeout_seconds: float = Field(default=60.0, gt=0)
    """Per-attempt timeout when neither the task nor the plan sets one."""
    retries: int = Field(default=0, ge=0, le=255)
    """Retries after a failed attempt when the task has no ``retry_count``."""
    backoff_initial: float = Field(default=0.5, ge=0)
    """First retry delay in seconds; it doubles each retry, up to ``backoff_max``."""
    backoff_max: float = Field(default=30.0, ge=0)
    backoff_jitter: float = Field(default=0.5, ge=0)
    """Up to this many seconds of random jitter are added to each delay."""
    breaker_failures: int = Field(default=5, ge=1)
    """Consecutive transient failures of one handler+target that open its circuit."""
    breaker_reset_seconds: float = Field(default=30.0, ge=0)
    """How long an open circuit refuses calls before it lets one trial call through."""
    cancel_grace_seconds: float = Field(default=2.0, ge=0)
    """On Ctrl-C, how long running tasks get to stop before they are abandoned."""
    continue_on_error: bool = False
    cache: bool = False
    allow_exec: bool = False
    exec_allowlist: list[str] = Field(default_factory=list)
    """Programs the command handler may start (a bare name matches a PATH lookup only)."""
    exec_env_allow: list[str] = Field(default_factory=list)
    """More environment names (or ``NAME_*`` patterns) a plan may set for a command, on top
    of LANG, LC_*, TZ, TERM, NO_COLOR; loader and interpreter hooks are refused regardless."""
    exec_path: str = "/usr/local/bin:/usr/bin:/bin"
    """The PATH commands are looked up on and run with (never the server's PATH)."""
    allow_net: bool = False
    http_allow_hosts: list[str] = Field(default_factory=list)
    """Hosts (``host`` or ``host:port``) the http handler may reach although they resolve to
    loopback, private, link-local or metadata addresses."""
    http_max_redirects: int = Field(default=5, ge=0, le=50)
    """Redirects the http handler follows (each one checked again) before it gives up."""
    workspace: Path | None = None
    """The directory file-touching handlers are confined to (default: the current directory)."""
    output_dir: Path | None = None
    """Where ``altlas run`` writes ``<run id>.last`` when no ``-o`` is given (default: cwd)."""
    journal: bool = True
    journal_sync: Literal["off", "normal", "full"] = "normal"
    """SQLite ``synchronous`` for the journal; ``normal`` survives a crash, ``full`` power loss."""
    routing: dict[str, str | list[str]] = Field(default_factory=dict)
    """Task type -> handler name (or names, tried in order). Merged over the built-in table."""
    max_output_bytes: int = Field(default=1_000_000, ge=1024)
    """Cap on text a handler keeps in its output (file contents, stdout, HTTP bodies)."""
    max_output_rows: int = Field(default=10_000, ge=1)
    """Cap on table rows a data handler keeps in its output."""

    @field_validator("exec_allowlist", "exec_env_allow", "http_allow_hosts", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return value

    @field_validator("exec_path")
    @classmethod
    def _absolute_dirs(cls, value: str) -> str:
        # a relative entry would make lookups depend on the command's cwd, the workspace
        if not value or any(not part.startswith("/") for part in value.split(":")):
            raise ValueError("must be a ':'-separated list of absolute directories")
        return value

    @field_validator("routing", mode="before")
    @classmethod
    def _lower_keys(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {str(k).strip().lower(): v for k, v in value.items()}
        return value


LlmConfig = LlmSettings
"""The ``[llm]`` section, under the name the runner exported first (one model, in llm/)."""
