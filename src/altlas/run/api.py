"""The library entry points: :func:`run`, :func:`run_async`, :func:`resume`, :func:`dry_run`.

They turn their options into one :class:`RunOptions` and hand it to :mod:`altlas.run.session`.
"""

from __future__ import annotations

import asyncio
import os
import platform
from collections.abc import Callable, Mapping
from typing import Any, Unpack

from altlas.config import Settings, load_settings
from altlas.errors import ConflictError, ExecutionError, InvalidInputError
from altlas.formats.plan import Plan
from altlas.formats.result import Result
from altlas.run.journal import Journal, RunRecord
from altlas.run.options import CONFIG_KEYS, RunKeywords, RunOptions
from altlas.run.planning import DryRunStep
from altlas.run.planning import dry_run as _dry_run
from altlas.run.session import PlanSource, execute, plan_of, prepare

__all__ = [
    "PlanSource",
    "RunOptions",
    "arun",
    "dry_run",
    "plan_of",
    "resume",
    "resume_async",
    "run",
    "run_async",
]


def _options(options: RunOptions | None, overrides: Mapping[str, Any]) -> RunOptions:
    if options is not None and not isinstance(options, RunOptions):
        raise InvalidInputError(
            f"run options must be a RunOptions, not {type(options).__name__}; "
            "pass single options as keywords"
        )
    return (options or RunOptions()).merged(overrides)


async def run_async(
    plan: PlanSource, options: RunOptions | None = None, /, **overrides: Unpack[RunKeywords]
) -> Result:
    """Run ``plan`` and return its :class:`Result` (see :func:`run` for the options)."""
    return await execute(prepare(plan, _options(options, overrides)))


arun = run_async


def _sync(coro_factory: Callable[[], Any]) -> Any:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro_factory())
    raise ExecutionError(
        "altlas.run() cannot be called from a running event loop; use await altlas.run_async()"
    )


def _signals_on(options: RunOptions) -> RunOptions:
    """The synchronous entry points handle Ctrl-C unless told not to."""
    if options.handle_signals is None:
        return options.merged({"handle_signals": True})
    return options


def run(
    plan: PlanSource, options: RunOptions | None = None, /, **overrides: Unpack[RunKeywords]
) -> Result:
    """Run ``plan`` (a Plan, a path or a mapping, in any dialect) and return its Result.

    Options come as a :class:`RunOptions`, as keywords, or both (keywords win): the ``[run]``
    config keys (``concurrency``, ``timeout_seconds``, ``retries``, ``continue_on_error``,
    ``cache``, ``allow_exec``, ``exec_allowlist``, ``allow_net``, ``workspace``, ``routing``,
    ...) plus ``only``, ``from_task``, ``output`` (write the .last there), ``report`` (HTML),
    ``events`` (callables getting each :class:`RunEvent`), ``registry`` (a
    :class:`HandlerRegistry`), ``breakers``, ``settings``, ``home``, ``run_id``, ``cancel``
    (a :class:`CancelToken`) and ``handle_signals`` (default True here: Ctrl-C cancels
    gracefully).
    """
    merged = _signals_on(_options(options, overrides))
    return _sync(lambda: run_async(plan, merged))  # type: ignore[no-any-return]


def _alive(pid: int | None, host: str | None) -> bool:
    if not pid or host != platform.node() or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _resumed_options(record: RunRecord, given: RunOptions, settings: Settings) -> RunOptions:
    """The stored run's options, with what this call sets on top."""
    stored = dict(record.options)
    carried = {k: v for k, v in stored.items() if k in CONFIG_KEYS}
    for name in ("only", "from_task", "output", "report"):
        if stored.get(name) is not None:
            carried[name] = stored[name]
    carried["archive"] = bool(stored.get("archive", False))
    return RunOptions.from_mapping(carried).merged(
        {**given.given(), "settings": settings, "run_id": record.id}
    )


async def resume_async(
    run_id: str,
    options: RunOptions | None = None,
    /,
    *,
    force: bool = False,
    **overrides: Unpack[RunKeywords],
) -> Result:
    """Finish a journaled run: completed tasks keep their results, the rest run again."""
    given = _options(options, overrides)
    settings: Settings = given.settings or load_settings(given.home)
    with Journal.open(settings.home) as journal:
        record = journal.load_run(run_id)
    if record.status in ("running", "pending") and _alive(record.pid, record.host) and not force:
        raise ConflictError(
            f"run {record.id} is still running (pid {record.pid}); stop it first or use --force"
        )
    plan = Plan.model_validate(record.plan)
    prep = prepare(plan, _resumed_options(record, given, settings))
    prep.plan_path = record.plan_path
    return await execute(prep, record)


def resume(
    run_id: str,
    options: RunOptions | None = None,
    /,
    *,
    force: bool = False,
    **overrides: Unpack[RunKeywords],
) -> Result:
    """Synchronous :func:`resume_async`; Ctrl-C cancels gracefully."""
    merged = _signals_on(_options(options, overrides))
    return _sync(lambda: resume_async(run_id, merged, force=force))  # type: ignore[no-any-return]


def dry_run(
    plan: PlanSource, options: RunOptions | None = None, /, **overrides: Unpack[RunKeywords]
) -> list[DryRunStep]:
    """The execution order and the handler of each task; runs nothing."""
    prep = prepare(plan, _options(options, overrides))
    return _dry_run(
        prep.plan,
        prep.router,
        prep.selected,
        allow_exec=prep.config.allow_exec,
        allow_net=prep.config.allow_net,
    )
