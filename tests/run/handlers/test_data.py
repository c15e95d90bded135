"""The data handler (polars) on real files and on dependency outputs."""

from __future__ import annotations

import polars as pl
import pytest

import altlas
from altlas.formats.common import TaskStatus

CSV = "city,sales,year\nAnkara,10,2023\nIzmir,5,2023\nAnkara,7,2024\nBursa,1,2024\n"


@pytest.fixture
def data_ws(workspace):
    (workspace / "sales.csv").write_text(CSV)
    return workspace


def _run(mkplan, ws, *tasks):
    return altlas.run(mkplan(*tasks), workspace=ws)


def test_load_filter_select_sort(mkplan, data_ws) -> None:
    """Each operation on a CSV gives rows, columns, dtypes and a count."""
    result = _run(
        mkplan,
        data_ws,
        {
            "id": "load",
            "type": "data_processing",
            "parameters": {"operation": "load", "source": "sales.csv"},
        },
        {
            "id": "where",
            "type": "data_processing",
            "parameters": {"operation": "filter", "source": "sales.csv", "where": "sales > 4"},
        },
        {
            "id": "cond",
            "type": "data_processing",
            "parameters": {
                "operation": "filter",
                "source": "sales.csv",
                "where": [
                    {"column": "city", "op": "contains", "value": "nk"},
                    {"column": "year", "op": "ge", "value": 2024},
                ],
            },
        },
        {
            "id": "sel",
            "type": "data_processing",
            "parameters": {"operation": "select", "source": "sales.csv", "columns": "city,year"},
        },
        {
            "id": "sort",
            "type": "data_processing",
            "parameters": {
                "operation": "sort",
                "source": "sales.csv",
                "by": ["sales"],
                "descending": True,
            },
        },
    )
    load = result.task("load").output
    assert load["row_count"] == 4 and load["columns"] == ["city", "sales", "year"]
    assert load["dtypes"]["sales"] == "Int64"
    assert [r["sales"] for r in result.task("where").output["rows"]] == [10, 5, 7]
    assert result.task("cond").output["rows"] == [{"city": "Ankara", "sales": 7, "year": 2024}]
    assert result.task("sel").output["columns"] == ["city", "year"]
    assert [r["sales"] for r in result.task("sort").output["rows"]] == [10, 7, 5, 1]


def test_legacy_filter_shape(mkplan, workspace) -> None:
    """filter_key/filter_value on input_data gives the original runner's output keys."""
    rows = [{"kind": "a", "v": 1}, {"kind": "b", "v": 2}, {"kind": "a", "v": 3}]
    result = _run(
        mkplan,
        workspace,
        {
            "id": "f",
            "type": "data_processing",
            "parameters": {
                "operation": "filter",
                "input_data": rows,
                "filter_key": "kind",
                "filter_value": "a",
            },
        },
    )
    out = result.task("f").output
    assert out["filtered_data"] == [rows[0], rows[2]]
    assert (out["filter_key"], out["filter_value"], out["result_count"]) == ("kind", "a", 2)


def test_aggregate_map_and_reduce(mkplan, data_ws) -> None:
    """Group-by aggregates, computed columns and whole-table reductions."""
    result = _run(
        mkplan,
        data_ws,
        {
            "id": "agg",
            "type": "data_processing",
            "parameters": {
                "operation": "aggregate",
                "source": "sales.csv",
                "group_by": "city",
                "aggregations": {"sales": ["sum", "count"]},
            },
        },
        {
            "id": "map",
            "type": "data_processing",
            "parameters": {
                "operation": "map",
                "source": "sales.csv",
                "expressions": {"double": "sales * 2"},
            },
        },
        {
            "id": "red",
            "type": "data_processing",
            "parameters": {
                "operation": "reduce",
                "source": "sales.csv",
                "aggregations": [{"column": "sales", "func": "mean", "as": "avg"}],
            },
        },
    )
    assert result.task("agg").output["rows"] == [
        {"city": "Ankara", "sales_sum": 17, "sales_count": 2},
        {"city": "Bursa", "sales_sum": 1, "sales_count": 1},
        {"city": "Izmir", "sales_sum": 5, "sales_count": 1},
    ]
    assert [r["double"] for r in result.task("map").output["rows"]] == [20, 10, 14, 2]
    assert result.task("red").output["rows"] == [{"avg": 5.75}]


