"""The answer text of a data query: the number, ``North 129, South 128``, or a small text table.

Numbers read the way a person writes them: whole numbers without ``.0``, other floats rounded
to cents (``1893.75``), small fractions to four significant digits.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import polars as pl

__all__ = ["ANSWER_HINTS", "answer_text", "format_value", "text_table"]

ANSWER_HINTS = ("table", "count", "value", "first_row")
SMALL_TABLE = 20


def format_value(value: Any) -> str:
    """One cell as a person would write it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _format_float(value)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    return str(value)


def _format_float(value: float) -> str:
    if not math.isfinite(value):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if abs(value) >= 1:
        text = f"{round(value, 2):.2f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    return f"{value:.4g}"


def text_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A compact aligned table: a header line, then one line per row."""
    cells = [list(columns), *[[format_value(v) for v in row] for row in rows]]
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in cells
    )


def _pairs(df: pl.DataFrame) -> str:
    return ", ".join(f"{format_value(k)} {format_value(v)}" for k, v in df.rows())


def _row(df: pl.DataFrame) -> str:
    row = df.row(0)
    if df.width == 1:
        return format_value(row[0])
    if df.width == 2:
        return f"{format_value(row[0])} {format_value(row[1])}"
    return ", ".join(f"{c} {format_value(v)}" for c, v in zip(df.columns, row, strict=True))


def _table(df: pl.DataFrame) -> str:
    if df.height == 0:
        return "no rows"
    if df.shape == (1, 1):
        return format_value(df.item())
    if df.height <= SMALL_TABLE:
        if df.width == 2:
            return _pairs(df)
        if df.width == 1:
            return ", ".join(format_value(v) for v in df.to_series().to_list())
        return text_table(df.columns, df.rows())
    shown = text_table(df.columns, df.head(SMALL_TABLE).rows())
    return f"{shown}\n… ({df.height} rows in all)"


def answer_text(df: pl.DataFrame, hint: str | None, written: str | None) -> str:
    """What the person reads: the answer the hint asks for, and the file written, if any."""
    if hint == "count":
        body = str(df.height)
    elif hint in ("value", "first_row"):
        body = _row(df) if df.height else "no rows"
    elif hint == "table" or written is None:
        body = _table(df)
    else:
        body = ""
    if written is None:
        return body
    rows = f"{df.height} row{'s' if df.height != 1 else ''}"
    if not body:
        return f"Wrote {rows} to {written}"
    if "\n" in body:
        return f"{body}\nWrote {rows} to {written}"
    return f"{body}; wrote {rows} to {written}"
