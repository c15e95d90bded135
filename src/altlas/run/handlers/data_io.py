"""Tables in and out for the ``data`` handler: workspace files, inline data, dependency rows.

Writing goes through :func:`altlas.run.handlers.base.write_workspace_file`, so every table a
plan writes follows the overwrite rule, is atomic and is never executable. polars is imported
only when a table is actually read or written.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from altlas.run.handlers.base import (
    HandlerContext,
    PermanentError,
    shown,
    write_workspace_file,
)

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "FORMATS",
    "WRITE_FORMATS",
    "csv_separator",
    "frame_bytes",
    "load_table",
    "source_param",
    "write_table",
]

FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".json": "json",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
    ".parquet": "parquet",
}
"""Suffixes the handler reads as tables, and their format."""
WRITE_FORMATS = {**FORMATS, ".txt": "text", ".md": "text"}
"""Suffixes a table can be written to; ``text`` is one value per line (or a text table)."""
_SOURCE_KEYS = ("source", "path", "file_path", "input")
_INFER_ROWS = 10_000


def source_param(params: Mapping[str, Any]) -> tuple[str, str] | None:
    """``(parameter name, value)`` of the first parameter that names a table file."""
    for key in _SOURCE_KEYS:
        value = params.get(key)
        if isinstance(value, str) and PurePosixPath(value).suffix.lower() in FORMATS:
            return key, value
    return None


def read_file(path: Path, fmt: str) -> pl.DataFrame:
    import polars as pl

    if fmt in ("csv", "tsv"):
        return pl.read_csv(path, infer_schema_length=_INFER_ROWS, separator=csv_separator(path))
    if fmt == "json":
        return pl.read_json(path, infer_schema_length=_INFER_ROWS)
    if fmt == "ndjson":
        return pl.read_ndjson(path, infer_schema_length=_INFER_ROWS)
    return pl.read_parquet(path)


def csv_separator(path: Path) -> str:
    """A CSV file's delimiter, sniffed from its header line: , ; tab or | (default ,)."""
    try:
        with path.open(encoding="utf-8-sig", errors="replace") as fh:
            header = fh.readline()
    except OSError:
        return ","
    counts = {sep: header.count(sep) for sep in (",", ";", "\t", "|")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _from_text(text: str) -> pl.DataFrame:
    import orjson
    import polars as pl

    stripped = text.lstrip()
    if stripped.startswith(("[", "{")):
        try:
            data = orjson.loads(stripped)
        except orjson.JSONDecodeError:
            return pl.read_ndjson(io.BytesIO(text.encode()), infer_schema_length=_INFER_ROWS)
        return from_value(data)
    return pl.read_csv(io.BytesIO(text.encode()), infer_schema_length=_INFER_ROWS)


def from_value(value: Any) -> pl.DataFrame:
    """A table from a list of objects or an object of columns."""
    import polars as pl

    if isinstance(value, list) and all(isinstance(r, Mapping) for r in value):
        if not value:
            return pl.DataFrame()
        return pl.from_dicts([dict(r) for r in value], infer_schema_length=None)
    if isinstance(value, Mapping) and value and all(isinstance(v, list) for v in value.values()):
        return pl.DataFrame(dict(value))
    raise PermanentError("input data must be a list of objects or an object of columns")


def _from_output(output: Any, origin: str) -> pl.DataFrame | None:
    if isinstance(output, list):
        return from_value(output)
    if isinstance(output, Mapping):
        for key in ("rows", "filtered_data", "input_data"):
            if isinstance(output.get(key), list):
                if output.get("truncated") is True:
                    # a partial table would give a wrong answer that looks right
                    raise PermanentError(
                        f"the output of {origin} holds only the first {len(output[key])} of "
                        f"{output.get('row_count', 'its')} rows; write it to a file and read that",
                        error_type="TruncatedInput",
                    )
                return from_value(output[key])
        for key in ("content", "text", "stdout", "body"):
            value = output.get(key)
            if isinstance(value, str) and value.strip():
                return _from_text(value)
    return None


def load_table(ctx: HandlerContext) -> tuple[pl.DataFrame, str]:
    """The input table and where it came from (a file, inline data or a dependency)."""
    src = source_param(ctx.params)
    if src is not None:
        key, raw = src
        path = ctx.path(raw, what=key)
        if not path.is_file():
            raise PermanentError(f"parameters.{key}: no such file {raw}", error_type="NotFound")
        fmt = str(ctx.params.get("input_format") or FORMATS[path.suffix.lower()])
        return read_file(path, fmt), raw
    if ctx.params.get("input_data") is not None:
        data = ctx.params["input_data"]
        if isinstance(data, str):
            return _from_text(data), "parameters.input_data"
        return from_value(data), "parameters.input_data"
    dep = ctx.params.get("input_from_dependency")
    if dep is not None:
        if dep not in ctx.inputs:
            raise PermanentError(
                f"parameters.input_from_dependency: '{dep}' is not a finished dependency "
                f"of this task (dependencies: {', '.join(ctx.inputs) or 'none'})",
            )
        found = _from_output(ctx.inputs[dep], f"task {dep}")
        if found is None:
            raise PermanentError(f"the output of '{dep}' holds no table")
        return found, f"task {dep}"
    for tid, output in ctx.inputs.items():
        found = _from_output(output, f"task {tid}")
        if found is not None:
            return found, f"task {tid}"
    raise PermanentError(
        "no input table: give parameters.source, input_data or a dependency that outputs rows",
        error_type="NoInput",
    )


def _text_lines(df: pl.DataFrame) -> bytes:
    from altlas.run.handlers.data_answer import format_value, text_table

    if df.width == 1:
        lines = [format_value(v) for v in df.to_series().to_list()]
        return ("\n".join(lines) + "\n").encode() if lines else b""
    return (text_table(df.columns, df.rows()) + "\n").encode()


def _tidy_floats(df: pl.DataFrame) -> pl.DataFrame:
    """Float columns rounded to 9 decimals: a sum of prices is written 416.05, not the
    binary-noise 416.04999999999995 (no table value needs more digits)."""
    import polars as pl

    floats = [name for name, dtype in df.schema.items() if dtype in (pl.Float32, pl.Float64)]
    return df.with_columns(pl.col(floats).round(9)) if floats else df


def frame_bytes(df: pl.DataFrame, fmt: str) -> bytes:
    """``df`` serialised as ``fmt``; JSON is a list of records."""
    df = _tidy_floats(df)
    if fmt == "text":
        return _text_lines(df)
    buffer = io.BytesIO()
    if fmt in ("csv", "tsv"):
        df.write_csv(buffer, separator="\t" if fmt == "tsv" else ",")
    elif fmt == "json":
        buffer.write(_json_records(df))
    elif fmt == "ndjson":
        df.write_ndjson(buffer)
    else:
        df.write_parquet(buffer)
    return buffer.getvalue()


def _json_records(df: pl.DataFrame) -> bytes:
    import orjson

    return orjson.dumps(df.to_dicts(), option=orjson.OPT_INDENT_2, default=str) + b"\n"


def write_table(ctx: HandlerContext, df: pl.DataFrame, dest: str, *, what: str) -> Path:
    """Write ``df`` to workspace file ``dest`` (format from its suffix) under the overwrite rule."""
    suffix = PurePosixPath(dest).suffix.lower()
    fmt = WRITE_FORMATS.get(suffix)
    if fmt is None:
        known = ", ".join(sorted(WRITE_FORMATS))
        raise PermanentError(f"parameters.{what} '{shown(dest)}' should end in one of {known}")
    overwrite = ctx.params.get("overwrite") is True
    return write_workspace_file(ctx, dest, frame_bytes(df, fmt), overwrite)
