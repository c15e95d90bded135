"""What ``altlas run`` and ``altlas runs resume`` share: their options, the event sinks and
progress display, and how the outcome is reported."""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from altlas.cli._common import is_tty
from altlas.cli._output import DOCUMENT, Format, emit_document, format_option

if TYPE_CHECKING:
    from altlas.formats.plan import Plan
    from altlas.formats.result import Result
    from altlas.run.events import RunEvent

__all__ = [
    "BOTH_STDOUT",
    "AllowExecOpt",
    "AllowNetOpt",
    "AllowOpt",
    "ArchiveOpt",
    "ConcurrencyOpt",
    "EventFormat",
    "EventsFileOpt",
    "EventsOpt",
    "Finished",
    "OutputOpt",
    "QuietOpt",
    "ReportOpt",
    "RunFormatOpt",
    "default_output",
    "event_sinks",
    "execute_with_sinks",
    "report_outcome",
    "split_values",
]


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

BOTH_STDOUT = "--events jsonl and --format {fmt} both want stdout; use --events-file"


class Finished:
    """Keeps what the run.finished event says (the archive id, the file written)."""

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}

    def __call__(self, event: RunEvent) -> None:
        from altlas.run.events import EventType

        if event.type is EventType.RUN_FINISHED:
            self.data = dict(event.data)


def split_values(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


def event_sinks(
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


def report_outcome(
    result: Result,
    path: Path | None,
    *,
    plan: Callable[[], Plan],
    finished: Finished,
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


def default_output(settings: Any, opts: dict[str, Any], run_id: str) -> Path:
    """``[run] output_dir``, else ``$ALTLAS_HOME/results``: never the current directory."""
    from altlas.run.options import RunConfig

    where = settings.section("run", RunConfig, **opts).output_dir
    return Path(where or settings.home / "results") / f"{run_id}.last"


def execute_with_sinks(call: Any, sinks: list[Any], live: Any) -> Result:
    from contextlib import nullcontext

    try:
        with live if live is not None else nullcontext():
            return call(events=sinks)  # type: ignore[no-any-return]
    finally:
        for sink in sinks:
            close = getattr(sink, "close", None)
            if callable(close):
                close()
