"""What every command group shares: error mapping, usage errors as one line, and rows.

Nothing heavy is imported here; ``altlas --help`` must stay fast.
"""

from __future__ import annotations

import csv
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import typer
from typer._click.exceptions import UsageError
from typer.core import TyperGroup

from altlas.cli._output import console, emit_json, emit_yaml
from altlas.errors import (
    AltlasError,
    ConflictError,
    CorruptError,
    ExecutionError,
    InvalidInputError,
    MissingExtraError,
    NotAllowedError,
    NotFoundError,
    UnavailableError,
    ValidationError,
    lookup,
)

__all__ = [
    "EXIT_CODES",
    "AltlasGroup",
    "debug_enabled",
    "emit_json",
    "emit_rows",
    "exit_code_for",
    "fail",
    "is_tty",
    "usage_line",
]


EXIT_CODES: dict[type[BaseException], int] = {
    AltlasError: 1,
    ExecutionError: 1,
    InvalidInputError: 2,
    NotFoundError: 3,
    ConflictError: 4,
    NotAllowedError: 5,
    UnavailableError: 75,
    MissingExtraError: 69,
    CorruptError: 74,
}
"""Exit code per error group, the one table (docs/cli.md prints it).

2 is also click's usage error; 69, 74 and 75 are sysexits' EX_UNAVAILABLE, EX_IOERR and
EX_TEMPFAIL, so a script can tell "install something", "repair the store" and "try again" apart.
A bare AltlasError, which has no group, keeps the exit code 1 it always had.
"""


def exit_code_for(exc: AltlasError | type[AltlasError]) -> int:
    """The exit code for ``exc``: its most specific class in :data:`EXIT_CODES`."""
    code = lookup(EXIT_CODES, exc)
    return 1 if code is None else code


def debug_enabled() -> bool:
    return os.environ.get("ALTLAS_DEBUG", "").strip().lower() not in ("", "0", "false", "no")


def _print_error(exc: AltlasError) -> None:
    lines = exc.lines() if isinstance(exc, ValidationError) else [exc.one_line()]
    for line in lines:
        typer.echo(f"error: {line}", err=True)


def environment_error_line(exc: BaseException) -> str | None:
    """An OSError or SQLite error that escaped the library, as one line naming path and cause.

    The library turns the failures it expects into AltlasError; this is the net below it, so a
    full disk or a read-only home never ends in a traceback.
    """
    if isinstance(exc, OSError):
        import errno

        name = errno.errorcode.get(exc.errno or 0)
        cause = (exc.strerror or str(exc)) + (f" ({name})" if name else "")
        where = exc.filename or ""
        return f"{where}: {cause}" if where else cause
    sqlite3 = sys.modules.get("sqlite3")
    if sqlite3 is not None and isinstance(exc, sqlite3.Error):
        return f"database error: {exc}"
    return None


def usage_line(exc: UsageError) -> str:
    """A usage error as one line: what was wrong, and where the help is.

    Typer validates choices through pydantic, whose message starts "Value error, "; that
    prefix says nothing to a person and is dropped.
    """
    message = " ".join(exc.format_message().replace("Value error, ", "").split())
    path = exc.ctx.command_path if exc.ctx is not None else "altlas"
    return f"{message} (see '{path} --help')"


class AltlasGroup(TyperGroup):
    """The root group: turns AltlasError into one line per error and an exit code."""

    def invoke(self, ctx: Any) -> Any:  # typer vendors click; its Context type is private
        try:
            return super().invoke(ctx)
        except UsageError as exc:
            if debug_enabled():
                raise
            typer.echo(f"error: {usage_line(exc)}", err=True)
            raise typer.Exit(2) from None
        except AltlasError as exc:
            if debug_enabled():
                raise
            _print_error(exc)
            raise typer.Exit(exit_code_for(exc)) from None
        except KeyboardInterrupt:
            if debug_enabled():
                raise
            typer.echo("interrupted", err=True)
            raise typer.Exit(130) from None
        except Exception as exc:
            line = None if debug_enabled() else environment_error_line(exc)
            if line is None:
                raise
            typer.echo(f"error: {line}", err=True)
            raise typer.Exit(1) from None


def fail(message: str, code: int | type[AltlasError] = InvalidInputError) -> typer.Exit:
    """Print ``error: message`` and return an Exit to raise.

    ``code`` is best an error group, so the exit code comes from :data:`EXIT_CODES` like every
    other error's; the default is a mistake in what was given (exit 2).
    """
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code if isinstance(code, int) else exit_code_for(code))


def is_tty(stream: Any = None) -> bool:
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    return str(value)


def emit_rows(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    fmt: Any,
    *,
    title: str | None = None,
) -> int:
    """Write rows as a table, JSON array, JSON Lines, CSV or YAML; returns how many were written.

    ``fmt`` is an ``altlas.cli._output.Format`` or its value.
    JSON Lines and CSV stream row by row, so large listings never sit in memory. A table is
    folded to the terminal's width only on a terminal (see ``_output.console``).
    """
    import orjson

    kind = str(getattr(fmt, "value", fmt))
    out = sys.stdout
    count = 0
    if kind == "jsonl":
        for row in rows:
            out.buffer.write(orjson.dumps(dict(row), option=orjson.OPT_NON_STR_KEYS) + b"\n")
            count += 1
        out.flush()
        return count
    if kind == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_csv_cell(row.get(c)) for c in columns])
            count += 1
        return count
    materialised = [dict(r) for r in rows]
    if kind == "json":
        emit_json(materialised)
        return len(materialised)
    if kind == "yaml":
        emit_yaml(materialised)
        return len(materialised)
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=escape(title) if title else None, show_lines=False, header_style="bold")
    for col in columns:
        table.add_column(col)
    for row in materialised:
        table.add_row(*[escape(_cell(row.get(c))) for c in columns])
    console().print(table)
    return len(materialised)


def _csv_cell(value: Any) -> str:
    if isinstance(value, dict | list):
        import orjson

        return orjson.dumps(value).decode()
    return repr(value) if isinstance(value, float) else _cell(value)
