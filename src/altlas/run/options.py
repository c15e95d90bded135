"""Run options: the ``[run]`` and ``[llm]`` config sections, plus per-call extras.

Precedence, lowest first: the defaults below, ``$ALTLAS_HOME/config.toml``, ``ALTLAS_RUN__*``
environment variables, then the options of one call of :func:`altlas.run` (or CLI flags).

:class:`RunOptions` is every option of one call as one frozen object; :class:`RunKeywords`
is the same set as keyword arguments, so ``run(plan, concurrency=2)`` is type-checked too.
A value of None means "not given here": the config (or the stored run, for ``resume``) decides.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypedDict

from pydantic import BaseModel, ConfigDict, Field, field_validator

from altlas.errors import InvalidInputError
from altlas.run.cancel import CancelToken

if TYPE_CHECKING:
    from altlas.config import Settings
    from altlas.run.events import EventSink
    from altlas.run.handlers.registry import HandlerRegistry
    from altlas.run.resilience import BreakerRegistry
    from altlas.run.scheduler import Scheduler

__all__ = ["CancelToken", "LlmConfig", "RunConfig", "RunKeywords", "RunOptions"]

PathArg = str | os.PathLike[str]
Names = str | Sequence[str]


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


class LlmConfig(BaseModel):
    """The ``[llm]`` section: any OpenAI-compatible ``/v1/chat/completions`` endpoint."""

    model_config = ConfigDict(extra="forbid")

    base_url: str | None = None
    """For example ``http://127.0.0.1:11434/v1`` (Ollama) or ``http://127.0.0.1:8080/v1``."""
    model: str | None = None
    api_key: str | None = None
    """A secret *reference*: ``env:NAME`` or ``file:PATH``, never the key itself."""
    timeout_seconds: float = Field(default=120.0, gt=0)
    temperature: float | None = Field(default=None, ge=0, le=2)
    max_tokens: int | None = Field(default=None, ge=1)
    system_prompt: str | None = None


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class RunOptions:
    """Every option one run accepts; None leaves the choice to the config (or stored run).

    The first group are the ``[run]`` keys (see :class:`RunConfig` for what each means), the
    second is per call: ``only``/``from_task`` (the selection), ``output`` (write the .last
    there), ``report`` (HTML), ``archive``, ``events`` (callables getting each RunEvent),
    ``registry``, ``breakers``, ``settings`` or ``home``, ``run_id``, ``handle_signals``,
    ``on_start`` (gets the scheduler) and ``cancel`` (a :class:`CancelToken`).
    """

    concurrency: int | None = None
    timeout_seconds: float | None = None
    retries: int | None = None
    backoff_initial: float | None = None
    backoff_max: float | None = None
    backoff_jitter: float | None = None
    breaker_failures: int | None = None
    breaker_reset_seconds: float | None = None
    cancel_grace_seconds: float | None = None
    continue_on_error: bool | None = None
    cache: bool | None = None
    allow_exec: bool | None = None
    exec_allowlist: Names | None = None
    exec_env_allow: Names | None = None
    exec_path: str | None = None
    allow_net: bool | None = None
    http_allow_hosts: Names | None = None
    http_max_redirects: int | None = None
    workspace: PathArg | None = None
    output_dir: PathArg | None = None
    journal: bool | None = None
    journal_sync: Literal["off", "normal", "full"] | None = None
    routing: Mapping[str, str | Sequence[str]] | None = None
    max_output_bytes: int | None = None
    max_output_rows: int | None = None

    archive: bool | None = None
    only: Names | None = None
    from_task: str | None = None
    output: PathArg | None = None
    report: PathArg | None = None
    events: EventSink | Sequence[EventSink] | None = None
    registry: HandlerRegistry | None = None
    breakers: BreakerRegistry | None = None
    settings: Settings | None = None
    home: PathArg | None = None
    run_id: str | None = None
    handle_signals: bool | None = None
    on_start: Callable[[Scheduler], object] | None = None
    cancel: CancelToken | None = None

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> RunOptions:
        """Options from a dict (a stored run, a job payload); unknown names are refused."""
        return cls().merged(values)

    def merged(self, overrides: Mapping[str, Any]) -> RunOptions:
        """These options with ``overrides`` on top; unknown names are refused."""
        if not overrides:
            return self
        check_option_names(overrides)
        return dataclasses.replace(self, **overrides)

    def given(self) -> dict[str, Any]:
        """The options that were set (not None), by name."""
        return {name: value for name in OPTION_NAMES if (value := getattr(self, name)) is not None}

    def config_overrides(self) -> dict[str, Any]:
        """The ``[run]`` keys that were set, for ``Settings.section("run", ...)``."""
        return {name: value for name, value in self.given().items() if name in CONFIG_KEYS}


class RunKeywords(TypedDict, total=False):
    """:class:`RunOptions` as keyword arguments (``**overrides: Unpack[RunKeywords]``)."""

    concurrency: int | None
    timeout_seconds: float | None
    retries: int | None
    backoff_initial: float | None
    backoff_max: float | None
    backoff_jitter: float | None
    breaker_failures: int | None
    breaker_reset_seconds: float | None
    cancel_grace_seconds: float | None
    continue_on_error: bool | None
    cache: bool | None
    allow_exec: bool | None
    exec_allowlist: Names | None
    exec_env_allow: Names | None
    exec_path: str | None
    allow_net: bool | None
    http_allow_hosts: Names | None
    http_max_redirects: int | None
    workspace: PathArg | None
    output_dir: PathArg | None
    journal: bool | None
    journal_sync: Literal["off", "normal", "full"] | None
    routing: Mapping[str, str | Sequence[str]] | None
    max_output_bytes: int | None
    max_output_rows: int | None
    archive: bool | None
    only: Names | None
    from_task: str | None
    output: PathArg | None
    report: PathArg | None
    events: EventSink | Sequence[EventSink] | None
    registry: HandlerRegistry | None
    breakers: BreakerRegistry | None
    settings: Settings | None
    home: PathArg | None
    run_id: str | None
    handle_signals: bool | None
    on_start: Callable[[Scheduler], object] | None
    cancel: CancelToken | None


CONFIG_KEYS = frozenset(RunConfig.model_fields)
OPTION_NAMES = tuple(f.name for f in dataclasses.fields(RunOptions))
_KNOWN = frozenset(OPTION_NAMES)


def check_option_names(names: Mapping[str, Any]) -> None:
    """Refuse option names a run does not know, naming all of them in one line."""
    unknown = set(names) - _KNOWN
    if unknown:
        known = ", ".join(sorted(_KNOWN))
        raise InvalidInputError(
            f"unknown run option(s) {', '.join(sorted(unknown))} (known: {known})"
        )
