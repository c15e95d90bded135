"""``altlas runs list|show|resume|verify``: the run journal (``altlas run`` is in cli/run.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from altlas.cli._common import emit_rows, fail
from altlas.cli._output import DOCUMENT, ROWS, Format, emit_document, format_option
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

__all__ = ["runs_app"]


runs_app = typer.Typer(
    help="The run journal: list, show, resume and verify runs.", no_args_is_help=True
)


@runs_app.command("list")
def runs_list(
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many runs.")] = 20,
    status: Annotated[
        str | None, typer.Option("--status", help="Only runs with this status.")
    ] = None,
    fmt: Annotated[Format, format_option(ROWS)] = Format.TABLE,
) -> None:
    """List recent runs, newest first."""
    from altlas.config import load_settings
    from altlas.run.journal import Journal

    # Read-only: listing works on a read-only home and never writes into a damaged journal.
    with Journal.open(load_settings().home, readonly=True) as journal:
        records = journal.list_runs(limit=limit, status=status)
    rows = [r.summary_row() for r in records]
    columns = [
        "id",
        "status",
        "title",
        "tasks",
        "success_rate",
        "created_at",
        "duration_ms",
        "result_path",
    ]
    emit_rows(rows, columns, fmt, title="runs")


@runs_app.command("show")
def runs_show(
    run_id: Annotated[str, typer.Argument(help="A run id (or a unique prefix).")],
    fmt: Annotated[Format, format_option(DOCUMENT)] = Format.TABLE,
) -> None:
    """Show one run and its tasks as the journal has them."""
    from altlas.config import load_settings
    from altlas.run.journal import Journal

    with Journal.open(load_settings().home, readonly=True) as journal:
        record = journal.load_run(run_id)
    data = {
        **record.summary_row(),
        "plan_id": record.plan_id,
        "plan_path": record.plan_path,
        "started_at": record.started_at,
        "finished_at": record.finished_at,
        "counts": record.counts,
        "report_path": record.report_path,
        "host": record.host,
        "pid": record.pid,
        "resumes": record.resumes,
        "workspace": record.options.get("workspace"),
        "task_results": record.tasks,
    }
    if fmt is not Format.TABLE:
        emit_document(data, fmt, lambda: None)
        return
    for key in (
        "id",
        "status",
        "title",
        "plan_id",
        "plan_path",
        "created_at",
        "started_at",
        "finished_at",
        "duration_ms",
        "success_rate",
        "resumes",
        "workspace",
        "result_path",
    ):
        value = data.get(key)
        if value is not None:
            typer.echo(f"{key:>13}: {value}")
    rows = [
        {
            "task": t["task_id"],
            "status": t["status"],
            "handler": t["handler"],
            "attempts": t["attempts"],
            "ms": t["duration_ms"],
            "cached": t["cached"] or None,
            "error": f"{t['error']['type']}: {t['error']['message']}" if t["error"] else None,
        }
        for t in record.tasks
    ]
    emit_rows(
        rows, ["task", "status", "handler", "attempts", "ms", "cached", "error"], Format.TABLE
    )


@runs_app.command("resume")
def runs_resume(
    run_id: Annotated[str, typer.Argument(help="The run to finish (id or unique prefix).")],
    output: OutputOpt = None,
    concurrency: ConcurrencyOpt = None,
    allow_exec: AllowExecOpt = None,
    allow: AllowOpt = None,
    allow_net: AllowNetOpt = None,
    report: ReportOpt = None,
    events: EventsOpt = None,
    events_file: EventsFileOpt = None,
    force: Annotated[
        bool, typer.Option("--force", help="Resume even if the run's process seems alive.")
    ] = False,
    quiet: QuietOpt = False,
    archive: ArchiveOpt = None,
    fmt: RunFormatOpt = Format.TABLE,
) -> None:
    """Finish an interrupted run: completed tasks are kept, the others run again.

    A run that succeeded is finished: it is left as it is, result and all.
    """
    from altlas.config import load_settings
    from altlas.formats.plan import Plan
    from altlas.run import api
    from altlas.run.journal import Journal

    settings = load_settings()
    with Journal.open(settings.home, readonly=True) as journal:
        record = journal.load_run(run_id, tasks=False)
    if record.status == "success":
        where = f"; its result is {record.result_path}" if record.result_path else ""
        typer.echo(f"run {record.id} is finished (success): nothing to resume{where}")
        return
    stored_output = record.options.get("output")
    if output is None:
        output = Path(stored_output) if stored_output else default_output(settings, {}, record.id)
    opts: dict[str, Any] = {
        "concurrency": concurrency,
        "allow_exec": allow_exec,
        "allow_net": allow_net,
        "output": output,
        "report": report,
        "archive": archive,
    }
    extra_allow = split_values(allow)
    if extra_allow:
        opts["exec_allowlist"] = [*(record.options.get("exec_allowlist") or []), *extra_allow]
    opts = {k: v for k, v in opts.items() if v is not None}
    if events is not None and fmt is not Format.TABLE:
        raise fail(BOTH_STDOUT.format(fmt=fmt.value), 2)
    sinks, live = event_sinks(events, events_file, quiet)
    finished = Finished()
    sinks.append(finished)
    result = execute_with_sinks(
        lambda events: api.resume(record.id, force=force, settings=settings, events=events, **opts),
        sinks,
        live,
    )
    report_outcome(
        result,
        output,
        plan=lambda: Plan.model_validate(record.plan),
        finished=finished,
        fmt=fmt,
        to_stderr=events is not None,
    )


@runs_app.command("verify")
def runs_verify(
    repair: Annotated[
        bool,
        typer.Option("--repair", help="Keep what a damaged journal holds; move the file aside."),
    ] = False,
) -> None:
    """Check the run journal (SQLite integrity_check). Exit 1 if it is damaged."""
    from altlas.config import load_settings
    from altlas.index.health import summarise_problems
    from altlas.run.journal_repair import verify_journal

    check = verify_journal(load_settings().home, repair=repair)
    if not check.problems:
        typer.echo(f"{check.path}: ok ({check.runs} runs)")
        return
    line = f"{check.path}: the run journal is damaged: {summarise_problems(check.problems)}"
    if not check.repaired:
        typer.echo(
            f"error: {line}; run 'altlas runs verify --repair' to keep what can be read", err=True
        )
        raise typer.Exit(1)
    kept = ", ".join(f"{n} {table}" for table, n in check.kept.items()) or "nothing"
    skipped = sum(check.unreadable.values())
    typer.echo(f"fixed: {line}")
    typer.echo(
        f"kept {kept} ({skipped} unreadable part(s) skipped); the damaged file is {check.moved_to}"
    )
