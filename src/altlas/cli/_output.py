"""One output option set for every read and show command, and consoles that fit the stream.

``--format table|json|jsonl|csv|yaml``: each command offers the subset that makes sense for it
(rows: all five; one document: table, json and yaml). ``table`` is the human rendering (a rich
table or tree); ``text`` is still accepted for it, as earlier versions named it. A bad value is a
one-line usage error naming the choices.

Nothing heavy is imported here; ``altlas --help`` must stay fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import Any

import typer

__all__ = [
    "DOCUMENT",
    "ROWS",
    "Format",
    "console",
    "emit_document",
    "emit_json",
    "emit_yaml",
    "format_option",
    "parse_format",
]

_PIPE_WIDTH = 4096
"""Width of a console writing into a pipe or file: tables keep their natural width there."""


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"
    YAML = "yaml"


ROWS: tuple[Format, ...] = (Format.TABLE, Format.JSON, Format.JSONL, Format.CSV, Format.YAML)
DOCUMENT: tuple[Format, ...] = (Format.TABLE, Format.JSON, Format.YAML)
_ALIASES = {"text": Format.TABLE, "tree": Format.TABLE, "yml": Format.YAML, "ndjson": Format.JSONL}


def parse_format(value: Any, allowed: Sequence[Format] = ROWS) -> Format:
    """``value`` as one of ``allowed``; a BadParameter naming the choices otherwise."""
    if isinstance(value, Format) and value in allowed:
        return value
    text = str(getattr(value, "value", value)).strip().lower()
    found = _ALIASES.get(text) or next((f for f in Format if f.value == text), None)
    if found is None or found not in allowed:
        choices = ", ".join(f.value for f in allowed)
        raise typer.BadParameter(f"'{value}' is not one of {choices}")
    return found


def format_option(allowed: Sequence[Format] = ROWS, help: str | None = None) -> Any:
    """The ``--format/-f`` option restricted to ``allowed`` (use inside ``Annotated``)."""
    names = "|".join(f.value for f in allowed)
    return typer.Option(
        "--format",
        "-f",
        parser=lambda value: parse_format(value, allowed),
        metavar=names,
        autocompletion=lambda: [f.value for f in allowed],
        help=help or f"Output: {', '.join(f.value for f in allowed)}.",
    )


def _is_tty(stream: Any) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)())


def console(*, stderr: bool = False) -> Any:
    """A rich Console for stdout (or stderr) that wraps only on a terminal.

    Into a pipe or a file, rich would assume 80 columns and fold every table; there the
    width is wide enough that rows stay on one line, unless ``COLUMNS`` says otherwise.
    """
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    if _is_tty(stream) or os.environ.get("COLUMNS"):
        return Console(stderr=stderr, soft_wrap=False)
    return Console(stderr=stderr, width=_PIPE_WIDTH, soft_wrap=False, force_terminal=False)


def emit_json(data: Any, *, pretty: bool = True) -> None:
    import orjson

    option = orjson.OPT_INDENT_2 if pretty else 0
    sys.stdout.buffer.write(orjson.dumps(data, option=option | orjson.OPT_NON_STR_KEYS))
    sys.stdout.buffer.write(b"\n")
    sys.stdout.flush()


def emit_yaml(data: Any) -> None:
    from altlas.formats.codec import dump_yaml

    body = dump_yaml(data)
    sys.stdout.buffer.write(body if body.endswith(b"\n") else body + b"\n")
    sys.stdout.flush()


def emit_document(data: Any, fmt: Format, human: Callable[[], None]) -> None:
    """One document as JSON, one JSON line, YAML, or ``human()``'s rendering for ``table``."""
    if fmt is Format.JSON:
        emit_json(data)
    elif fmt is Format.JSONL:
        emit_json(data, pretty=False)
    elif fmt is Format.YAML:
        emit_yaml(data)
    else:
        human()
