"""``altlas atlas build|show|list``: knowledge (.atlas) distilled from the archive."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from altlas.cli._common import FormatOpt, ListFormat, OutputFormat, emit_json, emit_rows, is_tty

__all__ = ["register"]

atlas_app = typer.Typer(
    name="atlas",
    help="Distil the archive into .atlas knowledge files, and list the ones built.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@atlas_app.command("build")
def build(
    since: Annotated[
        str | None, typer.Option("--since", help="Only results since: an age (30d) or a date.")
    ] = None,
    until: Annotated[str | None, typer.Option("--until", help="Only results until then.")] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Where to write it (default ./atlas_<id>.atlas)."),
    ] = None,
    top_failures: Annotated[int, typer.Option("--top-failures", min=0)] = 20,
    record: Annotated[
        bool, typer.Option("--record/--no-record", help="Remember it in the archive.")
    ] = True,
) -> None:
    """Build an atlas: per-run digests, success rates, durations, failure reasons, tags."""
    from altlas.formats import io
    from altlas.index import Archive

    with Archive() as archive:
        atlas = archive.build_atlas(since, until=until, top_failures=top_failures)
        path = output or Path(f"{atlas.id}.atlas")
        io.write(atlas, path)
        if record:
            archive.record_atlas(atlas, path)
    typer.echo(
        f"wrote {path}: {atlas.source.results} result(s), {len(atlas.failures)} failure "
        f"reason(s), {len(atlas.tag_counts)} tag(s)"
    )


@atlas_app.command("show")
def show(
    source: Annotated[str, typer.Argument(help="An .atlas file, or the id of a recorded one.")],
    fmt: FormatOpt = OutputFormat.TEXT,
) -> None:
    """Show an atlas: a tree on a terminal, or canonical JSON/YAML."""
    from altlas.formats import io

    path = Path(source)
    if path.exists():
        atlas = io.load_atlas(path)
    else:
        from altlas.index import Archive

        with Archive() as archive:
            atlas = archive.atlas(source)
    if fmt is OutputFormat.JSON:
        emit_json(io.to_data(atlas))
        return
    if fmt is OutputFormat.YAML:
        sys.stdout.buffer.write(io.to_bytes(atlas, syntax="yaml"))
        return
    from rich.console import Console

    from altlas.formats.render import atlas_tree

    Console(force_terminal=None if is_tty() else False).print(atlas_tree(atlas))


@atlas_app.command("list")
def list_(
    fmt: Annotated[
        ListFormat, typer.Option("--format", "-f", help="table, json, jsonl or csv.")
    ] = (ListFormat.TABLE),
) -> None:
    """The atlases recorded in the archive, newest first."""
    from altlas.index import Archive

    with Archive() as archive:
        entries = archive.list_atlases()
    columns = ["id", "created_at", "results", "since", "until", "path"]
    emit_rows((e.as_dict() for e in entries), columns, fmt)


def register(app: typer.Typer) -> None:
    app.add_typer(atlas_app, name="atlas")
