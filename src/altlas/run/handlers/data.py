"""The ``data`` handler (polars): query, load, filter, select, sort, map, aggregate, describe,
convert.

Input, first found: ``parameters.source`` (or ``path``/``file_path``: csv, json, ndjson or
parquet inside the workspace), ``parameters.input_data`` (a list of objects),
``parameters.input_from_dependency`` (a dependency's output), else the first dependency output
that holds rows or CSV/JSON text. polars is imported only when the handler runs.
Expressions (``where``, ``expressions``) are the language of :mod:`altlas.run.expr`, never SQL;
``query`` lives in :mod:`.data_query`, reading and writing in :mod:`.data_io`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from altlas.formats.plan import Task
from altlas.run.handlers.base import (
    Handler,
    HandlerContext,
    PermanentError,
    file_stamp,
    shown,
    unknown_operation,
)
from altlas.run.handlers.data_io import FORMATS, load_table, source_param, write_table

if TYPE_CHECKING:
    import polars as pl

__all__ = ["FORMATS", "DataHandler"]

OPERATIONS = (
    "query",
    "load",
    "filter",
    "select",
    "sort",
    "map",
    "aggregate",
    "reduce",
    "describe",
    "convert",
)
_AGGS = ("sum", "mean", "min", "max", "count", "median", "n_unique", "std", "first", "last")
_WRITES = ("convert", "query")


def _operation(task: Task, params: Mapping[str, Any]) -> str:
    op = params.get("operation")
    if isinstance(op, str) and op.strip():
        return op.strip().lower()
    if task.type == "analyze":
        return "describe"
    if task.type == "transform":
        return "convert"
    return "load"


class DataHandler(Handler):
    name = "data"
    description = (
        "tables with polars: query (filter, derive, group, sort, limit, select, distinct), "
        "load, filter, select, sort, map, aggregate, describe, convert"
    )
    version = "2"

    def check(self, task: Task, params: Mapping[str, Any]) -> str | None:
        op = _operation(task, params)
        refused = unknown_operation(op, OPERATIONS)
        if refused is not None:
            return refused
        has_input = (
            source_param(params) is not None
            or params.get("input_data") is not None
            or params.get("input_from_dependency") is not None
            # an analyze task fed only by dependencies is text more often than a table
            or (bool(task.dependencies) and task.type != "analyze")
        )
        if not has_input:
            return "needs parameters.source (a table file: csv, tsv, json, parquet) or input_data"
        if op == "convert" and not (params.get("to") or params.get("format")):
            return "convert needs parameters.to (csv, json, ndjson or parquet)"
        return None

    def is_cacheable(self, params: Mapping[str, Any]) -> bool:
        op = str(params.get("operation", "")).lower()
        return op != "convert" and not (op == "query" and params.get("output"))

    def cache_salt(self, params: Mapping[str, Any], workspace: Path) -> Any:
        src = source_param(params)
        return file_stamp(workspace, src[1]) if src else None

    def describe(self, task: Task, params: Mapping[str, Any]) -> str:
        src = source_param(params)
        return f"{_operation(task, params)} {src[1] if src else '(input data)'}"

    async def run(self, ctx: HandlerContext) -> Any:
        op = _operation(ctx.task, ctx.params)
        refused = unknown_operation(op, OPERATIONS)
        if refused is not None:
            raise PermanentError(f"parameters.{refused}")
        return await asyncio.to_thread(_run, ctx, op)


def _run(ctx: HandlerContext, op: str) -> dict[str, Any]:
    import polars as pl

    try:
        df, origin = load_table(ctx)
        if op == "query":
            from altlas.run.handlers.data_query import run_query

            return run_query(ctx, df, origin)
        return _apply(ctx, op, df, origin)
    except (pl.exceptions.PolarsError, TypeError, ValueError, OverflowError) as exc:
        # polars raises plain TypeError/ValueError too when a column and a value disagree
        raise PermanentError(f"data {op}: {_first_line(exc)}", error_type="DataError") from None


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _col_list(value: Any, df: pl.DataFrame, what: str) -> list[str]:
    from altlas.run.columns import resolve_column

    if isinstance(value, str):
        value = [c.strip() for c in value.split(",") if c.strip()]
    if isinstance(value, list) and value and all(isinstance(c, str) for c in value):
        return [resolve_column(c, df.columns) for c in value]
    raise PermanentError(f"parameters.{what} must be a column name or a list of names")


def _filter_expr(params: Mapping[str, Any], df: pl.DataFrame) -> pl.Expr:
    from altlas.run.handlers.data_query import condition_filter

    where = params.get("where", params.get("conditions"))
    if where is None and "filter_key" in params:
        where = {params["filter_key"]: params.get("filter_value")}
    if where is None:
        raise PermanentError(
            "filter needs parameters.where (an expression, {column: value} or conditions) "
            "or filter_key/filter_value"
        )
    field = "parameters.where" if "where" in params else "parameters.conditions"
    return condition_filter(where, df, field)


def _map_exprs(params: Mapping[str, Any], df: pl.DataFrame) -> list[pl.Expr]:
    from altlas.run.expr import compile_expr

    spec = params.get("expressions", params.get("columns"))
    if not isinstance(spec, Mapping) or not spec:
        raise PermanentError("map needs parameters.expressions, e.g. {total: 'price * qty'}")
    return [
        compile_expr(str(e), df.schema, what=f"parameters.expressions.{n}").alias(str(n))
        for n, e in spec.items()
    ]


def _aggregations(params: Mapping[str, Any], df: pl.DataFrame) -> list[pl.Expr]:
    import polars as pl

    from altlas.run.columns import resolve_column

    spec = params.get("aggregations", params.get("agg"))
    items: list[tuple[str, str, str | None]] = []
    if isinstance(spec, Mapping):
        for col, fn in spec.items():
            for one in fn if isinstance(fn, list) else [fn]:
                items.append((str(col), str(one), None))
    elif isinstance(spec, list):
        for entry in spec:
            if not isinstance(entry, Mapping):
                raise PermanentError("each aggregation must be {column, func, as}")
            items.append((str(entry.get("column")), str(entry.get("func")), entry.get("as")))
    else:
        raise PermanentError("aggregate needs parameters.aggregations, e.g. {price: sum}")
    exprs = []
    for col, fn, alias in items:
        if fn not in _AGGS:
            raise PermanentError(f"unknown aggregation '{shown(fn)}' (known: {', '.join(_AGGS)})")
        if fn == "count" and col == "*":
            base = pl.len()
        else:
            base = getattr(pl.col(resolve_column(col, df.columns)), fn)()
        exprs.append(base.alias(alias or f"{col}_{fn}"))
    return exprs


def _table_output(ctx: HandlerContext, op: str, df: pl.DataFrame, origin: str) -> dict[str, Any]:
    limit = int(ctx.params.get("limit") or ctx.config.max_output_rows)
    limit = min(limit, ctx.config.max_output_rows)
    rows = df.head(limit).to_dicts()
    out = {
        "operation": op,
        "source": origin,
        "columns": df.columns,
        "dtypes": {name: str(dtype) for name, dtype in df.schema.items()},
        "row_count": df.height,
        "rows": rows,
        "truncated": df.height > limit,
    }
    if "filter_key" in ctx.params and op == "filter":
        # the original runner's output shape for data_processing/filter
        out["filtered_data"] = out.pop("rows")
        out["filter_key"] = ctx.params["filter_key"]
        out["filter_value"] = ctx.params.get("filter_value")
        out["result_count"] = df.height
    return out


def _apply(ctx: HandlerContext, op: str, df: pl.DataFrame, origin: str) -> dict[str, Any]:
    p = ctx.params
    if op == "load":
        return _table_output(ctx, op, df, origin)
    if op == "filter":
        return _table_output(ctx, op, df.filter(_filter_expr(p, df)), origin)
    if op == "select":
        return _table_output(ctx, op, df.select(_col_list(p.get("columns"), df, "columns")), origin)
    if op == "sort":
        by = _col_list(p.get("by", p.get("columns")), df, "by")
        return _table_output(ctx, op, df.sort(by, descending=bool(p.get("descending"))), origin)
    if op == "map":
        return _table_output(ctx, op, df.with_columns(_map_exprs(p, df)), origin)
    if op in ("aggregate", "reduce"):
        group = p.get("group_by")
        aggs = _aggregations(p, df)
        if group and op == "aggregate":
            keys = _col_list(group, df, "group_by")
            grouped = df.group_by(keys, maintain_order=True).agg(aggs).sort(keys)
        else:
            grouped = df.select(aggs)
        return _table_output(ctx, op, grouped, origin)
    if op == "describe":
        desc = df.describe()
        out = _table_output(ctx, op, desc, origin)
        out["row_count"] = df.height
        out["columns"] = df.columns
        out["dtypes"] = {name: str(dtype) for name, dtype in df.schema.items()}
        out["text"] = f"{df.height} rows x {df.width} columns\n{desc}"
        return out
    return _convert(ctx, df, origin)


def _convert(ctx: HandlerContext, df: pl.DataFrame, origin: str) -> dict[str, Any]:
    to = str(ctx.params.get("to") or ctx.params.get("format") or "").lower().lstrip(".")
    fmt = FORMATS.get(f".{to}")
    if fmt is None:
        raise PermanentError(
            f"parameters.to '{shown(to)}' is not one of csv, tsv, json, ndjson, parquet"
        )
    ext = f".{fmt}"
    dest = ctx.params.get("output") or ctx.params.get("destination")
    if not dest:
        src = source_param(ctx.params)
        dest = str(Path(src[1]).with_suffix(ext)) if src else f"{ctx.task.id}{ext}"
    if FORMATS.get(Path(str(dest)).suffix.lower()) != fmt:
        raise PermanentError(f"parameters.output '{shown(dest)}' should end in {ext} for {fmt}")
    path = write_table(ctx, df, str(dest), what="output")
    return {
        "operation": "convert",
        "source": origin,
        "format": fmt,
        "path": str(dest),
        "written": str(dest),
        "row_count": df.height,
        "columns": df.columns,
        "size_bytes": path.stat().st_size,
        "answer": f"Wrote {df.height} row{'s' if df.height != 1 else ''} to {dest}",
    }
