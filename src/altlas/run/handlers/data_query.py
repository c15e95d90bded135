"""The ``query`` operation of the data handler: ordered steps over one table.

Steps: ``filter`` (an expression or structured conditions), ``derive``, ``group`` (with
aggregates), ``sort``, ``limit``, ``select``, ``distinct``. Column words are resolved against
the table as it stands at that step (so a derived column can be grouped by), and every error
names the step (``parameters.steps[2].by[0]``). Expressions go through
:mod:`altlas.run.expr`, never SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from altlas.run.columns import ColumnError, resolve_column, shown
from altlas.run.expr import compile_expr
from altlas.run.handlers.base import HandlerContext, PermanentError
from altlas.run.handlers.data_answer import ANSWER_HINTS, answer_text
from altlas.run.handlers.data_io import write_table

if TYPE_CHECKING:
    import polars as pl

__all__ = ["AGGREGATES", "STEPS", "condition_filter", "run_query"]

AGGREGATES = ("sum", "mean", "min", "max", "count", "median", "n_unique")
_CONDITION_OPS = ("eq", "ne", "gt", "ge", "lt", "le", "contains", "in")


def _column(word: Any, df: pl.DataFrame, where: str) -> str:
    if not isinstance(word, str):
        raise PermanentError(f"{where} must be a column name, not {shown(repr(word))}")
    try:
        return resolve_column(word, df.columns)
    except ColumnError as exc:
        raise ColumnError(f"{where}: {exc.message}") from None


def _columns(value: Any, df: pl.DataFrame, where: str) -> list[str]:
    if isinstance(value, str):
        value = [c.strip() for c in value.split(",") if c.strip()]
    if not isinstance(value, list) or not value:
        raise PermanentError(f"{where} must be a column name or a non-empty list of names")
    return [_column(word, df, f"{where}[{i}]") for i, word in enumerate(value)]


def _condition(cond: Mapping[str, Any], df: pl.DataFrame, where: str) -> pl.Expr:
    import polars as pl

    op = str(cond.get("op", "eq")).lower()
    if op not in _CONDITION_OPS:
        raise PermanentError(f"{where}.op '{shown(op)}' is not one of {', '.join(_CONDITION_OPS)}")
    col = pl.col(_column(cond.get("column"), df, f"{where}.column"))
    value = cond.get("value")
    if op == "contains":
        return col.cast(pl.String).str.contains(str(value), literal=True)
    if op == "in":
        return col.is_in(value if isinstance(value, list) else [value])
    compare: dict[str, Callable[[pl.Expr], pl.Expr]] = {
        "eq": lambda c: c == value if value is not None else c.is_null(),
        "ne": lambda c: c != value if value is not None else c.is_not_null(),
        "gt": lambda c: c > value,
        "ge": lambda c: c >= value,
        "lt": lambda c: c < value,
        "le": lambda c: c <= value,
    }
    return compare[op](col)


def condition_filter(where: Any, df: pl.DataFrame, field: str) -> pl.Expr:
    """A filter from an expression, ``{column: value}``, one condition or a list of them."""
    import polars as pl

    if isinstance(where, str):
        return compile_expr(where, df.schema, what=field)
    if isinstance(where, Mapping) and "column" in where:
        exprs = [_condition(where, df, field)]
    elif isinstance(where, Mapping):
        exprs = [
            pl.col(_column(k, df, f"{field}.{k}")) == v
            if v is not None
            else pl.col(_column(k, df, f"{field}.{k}")).is_null()
            for k, v in where.items()
        ]
    elif isinstance(where, list) and all(isinstance(c, Mapping) for c in where):
        exprs = [_condition(c, df, f"{field}[{i}]") for i, c in enumerate(where)]
    else:
        raise PermanentError(
            f"{field} must be an expression, {{column: value}} or a list of "
            "{column, op, value} conditions"
        )
    if not exprs:
        raise PermanentError(f"{field} is empty")
    return pl.all_horizontal(exprs)


def _filter(df: pl.DataFrame, step: Mapping[str, Any], at: str) -> pl.DataFrame:
    where = step.get("where", step.get("conditions"))
    if where is None:
        raise PermanentError(f"{at}.where is required for a filter step")
    return df.filter(condition_filter(where, df, f"{at}.where"))


def _derive(df: pl.DataFrame, step: Mapping[str, Any], at: str) -> pl.DataFrame:
    name, text = step.get("column", step.get("as")), step.get("expr")
    if not isinstance(name, str) or not name.strip():
        raise PermanentError(f"{at}.column must name the new column")
    if not isinstance(text, str):
        raise PermanentError(f"{at}.expr must be an expression such as `units` * `price`")
    return df.with_columns(compile_expr(text, df.schema, what=f"{at}.expr").alias(name.strip()))


def _aggregate(spec: Any, df: pl.DataFrame, at: str) -> pl.Expr:
    import polars as pl

    if isinstance(spec, str):
        spec = {"fn": spec}
    if not isinstance(spec, Mapping):
        raise PermanentError(f"{at} must be {{fn, column, as}}")
    fn = str(spec.get("fn", spec.get("func", ""))).lower()
    if fn not in AGGREGATES:
        raise PermanentError(f"{at}.fn '{shown(fn)}' is not one of {', '.join(AGGREGATES)}")
    word = spec.get("column")
    alias = spec.get("as")
    if word in (None, "", "*"):
        if fn != "count":
            raise PermanentError(f"{at}.column is required for {fn}")
        return pl.len().alias(str(alias or "count"))
    column = _column(word, df, f"{at}.column")
    expr = pl.col(column).count() if fn == "count" else getattr(pl.col(column), fn)()
    return expr.alias(str(alias or column))


def _group(df: pl.DataFrame, step: Mapping[str, Any], at: str) -> pl.DataFrame:
    by_value = step.get("by") or []
    keys = _columns(by_value, df, f"{at}.by") if by_value else []
    specs = step.get("aggregate", step.get("aggregations"))
    if specs is None:
        specs = [{"fn": "count", "as": "count"}]
    if isinstance(specs, Mapping | str):
        specs = [specs]
    if not isinstance(specs, list) or not specs:
        raise PermanentError(f"{at}.aggregate must be a list of {{fn, column, as}}")
    aggs = [_aggregate(s, df, f"{at}.aggregate[{i}]") for i, s in enumerate(specs)]
    names = [a.meta.output_name() for a in aggs]
    clash = sorted({n for n in names if names.count(n) > 1 or n in keys})
    if clash:
        raise PermanentError(f"{at}.aggregate: the result would have two columns named {clash[0]}")
    if not keys:
        return df.select(aggs)
    return df.group_by(keys, maintain_order=True).agg(aggs).sort(keys, nulls_last=True)


def _sort(df: pl.DataFrame, step: Mapping[str, Any], at: str) -> pl.DataFrame:
    by = step.get("by", step.get("columns"))
    if isinstance(by, str | Mapping):
        by = [by]
    if not isinstance(by, list) or not by:
        raise PermanentError(f"{at}.by must list the columns to sort by")
    default_desc = bool(step.get("desc", step.get("descending", False)))
    columns: list[str] = []
    descending: list[bool] = []
    for i, item in enumerate(by):
        if isinstance(item, Mapping):
            columns.append(_column(item.get("column"), df, f"{at}.by[{i}].column"))
            descending.append(bool(item.get("desc", item.get("descending", default_desc))))
        else:
            columns.append(_column(item, df, f"{at}.by[{i}]"))
            descending.append(default_desc)
    return df.sort(columns, descending=descending, nulls_last=True, maintain_order=True)


def _limit(df: pl.DataFrame, step: Mapping[str, Any], at: str) -> pl.DataFrame:
    n = step.get("n", step.get("count"))
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise PermanentError(f"{at}.n must be a whole number of rows, 0 or more")
    return df.head(n)


def _select(df: pl.DataFrame, step: Mapping[str, Any], at: str) -> pl.DataFrame:
    return df.select(_columns(step.get("columns"), df, f"{at}.columns"))


def _distinct(df: pl.DataFrame, step: Mapping[str, Any], at: str) -> pl.DataFrame:
    columns = step.get("columns")
    subset = _columns(columns, df, f"{at}.columns") if columns else None
    return df.unique(subset=subset, keep="first", maintain_order=True)


STEPS: dict[str, Callable[[pl.DataFrame, Mapping[str, Any], str], pl.DataFrame]] = {
    "filter": _filter,
    "derive": _derive,
    "group": _group,
    "sort": _sort,
    "limit": _limit,
    "select": _select,
    "distinct": _distinct,
}


def apply_steps(df: pl.DataFrame, steps: Any) -> pl.DataFrame:
    """``df`` after each step in order."""
    if steps is None:
        return df
    if not isinstance(steps, list):
        raise PermanentError("parameters.steps must be a list of {op: ...} mappings")
    for i, step in enumerate(steps):
        at = f"parameters.steps[{i}]"
        if not isinstance(step, Mapping):
            raise PermanentError(f"{at} must be a mapping with an 'op'")
        op = str(step.get("op", "")).lower()
        if op not in STEPS:
            raise PermanentError(f"{at}.op '{shown(op)}' is not one of {', '.join(STEPS)}")
        df = STEPS[op](df, step, at)
    return df


def run_query(ctx: HandlerContext, df: pl.DataFrame, origin: str) -> dict[str, Any]:
    """The query's output: columns, rows (up to the row limit), count, written file, answer."""
    hint = ctx.params.get("answer")
    if hint is not None and hint not in ANSWER_HINTS:
        raise PermanentError(
            f"parameters.answer '{shown(hint)}' is not one of {', '.join(ANSWER_HINTS)}"
        )
    result = apply_steps(df, ctx.params.get("steps"))
    dest = ctx.params.get("output")
    written: str | None = None
    if dest is not None:
        if not isinstance(dest, str) or not dest.strip():
            raise PermanentError("parameters.output must be a workspace path")
        write_table(ctx, result, dest, what="output")
        written = dest
    limit = ctx.config.max_output_rows
    out: dict[str, Any] = {
        "operation": "query",
        "source": origin,
        "columns": result.columns,
        "rows": result.head(limit).to_dicts(),
        "row_count": result.height,
        "truncated": result.height > limit,
        "answer": answer_text(result, hint, written),
    }
    if written is not None:
        out["written"] = written
    return out
