"""``altlas archive ...``: thin wrappers over :class:`altlas.index.Archive`.

Nothing here imports the archive (or tantivy, zstandard, polars) until a command runs.
"""

from __future__ import annotations

import sys
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from altlas.cli._common import emit_json, emit_rows, is_tty
from altlas.cli._filters import with_filters
from altlas.cli._output import DOCUMENT, ROWS, Format, console, emit_document, format_option
from altlas.index.filterspec import RecordSort, SearchSort

if TYPE_CHECKING:
    from altlas.index import AddReport, Archive, Filters, SearchResults

__all__ = ["register"]

archive_app = typer.Typer(
    name="archive",
    help="Store results (.last) in a compressed, searchable archive under ALTLAS_HOME.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


ReportOpt = Annotated[
    Format, format_option((Format.TABLE, Format.JSON), help="table (lines for people) or json.")
]


_ADOPTED_SHOWN = 20
"""After a rebuild every blob is adopted: past this many, one line says how many."""


FormatOpt = Annotated[Format, format_option(ROWS)]


def _archive() -> Archive:
    from altlas.index import Archive

    def waiting(holder: Any) -> None:
        typer.echo(f"waiting for the archive lock, held by {holder.describe()}", err=True)

    return Archive(on_lock_wait=waiting)


def _report_add(report: AddReport, fmt: Format, verbose: bool) -> None:
    if fmt is Format.JSON:
        emit_json(report.as_dict())
    else:
        for outcome in report.outcomes:
            if outcome.status == "failed":
                typer.echo(f"error: {outcome.message}", err=True)
            elif verbose or outcome.status in ("restored", "same_result"):
                note = f" ({outcome.message})" if outcome.message else ""
                typer.echo(f"{outcome.status} {outcome.id or '-'} {outcome.path}{note}")
        typer.echo(report.summary())
    if report.failed:
        raise typer.Exit(1)


@archive_app.command("add")
def add(
    paths: Annotated[list[Path], typer.Argument(help="Files or directories (recursive).")],
    batch_size: Annotated[int | None, typer.Option("--batch-size", min=1)] = None,
    keep_copies: Annotated[
        bool, typer.Option("--keep-copies", help="Keep files that repeat an archived result id.")
    ] = False,
    fmt: ReportOpt = Format.TABLE,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="One line per file.")] = False,
) -> None:
    """Add .last files (any dialect: plain, .zst, .json.gz, runner zip). Idempotent.

    Bad files are reported one line each and do not stop the others; exit 1 if any failed.
    """
    from altlas.run.progress import work_progress

    bar = work_progress("adding", "files")
    with _archive() as archive, bar if bar is not None else nullcontext():
        report = archive.add(
            paths,
            batch_size=batch_size,
            keep_copies=keep_copies,
            progress=bar.update if bar is not None else None,
            phase=bar.phase if bar is not None else None,
        )
    _report_add(report, fmt, verbose)


def _hits_table(found: SearchResults) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(header_style="bold", caption=f"{len(found)} of {found.total} hits")
    for col in ("id", "status", "success", "started", "title", "snippet"):
        table.add_column(col, overflow="fold" if col == "snippet" else "ellipsis")
    for hit in found:
        snippet = Text(hit.fragment)
        for start, end in hit.highlights:
            snippet.stylize("bold yellow", start, end)
        started = hit.started_at.strftime("%Y-%m-%d %H:%M") if hit.started_at else ""
        table.add_row(
            hit.id,
            hit.status,
            f"{hit.success_rate:.2f}",
            started,
            hit.title or hit.command or "",
            snippet,
        )
    console().print(table)


