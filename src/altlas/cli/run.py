"""``altlas run`` and ``altlas runs list|show|resume``: thin wrappers over :mod:`altlas.run`."""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from altlas.cli._common import emit_rows, fail, is_tty
from altlas.cli._output import DOCUMENT, Format, emit_document, format_option

if TYPE_CHECKING:
    from altlas.formats.plan import Plan
    from altlas.formats.result import Result
    from altlas.run.events import RunEvent

__all__ = ["register"]


class EventFormat(StrEnum):
    JSONL = "jsonl"


OutputOpt = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write the result here (.last, .last.json, .zst ...)."),
]
ReportOpt = Annotated[
    Path | None, typer.Option("--report", help="Also write a self-contained HTML report here.")
]
EventsOpt = Annotated[
    EventFormat | None,
    typer.Option("--events", help="Stream run events to stdout in this format (jsonl)."),
]
EventsFileOpt = Annotated[
    Path | None, typer.Option("--events-file", help="Append run events as JSON lines to this file.")
]
ConcurrencyOpt = Annotated[
    int | None, typer.Option("--concurrency", "-c", min=1, help="Tasks running at once.")
]
AllowExecOpt = Annotated[
    bool | None,
    typer.Option("--allow-exec", help="Let the command handler run allowlisted programs."),
]
AllowOpt = Annotated[
    list[str] | None,
    typer.Option("--allow", help="Add a program to the exec allowlist (repeatable)."),
]
AllowNetOpt = Annotated[
    bool | None, typer.Option("--allow-net", help="Let the http handler make requests.")
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")]
ArchiveOpt = Annotated[
    bool | None,
    typer.Option("--archive", help="Store the result in the archive as soon as the run finishes."),
]
RunFormatOpt = Annotated[
    Format,
    format_option(DOCUMENT, help="table: the answer, for people; json or yaml: the whole result."),
]

_BOTH_STDOUT = "--events jsonl and --format {fmt} both want stdout; use --events-file"


class _Finished:
    """Keeps what the run.finished event says (the archive id, the file written)."""

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}

    def __call__(self, event: RunEvent) -> None:
        from altlas.run.events import EventType

        if event.type is EventType.RUN_FINISHED:
            self.data = dict(event.data)


def _split(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


def _sinks(
    events: EventFormat | None, events_file: Path | None, quiet: bool
) -> tuple[list[Any], Any]:
    """Event sinks for the run, and the live display to enter (or None)."""
    from altlas.run.events import JsonlSink
    from altlas.run.progress import LiveProgress, PlainProgress

    sinks: list[Any] = []
    if events is EventFormat.JSONL:
        sinks.append(JsonlSink())
    if events_file is not None:
        sinks.append(JsonlSink(events_file))
    live = None
    if not quiet:
        if is_tty(sys.stderr):
            live = LiveProgress()
            sinks.append(live)
        else:
            sinks.append(PlainProgress())
    return sinks, live


def _report_outcome(
    result: Result,
    path: Path | None,
    *,
    plan: Callable[[], Plan],
    finished: _Finished,
    fmt: Format,
    to_stderr: bool,
) -> None:
    """The status lines, then the answer (or, with json/yaml, the whole result on stdout)."""
    from altlas.cli._answer import print_answer
    from altlas.formats.result import RunStatus

    whole = fmt is not Format.TABLE
    out = sys.stderr if to_stderr or whole else sys.stdout
    typer.echo(result.summary, file=out)
    typer.echo(f"run id: {result.run_id}", file=out)
    if path is not None:
        typer.echo(f"result: {path}", file=out)
    archived = finished.data.get("archive_id")
    if archived:
        typer.echo(f"archived: {archived} (see it: altlas archive show {archived})", file=out)
    if whole:
        from altlas.formats import io

        emit_document(io.to_data(result), fmt, lambda: None)
    else:
        print_answer(plan(), result, stderr=out is sys.stderr)
    if result.status is RunStatus.CANCELLED:
        raise typer.Exit(130)
    if result.status is not RunStatus.SUCCESS:
        raise typer.Exit(1)


def _default_output(settings: Any, opts: dict[str, Any], run_id: str) -> Path:
    """``[run] output_dir``, else ``$ALTLAS_HOME/results``: never the current directory."""
    from altlas.run.options import RunConfig

    where = settings.section("run", RunConfig, **opts).output_dir
    return Path(where or settings.home / "results") / f"{run_id}.last"


def _execute(call: Any, sinks: list[Any], live: Any) -> Result:
    from contextlib import nullcontext

    try:
        with live if live is not None else nullcontext():
            return call(events=sinks)  # type: ignore[no-any-return]
    finally:
        for sink in sinks:
            close = getattr(sink, "close", None)
            if callable(close):
                close()


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
    extra_allow = _split(allow)
    if extra_allow:
        base = settings.section("run", RunConfig).exec_allowlist
        opts["exec_allowlist"] = [*base, *extra_allow]
    opts = {k: v for k, v in opts.items() if v is not None}
    options = RunOptions.from_mapping(opts).merged(
        {"settings": settings, "only": _split(only), "from_task": from_task}
    )
    if events is not None and fmt is not Format.TABLE:
        raise fail(
            f"--events jsonl and --format {fmt.value} both want stdout; use --events-file", 2
        )
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
        output = _default_output(settings, opts, run_id)
    sinks, live = _sinks(events, events_file, quiet)
    finished = _Finished()
    sinks.append(finished)
    result = _execute(
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
    _report_outcome(
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
