"""``altlas run`` and ``altlas runs list|show|resume``: thin wrappers over :mod:`altlas.run`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from altlas.cli._common import emit_rows, fail
from altlas.cli._output import Format
from altlas.cli._run_common import (
    BOTH_STDOUT,
    AllowExecOpt,
    AllowNetOpt,
    AllowOpt,
    ArchiveOpt,
    ConcurrencyOpt,
    EventsFileOpt,
    EventsOpt,
    Finished,
    OutputOpt,
    QuietOpt,
    ReportOpt,
    RunFormatOpt,
    default_output,
    event_sinks,
    execute_with_sinks,
    report_outcome,
    split_values,
)

if TYPE_CHECKING:
    pass

__all__ = ["register"]


def run_command(
    plan: Annotated[Path, typer.Argument(help="The plan (.alt) to run, in any dialect.")],
    output: OutputOpt = None,
    concurrency: ConcurrencyOpt = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Print the order and handler of each task; run nothing."),
    ] = False,
    only: Annotated[
        list[str] | None,
        typer.Option("--only", help="Run only these task ids (repeat, or comma-separate)."),
    ] = None,
    from_task: Annotated[
        str | None, typer.Option("--from", help="Run this task and everything that depends on it.")
    ] = None,
    continue_on_error: Annotated[
        bool | None,
        typer.Option("--continue-on-error", help="Run dependents of failed tasks anyway."),
    ] = None,
    cache: Annotated[
        bool | None, typer.Option("--cache/--no-cache", help="Reuse results of identical tasks.")
    ] = None,
    allow_exec: AllowExecOpt = None,
    allow: AllowOpt = None,
    allow_net: AllowNetOpt = None,
    workspace: Annotated[
        Path | None,
        typer.Option("--workspace", "-w", help="Directory file handlers are confined to."),
    ] = None,
    timeout: Annotated[
        float | None, typer.Option("--timeout", min=0.001, help="Default per-task timeout (s).")
    ] = None,
    retries: Annotated[
        int | None, typer.Option("--retries", min=0, help="Default retries per task.")
    ] = None,
    report: ReportOpt = None,
    events: EventsOpt = None,
    events_file: EventsFileOpt = None,
    quiet: QuietOpt = False,
    archive: ArchiveOpt = None,
    fmt: RunFormatOpt = Format.TABLE,
) -> None:
    """Run a plan (.alt) into a result (.last) and show the answer.

    Without -o the result goes to $ALTLAS_HOME/results/<run id>.last (or [run] output_dir).
    """
    from altlas.config import load_settings
    from altlas.formats.common import new_id
    from altlas.run import api
    from altlas.run.options import RunConfig, RunOptions

    settings = load_settings()
    opts: dict[str, Any] = {
        "concurrency": concurrency,
        "continue_on_error": continue_on_error,
        "cache": cache,
        "allow_exec": allow_exec,
        "allow_net": allow_net,
        "workspace": workspace,
        "timeout_seconds": timeout,
        "retries": retries,
    }
    extra_allow = split_values(allow)
    if extra_allow:
        base = settings.section("run", RunConfig).exec_allowlist
        opts["exec_allowlist"] = [*base, *extra_allow]
    opts = {k: v for k, v in opts.items() if v is not None}
    options = RunOptions.from_mapping(opts).merged(
        {"settings": settings, "only": split_values(only), "from_task": from_task}
    )
    if events is not None and fmt is not Format.TABLE:
        raise fail(BOTH_STDOUT.format(fmt=fmt.value), 2)
    if dry_run:
        steps = api.dry_run(plan, options)
        rows = [s.as_dict() for s in steps]
        emit_rows(rows, ["order", "task_id", "type", "handler", "depends_on", "note", "error"], fmt)
        bad = [s for s in steps if s.error]
        if bad:
            raise fail(
                f"{len(bad)} task(s) have no suitable handler: {', '.join(s.task_id for s in bad)}"
            )
        return
    run_id = new_id("run")
    if output is None:
        output = default_output(settings, opts, run_id)
    sinks, live = event_sinks(events, events_file, quiet)
    finished = Finished()
    sinks.append(finished)
    result = execute_with_sinks(
        lambda events: api.run(
            plan,
            options,
            run_id=run_id,
            output=output,
            report=report,
            events=events,
            archive=bool(archive),
        ),
        sinks,
        live,
    )
    report_outcome(
        result,
        output,
        plan=lambda: api.plan_of(plan)[0],
        finished=finished,
        fmt=fmt,
        to_stderr=events is not None,
    )


def register(app: typer.Typer) -> None:
    from altlas.cli.runs import runs_app

    app.command("run")(run_command)
    app.add_typer(runs_app, name="runs")
