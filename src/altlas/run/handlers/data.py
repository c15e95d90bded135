"""The ``data`` handler (polars): load, filter, select, sort, map, aggregate, describe, convert.

Input, first found: ``parameters.source`` (or ``path``/``file_path``: csv, json, ndjson or
parquet inside the workspace), ``parameters.input_data`` (a list of objects),
``parameters.input_from_dependency`` (a dependency's output), else the first dependency output
that holds rows or CSV/JSON text. polars is imported only when the handler runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from altlas.formats.plan import Task
from altlas.run.handlers.base import Handler, HandlerContext, PermanentError, file_stamp

if TYPE_CHECKING:
    import polars as pl

__all__ = ["DataHandler"]

OPERATIONS = (
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
FORMATS = {
    ".csv": "csv",
    ".json": "json",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
    ".parquet": "parquet",
}
_SOURCE_KEYS = ("source", "path", "file_path", "input")
_AGGS = ("sum", "mean", "min", "max", "count", "median", "n_unique", "std", "first", "last")
_OPS = {"eq", "ne", "gt", "ge", "lt", "le", "contains", "in"}


def _operation(task: Task, params: Mapping[str, Any]) -> str:
    op = params.get("operation")
    if isinstance(op, str) and op.strip():
        return op.strip().lower()
    if task.type == "analyze":
        return "describe"
    if task.type == "transform":
        return "convert"
    return "load"


def _source(params: Mapping[str, Any]) -> tuple[str, str] | None:
    for key in _SOURCE_KEYS:
        value = params.get(key)
        if isinstance(value, str) and Path(value).suffix.lower() in FORMATS:
            return key, value
    return None


class DataHandler(Handler):
    name = "data"
    description = (
        "tables with polars: load, filter, select, sort, map, aggregate, describe, convert"
    )

    def check(self, task: Task, params: Mapping[str, Any]) -> str | None:
        op = _operation(task, params)
        if op not in OPERATIONS:
            return f"operation '{op}' is not one of {', '.join(OPERATIONS)}"
        has_input = (
            _source(params) is not None
            or params.get("input_data") is not None
            or params.get("input_from_dependency") is not None
            # an analyze task fed only by dependencies is text more often than a table
            or (bool(task.dependencies) and task.type != "analyze")
        )
        if not has_input:
            return "needs parameters.source (a csv, json, ndjson or parquet file) or input_data"
        if op == "convert" and not (params.get("to") or params.get("format")):
            return "convert needs parameters.to (csv, json, ndjson or parquet)"
        return None

    def is_cacheable(self, params: Mapping[str, Any]) -> bool:
        return str(params.get("operation", "")).lower() != "convert"

    def cache_salt(self, params: Mapping[str, Any], workspace: Path) -> Any:
        src = _source(params)
        return file_stamp(workspace, src[1]) if src else None

    def describe(self, task: Task, params: Mapping[str, Any]) -> str:
        src = _source(params)
        return f"{_operation(task, params)} {src[1] if src else '(input data)'}"

    async def run(self, ctx: HandlerContext) -> Any:
        op = _operation(ctx.task, ctx.params)
        if op not in OPERATIONS:
            raise PermanentError(
                f"parameters.operation '{op}' is not one of {', '.join(OPERATIONS)}"
            )
        return await asyncio.to_thread(_run, ctx, op)


def _run(ctx: HandlerContext, op: str) -> dict[str, Any]:
    import polars as pl

    try:
        df, origin = _load(ctx)
        return _apply(ctx, op, df, origin)
    except pl.exceptions.PolarsError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise PermanentError(f"data {op}: {first}", error_type="DataError") from None


def _read_file(path: Path, fmt: str) -> pl.DataFrame:
    import polars as pl

    if fmt == "csv":
        return pl.read_csv(path)
    if fmt == "json":
        return pl.read_json(path)
    if fmt == "ndjson":
        return pl.read_ndjson(path)
    return pl.read_parquet(path)


def _from_text(text: str) -> pl.DataFrame:
    import io

    import orjson
    import polars as pl

    stripped = text.lstrip()
    if stripped.startswith(("[", "{")):
        try:
            data = orjson.loads(stripped)
        except orjson.JSONDecodeError:
            return pl.read_ndjson(io.BytesIO(text.encode()))
        return _from_value(data)
    return pl.read_csv(io.BytesIO(text.encode()))


def _from_value(value: Any) -> pl.DataFrame:
    import polars as pl

    if isinstance(value, list) and all(isinstance(r, Mapping) for r in value):
        return pl.from_dicts([dict(r) for r in value]) if value else pl.DataFrame()
    if isinstance(value, Mapping) and value and all(isinstance(v, list) for v in value.values()):
        return pl.DataFrame(dict(value))
    raise PermanentError("input data must be a list of objects or an object of columns")


def _from_output(output: Any) -> pl.DataFrame | None:
    if isinstance(output, list):
        return _from_value(output)
    if isinstance(output, Mapping):
        for key in ("rows", "filtered_data", "input_data"):
            if isinstance(output.get(key), list):
                return _from_value(output[key])
        for key in ("content", "text", "stdout", "body"):
            value = output.get(key)
            if isinstance(value, str) and value.strip():
                return _from_text(value)
    return None


def _load(ctx: HandlerContext) -> tuple[pl.DataFrame, str]:
    src = _source(ctx.params)
    if src is not None:
        key, raw = src
        path = ctx.path(raw, what=key)
        if not path.is_file():
            raise PermanentError(f"parameters.{key}: no such file {raw}", error_type="NotFound")
        fmt = str(ctx.params.get("input_format") or FORMATS[path.suffix.lower()])
        return _read_file(path, fmt), raw
    if ctx.params.get("input_data") is not None:
        data = ctx.params["input_data"]
        if isinstance(data, str):
            return _from_text(data), "parameters.input_data"
        return _from_value(data), "parameters.input_data"
    dep = ctx.params.get("input_from_dependency")
    if dep is not None:
        if dep not in ctx.inputs:
            raise PermanentError(
                f"parameters.input_from_dependency: '{dep}' is not a finished dependency "
                f"of this task (dependencies: {', '.join(ctx.inputs) or 'none'})",
            )
        found = _from_output(ctx.inputs[dep])
        if found is None:
            raise PermanentError(f"the output of '{dep}' holds no table")
        return found, f"task {dep}"
    for tid, output in ctx.inputs.items():
        found = _from_output(output)
        if found is not None:
            return found, f"task {tid}"
    raise PermanentError(
        "no input table: give parameters.source, input_data or a dependency that outputs rows",
        error_type="NoInput",
    )


def _col_list(value: Any, what: str) -> list[str]:
    if isinstance(value, str):
        return [c.strip() for c in value.split(",") if c.strip()]
    if isinstance(value, list) and all(isinstance(c, str) for c in value):
        return list(value)
    raise PermanentError(f"parameters.{what} must be a column name or a list of names")


def _condition(cond: Mapping[str, Any]) -> pl.Expr:
    import polars as pl

    column, op, value = cond.get("column"), str(cond.get("op", "eq")).lower(), cond.get("value")
    if not isinstance(column, str) or op not in _OPS:
        raise PermanentError(
            f"a filter condition needs a column and an op in {', '.join(sorted(_OPS))}"
        )
    col = pl.col(column)
    if op == "contains":
        return col.cast(pl.String).str.contains(str(value), literal=True)
    if op == "in":
        return col.is_in(value if isinstance(value, list) else [value])
    return {
        "eq": col == value,
        "ne": col != value,
        "gt": col > value,
        "ge": col >= value,
        "lt": col < value,
        "le": col <= value,
    }[op]


def _filter_expr(params: Mapping[str, Any]) -> pl.Expr:
    import polars as pl

    where = params.get("where", params.get("conditions"))
    if where is None and "filter_key" in params:
        where = {params["filter_key"]: params.get("filter_value")}
    if isinstance(where, str):
        return pl.sql_expr(where)
    if isinstance(where, Mapping) and "column" not in where:
        exprs = [pl.col(k) == v for k, v in where.items()]
    elif isinstance(where, Mapping):
        exprs = [_condition(where)]
    elif isinstance(where, list) and all(isinstance(c, Mapping) for c in where):
        exprs = [_condition(c) for c in where]
    else:
        raise PermanentError(
            "filter needs parameters.where (an SQL condition, {column: value} or conditions) "
            "or filter_key/filter_value"
        )
    if not exprs:
        raise PermanentError("parameters.where is empty")
    return pl.all_horizontal(exprs)


def _aggregations(params: Mapping[str, Any]) -> list[pl.Expr]:
    import polars as pl

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
            raise PermanentError(f"unknown aggregation '{fn}' (known: {', '.join(_AGGS)})")
        base = pl.len() if (fn == "count" and col == "*") else getattr(pl.col(col), fn)()
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
    import polars as pl

    p = ctx.params
    if op == "load":
        return _table_output(ctx, op, df, origin)
    if op == "filter":
        return _table_output(ctx, op, df.filter(_filter_expr(p)), origin)
    if op == "select":
        return _table_output(ctx, op, df.select(_col_list(p.get("columns"), "columns")), origin)
    if op == "sort":
        by = _col_list(p.get("by", p.get("columns")), "by")
        return _table_output(ctx, op, df.sort(by, descending=bool(p.get("descending"))), origin)
    if op == "map":
        spec = p.get("expressions", p.get("columns"))
        if not isinstance(spec, Mapping) or not spec:
            raise PermanentError("map needs parameters.expressions, e.g. {total: 'price * qty'}")
        exprs = [pl.sql_expr(str(e)).alias(str(n)) for n, e in spec.items()]
        return _table_output(ctx, op, df.with_columns(exprs), origin)
    if op in ("aggregate", "reduce"):
        group = p.get("group_by")
        aggs = _aggregations(p)
        if group and op == "aggregate":
            keys = _col_list(group, "group_by")
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
        raise PermanentError(f"parameters.to '{to}' is not one of csv, json, ndjson, parquet")
    ext = {"csv": ".csv", "json": ".json", "ndjson": ".ndjson", "parquet": ".parquet"}[fmt]
    dest = ctx.params.get("output") or ctx.params.get("destination")
    if not dest:
        src = _source(ctx.params)
        dest = str(Path(src[1]).with_suffix(ext)) if src else f"{ctx.task.id}{ext}"
    path = ctx.path(dest, what="output")
    if path.suffix.lower() != ext:
        raise PermanentError(f"parameters.output '{dest}' should end in {ext} for {fmt}")
    src = _source(ctx.params)
    if src is not None and ctx.path(src[1]) == path:
        raise PermanentError("parameters.output would overwrite the source file")
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        df.write_csv(path)
    elif fmt == "json":
        df.write_json(path)
    elif fmt == "ndjson":
        df.write_ndjson(path)
    else:
        df.write_parquet(path)
    ctx.add_artifact(path)
    return {
        "operation": "convert",
        "source": origin,
        "format": fmt,
        "path": str(dest),
        "row_count": df.height,
        "columns": df.columns,
        "size_bytes": path.stat().st_size,
    }