def test_analyze_describes_and_transform_converts(mkplan, data_ws) -> None:
    """analyze -> data describe; transform -> data convert writing a real parquet file."""
    result = _run(
        mkplan,
        data_ws,
        {"id": "an", "type": "analyze", "parameters": {"source": "sales.csv"}},
        {"id": "tr", "type": "transform", "parameters": {"source": "sales.csv", "to": "parquet"}},
        {
            "id": "js",
            "type": "transform",
            "dependencies": ["tr"],
            "parameters": {"source": "sales.parquet", "to": "json", "output": "out/sales.json"},
        },
    )
    described = result.task("an").output
    assert result.task("an").handler == "data"
    assert described["row_count"] == 4
    stats = {r["statistic"]: r for r in described["rows"]}
    assert stats["mean"]["sales"] == pytest.approx(5.75)
    assert "4 rows x 3 columns" in described["text"]
    assert pl.read_parquet(data_ws / "sales.parquet").height == 4
    assert pl.read_json(data_ws / "out" / "sales.json")["sales"].sum() == 23
    assert {a.name for a in result.artifacts} == {"sales.parquet", "sales.json"}


def test_rows_flow_between_tasks(mkplan, data_ws) -> None:
    """A data task reads the rows or CSV text of a dependency."""
    result = _run(
        mkplan,
        data_ws,
        {"id": "read", "type": "open", "parameters": {"path": "sales.csv"}},
        {
            "id": "f",
            "type": "data_processing",
            "dependencies": ["read"],
            "parameters": {"operation": "filter", "where": {"year": 2024}},
        },
        {
            "id": "agg",
            "type": "data_processing",
            "dependencies": ["f"],
            "parameters": {
                "operation": "reduce",
                "input_from_dependency": "f",
                "aggregations": {"sales": "sum"},
            },
        },
    )
    assert result.task("f").output["row_count"] == 2
    assert result.task("agg").output["rows"] == [{"sales_sum": 8}]


@pytest.mark.parametrize(
    ("params", "kind", "text"),
    [
        (
            {"operation": "select", "source": "sales.csv", "columns": ["nope"]},
            "UnknownColumn",
            "no column matches 'nope' (columns: city, sales, year)",
        ),
        ({"operation": "filter", "source": "sales.csv"}, "InvalidParameters", "filter needs"),
        ({"operation": "load", "source": "missing.csv"}, "NotFound", "no such file"),
        (
            {"operation": "aggregate", "source": "sales.csv", "aggregations": {"sales": "wat"}},
            "InvalidParameters",
            "unknown aggregation 'wat'",
        ),
        (
            {"operation": "convert", "source": "sales.csv", "to": "xlsx"},
            "InvalidParameters",
            "is not one of csv",
        ),
        (
            {"operation": "filter", "source": "sales.csv", "where": "read_csv('/etc/passwd')"},
            "ExprError",
            "unsupported function 'read_csv'",
        ),
    ],
)
def test_errors_are_clear(mkplan, data_ws, params, kind, text) -> None:
    """Bad columns, parameters and files fail the task with a named type."""
    result = _run(mkplan, data_ws, {"id": "t", "type": "data_processing", "parameters": params})
    task = result.task("t")
    assert task.status is TaskStatus.FAILED
    assert task.error.type == kind
    assert text in task.error.message


def test_analyze_without_a_table_falls_back_to_summarize(mkplan, workspace) -> None:
    """analyze with only text input routes to summarize, per the routing table."""
    result = _run(
        mkplan,
        workspace,
        {"id": "e", "parameters": {"message": "Results look good. Costs went down."}},
        {
            "id": "an",
            "type": "analyze",
            "dependencies": ["e"],
            "parameters": {"subject": "results"},
        },
    )
    assert result.task("an").handler == "summarize"