@archive_app.command("search")
@with_filters
def search(
    query: Annotated[str, typer.Argument(help="tantivy syntax; all words must match. '*': all.")],
    filters: Filters,
    sort: Annotated[SearchSort, typer.Option("--sort", help="Order of the hits.")] = (
        SearchSort.RELEVANCE
    ),
    asc: Annotated[bool, typer.Option("--asc", help="Oldest / lowest first.")] = False,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=10_000)] = 10,
    offset: Annotated[int, typer.Option("--offset", min=0)] = 0,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Full-text search with filters, sorting, paging and highlighted snippets."""
    with _archive() as archive:
        found = archive.search(query, filters, sort=sort, ascending=asc, limit=limit, offset=offset)
    for warning in found.warnings:
        typer.echo(f"note: {warning}", err=True)
    if fmt is Format.TABLE:
        _hits_table(found)
        return
    columns = [
        "id",
        "result_id",
        "status",
        "success_rate",
        "started_at",
        "score",
        "title",
        "snippet_field",
        "snippet",
    ]
    emit_rows((h.as_dict() for h in found), columns, fmt)


@archive_app.command("show")
def show(
    key: Annotated[str, typer.Argument(help="Archive id, id prefix, sha256 or result id.")],
    raw: Annotated[
        bool, typer.Option("--raw", help="The original file, byte for byte, on stdout.")
    ] = False,
    full: Annotated[
        bool, typer.Option("--full", help="Every output in full: tables and markdown rendered.")
    ] = False,
    fmt: Annotated[Format, format_option(DOCUMENT)] = Format.TABLE,
) -> None:
    """Print an archived result: the original bytes (--raw), a tree, or canonical JSON/YAML."""
    from altlas.formats.result import Result

    with _archive() as archive:
        body = archive.show(key, raw=raw)
    if isinstance(body, bytes):
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
        return
    assert isinstance(body, Result)
    from altlas.formats import io

    def tree() -> None:
        from altlas.formats.render import result_tree

        console().print(result_tree(body, full=full, markdown=is_tty()))

    emit_document(io.to_data(body), fmt, tree)


@archive_app.command("list")
@with_filters
def list_(
    filters: Filters,
    sort: Annotated[RecordSort, typer.Option("--sort", help="Order of the records.")] = (
        RecordSort.TIME
    ),
    asc: Annotated[bool, typer.Option("--asc")] = False,
    limit: Annotated[int, typer.Option("--limit", "-n", min=0, help="0: no limit.")] = 50,
    offset: Annotated[int, typer.Option("--offset", min=0)] = 0,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """List archived results, newest first."""
    with _archive() as archive:
        records = archive.records(
            filters, sort=sort, ascending=asc, limit=limit or None, offset=offset
        )
    columns = ["id", "result_id", "status", "success_rate", "started_at", "task_count", "title"]
    if fmt is Format.TABLE:
        rows = [
            {
                **r.as_dict(),
                "started_at": r.started_at.strftime("%Y-%m-%d %H:%M") if r.started_at else "",
            }
            for r in records
        ]
        emit_rows(rows, columns, fmt)
        return
    emit_rows((r.as_dict() for r in records), [*columns, "command", "tags", "added_at"], fmt)


@archive_app.command("stats")
@with_filters
def stats(filters: Filters, fmt: FormatOpt = Format.TABLE) -> None:
    """Success rates by task type, handler, mode, persona, language and day; durations."""
    with _archive() as archive:
        result = archive.stats(filters)
    if fmt in (Format.JSON, Format.YAML):
        emit_document(result.as_dict(), fmt, lambda: None)
        return
    columns = ["dimension", "value", "runs", "tasks", "completed", "rate"]
    if fmt is not Format.TABLE:
        emit_rows(result.rows(), columns, fmt)
        return
    ratio = result.stored_bytes / result.raw_bytes if result.raw_bytes else 0.0
    typer.echo(
        f"{result.results} results, {result.tasks} tasks; stored {result.stored_bytes} of "
        f"{result.raw_bytes} bytes ({ratio:.1%})"
    )
    for dim, rows in result.success_by.items():
        emit_rows(
            (r.as_dict() for r in rows),
            ["value", "runs", "tasks", "completed", "rate"],
            fmt,
            title=f"success rate by {dim}",
        )
    emit_rows(
        (d.as_dict() for d in result.by_day),
        ["day", "runs", "tasks", "completed", "rate", "mean_run_success"],
        fmt,
        title="by day",
    )
    durations = [{"what": "run", **result.run_durations_ms.model_dump()}] + [
        {"what": f"task:{k}", **v.model_dump()} for k, v in result.task_durations_ms.items()
    ]
    emit_rows(
        durations, ["what", "count", "p50", "p90", "p95", "p99", "max"], fmt, title="durations (ms)"
    )


@archive_app.command("export")
@with_filters
def export(
    dest: Annotated[Path, typer.Argument(help="A directory, or a bundle name ending .tar.zst.")],
    ids: Annotated[list[str] | None, typer.Option("--id", help="Only these (repeatable).")] = None,
    filters: Filters | None = None,  # replaced by the options
) -> None:
    """Write the originals, byte for byte, into a directory or a .tar.zst bundle."""
    with _archive() as archive:
        report = archive.export(dest, ids=ids, filters=filters)
    typer.echo(f"exported {report.count} original(s), {report.bytes} bytes, to {report.dest}")


@archive_app.command("prune")
@with_filters
def prune(
    older_than: Annotated[str, typer.Option("--older-than", help="An age: 90d, 12w, 1y.")],
    filters: Filters,
    archive_to: Annotated[
        Path | None,
        typer.Option("--archive-to", help="Save the pruned originals to this .tar.zst first."),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only count.")] = False,
) -> None:
    """Delete old results; with --archive-to, the bundle is written and checked first."""
    with _archive() as archive:
        report = archive.prune(older_than, filters, archive_to=archive_to, dry_run=dry_run)
    if dry_run:
        typer.echo(f"would prune {report.matched} result(s)")
        return
    saved = f"; saved to {report.bundle}" if report.bundle and report.pruned else ""
    typer.echo(f"pruned {report.pruned} result(s), freed {report.bytes_freed} bytes{saved}")


@archive_app.command("import-bundle")
def import_bundle(
    bundles: Annotated[list[Path], typer.Argument(help=".tar.zst bundles (from export/prune).")],
    fmt: ReportOpt = Format.TABLE,
) -> None:
    """Add every result of one or more bundles (idempotent, like add)."""
    from altlas.index import AddReport

    total = AddReport()
    with _archive() as archive:
        for bundle in bundles:
            report = archive.import_bundle(bundle)
            for outcome in report.outcomes:
                total.count(outcome)
            total.reindexed += report.reindexed
    _report_add(total, fmt, verbose=False)


@archive_app.command("verify")
def verify(
    repair: Annotated[bool, typer.Option("--repair", help="Fix what can be fixed.")] = False,
    quick: Annotated[
        bool, typer.Option("--quick", help="Check that blobs exist, not their hashes.")
    ] = False,
    fmt: ReportOpt = Format.TABLE,
) -> None:
    """Check every blob's hash and that the database and the index agree. Exit 1 if not."""
    with _archive() as archive:
        report = archive.verify(repair=repair, full=not quick)
    if fmt is Format.JSON:
        emit_json({**report.as_dict(), "ok": report.ok, "lost": len(report.lost)})
    else:
        adopted = [p for p in report.problems if p.fixed and "adopted as a record" in p.message]
        grouped = len(adopted) > _ADOPTED_SHOWN
        for problem in report.problems:
            if grouped and problem in adopted:
                continue
            mark = "fixed" if problem.fixed else "problem"
            text = " ".join(problem.message.split())  # one line per problem, whatever SQLite said
            typer.echo(f"{mark}: {problem.kind}: {text}", err=not problem.fixed)
        if grouped:
            named = sum("name and source restored" in p.message for p in adopted)
            typer.echo(
                f"fixed: orphan_blob: {len(adopted)} blobs with no database row adopted as "
                f"records ({named} with their name and source restored)"
            )
        state = "ok" if report.ok else f"{sum(not p.fixed for p in report.problems)} problem(s)"
        hint = not report.ok and not repair and all(p.repairable for p in report.problems)
        typer.echo(
            f"{report.records} records, {report.blobs} blobs, {report.index_docs} index "
            f"documents: {state}" + (" (try --repair)" if hint else "")
        )
    if not report.ok:
        raise typer.Exit(1)


