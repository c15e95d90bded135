"""``altlas validate``, ``convert``, ``schema`` and ``inspect``: the file-format commands."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from altlas.cli._common import emit_json, is_tty
from altlas.cli._output import DOCUMENT, Format, console, emit_document, format_option

if TYPE_CHECKING:
    from altlas.formats.limits import ReadLimits

__all__ = ["register"]


def _read_limits() -> ReadLimits:
    """The ``[formats]`` limits of this home's settings (config file and environment)."""
    from altlas.config import load_settings
    from altlas.formats.limits import ReadLimits

    return ReadLimits.from_settings(load_settings())


class ConvertTarget(StrEnum):
    CANONICAL = "canonical"
    SEGMENTATION_V1 = "segmentation-v1"
    RUNNER = "runner"
    JSON = "json"
    YAML = "yaml"


class SchemaKind(StrEnum):
    ALT = "alt"
    LAST = "last"
    ATLAS = "atlas"


def validate(
    files: Annotated[list[Path], typer.Argument(help="Files to check (.alt, .last, .atlas).")],
    fmt: Annotated[
        Format,
        format_option(
            (Format.TABLE, Format.JSON), help="table: one line per error; json: one report."
        ),
    ] = Format.TABLE,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Treat warnings as errors."),
    ] = False,
) -> None:
    """Check files against their format: every error, one line each. Exit 1 if any is invalid."""
    from altlas.formats.io import check

    limits = _read_limits()
    reports = [check(path, limits=limits) for path in files]
    failed = 0
    out: list[dict[str, Any]] = []
    for path, report in zip(files, reports, strict=True):
        errors = [d for d in report.diagnostics if d.severity == "error"]
        warnings = [d for d in report.diagnostics if d.severity != "error"]
        ok = report.ok and not (strict and warnings)
        failed += not ok
        loaded = report.loaded
        if fmt is Format.JSON:
            out.append(
                {
                    "file": str(path),
                    "valid": ok,
                    "kind": loaded.kind if loaded else None,
                    "dialect": loaded.dialect if loaded else None,
                    "container": loaded.container if loaded else None,
                    "errors": [d.as_dict() for d in errors],
                    "warnings": [d.as_dict() for d in warnings],
                },
            )
            continue
        for diag in report.diagnostics:
            typer.echo(diag.render(str(path)), err=diag.severity == "error")
        if loaded is not None and ok:
            typer.echo(f"{path}: ok ({loaded.kind}, {loaded.dialect}, {loaded.container})")
    if fmt is Format.JSON:
        emit_json({"valid": failed == 0, "files": out})
    raise typer.Exit(1 if failed else 0)


def convert(
    source: Annotated[Path, typer.Argument(help="A plan, result or atlas in any dialect.")],
    to: Annotated[
        ConvertTarget,
        typer.Option("--to", "-t", help="Target dialect or syntax."),
    ] = ConvertTarget.CANONICAL,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Write here (atomic); stdout if omitted."),
    ] = None,
    compact: Annotated[bool, typer.Option("--compact", help="Compact JSON.")] = False,
) -> None:
    """Convert a document between dialects; nothing is lost (extras go into metadata).

    Output syntax and compression follow the -o name (.yaml, .json, .zst, .gz).
    """
    from altlas.formats import io

    loaded = io.read(source, limits=_read_limits())
    target = to.value
    dialect = {"segmentation-v1": "segmentation-v1", "runner": f"runner-{loaded.kind}"}.get(
        target,
        "canonical",
    )
    syntax: Literal["json", "yaml"] | None = (
        "yaml" if target == "yaml" else ("json" if target == "json" else None)
    )
    if output is not None:
        io.write(loaded.document, output, dialect=dialect, syntax=syntax, pretty=not compact)
        typer.echo(f"wrote {output}", err=True)
        return
    body = io.to_bytes(loaded.document, dialect=dialect, syntax=syntax, pretty=not compact)
    sys.stdout.buffer.write(body if body.endswith(b"\n") else body + b"\n")


def schema(
    kind: Annotated[SchemaKind, typer.Argument(help="alt, last or atlas.")],
) -> None:
    """Print the JSON Schema of a canonical format."""
    from altlas.formats.schema import json_schema

    emit_json(json_schema(kind.value))


def inspect(
    file: Annotated[Path, typer.Argument(help="A plan, result or atlas.")],
    fmt: Annotated[Format, format_option(DOCUMENT)] = Format.TABLE,
    full: Annotated[
        bool,
        typer.Option(
            "--full", help="Every output in full: rows as tables, markdown rendered, JSON indented."
        ),
    ] = False,
) -> None:
    """Show a document: a tree (table), or the canonical JSON/YAML."""
    from altlas.formats import io

    loaded = io.read(file, limits=_read_limits())
    if fmt is Format.YAML:
        sys.stdout.buffer.write(io.to_bytes(loaded.document, syntax="yaml"))
        return

    def tree() -> None:
        from altlas.formats.render import tree_for

        # Off a terminal markdown stays as its source: rendered, it would be padded and ruled.
        console().print(tree_for(loaded, full=full, markdown=is_tty()))

    emit_document(io.to_data(loaded.document) if fmt is Format.JSON else None, fmt, tree)


def register(app: typer.Typer) -> None:
    app.command()(validate)
    app.command()(convert)
    app.command()(schema)
    app.command()(inspect)
