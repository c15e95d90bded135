"""``altlas atlas build|show|list``: knowledge (.atlas) distilled from the archive."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from altlas.cli._common import emit_rows
from altlas.cli._filters import with_filters
from altlas.cli._output import DOCUMENT, ROWS, Format, console, emit_document, format_option

if TYPE_CHECKING:
    from altlas.index import Filters

__all__ = ["register"]

atlas_app = typer.Typer(
    name="atlas",
    help="Distil the archive into .atlas knowledge files, and list the ones built.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@atlas_app.command("build")
@with_filters
def build(
    filters: Filters,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Where to write it (default ./atlas_<id>.atlas)."),
    ] = None,
    top_failures: Annotated[int, typer.Option("--top-failures", min=0)] = 20,
    record: Annotated[
        bool, typer.Option("--record/--no-record", help="Remember it in the archive.")
    ] = True,
) -> None:
    """Build an atlas: per-run digests, success rates, durations, failure reasons, tags.

    The filters (as in 'altlas archive search') choose the results it distils.
    """
    from contextlib import nullcontext

    from altlas.formats import io
    from altlas.index import Archive
    from altlas.run.progress import work_progress

    bar = work_progress("atlas", "results")
    with Archive() as archive, bar if bar is not None else nullcontext():
        if bar is not None:
            bar.phase("reading and distilling the archive")
        atlas = archive.build_atlas(filters=filters, top_failures=top_failures)
        if bar is not None:
            bar.update(atlas.source.results, atlas.source.results)
            bar.phase("writing")
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
    fmt: Annotated[Format, format_option(DOCUMENT)] = Format.TABLE,
) -> None:
    """Show an atlas: a tree (table), or canonical JSON/YAML."""
    from altlas.formats import io

    path = Path(source)
    if path.exists():
        atlas = io.load_atlas(path)
    else:
        from altlas.index import Archive

        with Archive() as archive:
            atlas = archive.atlas(source)
    if fmt is Format.YAML:
        sys.stdout.buffer.write(io.to_bytes(atlas, syntax="yaml"))
        return

    def tree() -> None:
        from altlas.formats.render import atlas_tree

        console().print(atlas_tree(atlas))

    emit_document(io.to_data(atlas) if fmt is Format.JSON else None, fmt, tree)


@atlas_app.command("list")
def list_(
    fmt: Annotated[Format, format_option(ROWS)] = Format.TABLE,
) -> None:
    """The atlases recorded in the archive, newest first."""
    from altlas.index import Archive

    with Archive() as archive:
        entries = archive.list_atlases()
    columns = ["id", "created_at", "results", "since", "until", "path"]
    emit_rows((e.as_dict() for e in entries), columns, fmt)


def register(app: typer.Typer) -> None:
    app.add_typer(atlas_app, name="atlas")