@archive_app.command("reindex")
def reindex() -> None:
    """Rebuild the search index from the database and the blobs."""
    with _archive() as archive:
        report = archive.reindex()
    for line in report.skipped:
        typer.echo(f"skipped: {line}", err=True)
    typer.echo(f"re-indexed {report.documents} result(s) in {report.seconds:.1f} s")


@archive_app.command("optimize")
def optimize(
    recompress: Annotated[
        bool, typer.Option("--recompress", help="Also re-encode stored blobs with it.")
    ] = False,
    samples: Annotated[int, typer.Option("--samples", min=20, help="Results to train on.")] = 2000,
) -> None:
    """Train a zstd dictionary on stored results (new blobs use it; old ones stay readable)."""
    with _archive() as archive:
        report = archive.optimize(recompress=recompress, samples=samples)
    typer.echo(
        f"dictionary {report.dict_id} ({report.dict_size} bytes, {report.samples} samples): "
        f"ratio {report.ratio_before:.1%} -> {report.ratio_after:.1%}"
        + (f"; recompressed {report.recompressed} blob(s)" if recompress else "")
    )


def register(app: typer.Typer) -> None:
    __import__("altlas.cli.archive_follow", fromlist=["register"]).register(archive_app)
    app.add_typer(archive_app, name="archive")
