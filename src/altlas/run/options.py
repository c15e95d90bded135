"""Run options: the ``[run]`` and ``[llm]`` config sections (:mod:`altlas.run.config`,
re-exported here), plus what one call of :func:`altlas.run` may set on top of them.

:class:`RunOptions` is every option of one call as one frozen object; :class:`RunKeywords`
is the same set as keyword arguments, so ``run(plan, concurrency=2)`` is type-checked too.
A value of None means "not given here": the config (or the stored run, for ``resume``) decides.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypedDict

from altlas.errors import InvalidInputError
from altlas.run.cancel import CancelToken
from altlas.run.config import LlmConfig, RunConfig

if TYPE_CHECKING:
    from altlas.config import Settings
    from altlas.run.events import EventSink
    from altlas.run.handlers.registry import HandlerRegistry
    from altlas.run.resilience import BreakerRegistry
    from altlas.run.scheduler import Scheduler

__all__ = ["CancelToken", "LlmConfig", "RunConfig", "RunKeywords", "RunOptions"]

PathArg = str | os.PathLike[str]
Names = str | Sequence[str]


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
        check_option_names(values)
        return cls(**values)  # half the cost of replace() on a default instance (per run)

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
