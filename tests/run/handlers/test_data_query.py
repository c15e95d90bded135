"""The data handler's ``query`` operation and the overwrite rule, on real files in a workspace."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import orjson
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import altlas
from altlas.formats.common import TaskStatus
from altlas.formats.plan import Plan
from altlas.run.handlers.data_answer import answer_text, format_value, text_table

# A small copy of the e2e fixture's shape: sums by region North 54, South 28, East 40, West 14;
# by month 2024-01 59, 2024-02 49, 2024-03 28.
SALES = """date,region,product,units,price
2024-01-03,North,Widget,12,12.50
2024-01-05,South,Gadget,7,25.00
2024-01-08,East,Gizmo,30,8.75
2024-01-10,West,Sprocket,4,40.00
2024-01-22,North,Gizmo,6,8.75
2024-02-02,South,Widget,21,12.50
2024-02-14,North,Gadget,2,25.00
2024-02-16,North,Widget,26,12.50
2024-03-01,East,Sprocket,10,40.00
2024-03-08,West,Widget,10,12.50
2024-03-20,North,Gizmo,8,8.75
"""
INVENTORY = """sku,name,stock,reorder_level
A-100,Widget,120,50
A-101,Gadget,35,40
A-103,Sprocket,8,20
C-301,Monitor Stand,5,10
C-302,Desk Lamp,0,5
"""


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "sales.csv").write_text(SALES)
    (workspace / "inventory.csv").write_text(INVENTORY)
    return workspace


def _plan(*tasks: dict[str, Any]) -> Plan:
    return Plan.model_validate(
        {
            "id": "plan_query",
            "tasks": [{"type": "data_processing", "handler": "data", **t} for t in tasks],
        }
    )


def query(ws: Path, **params: Any) -> Any:
    result = altlas.run(
        _plan({"id": "q", "parameters": {"operation": "query", **params}}), workspace=ws
    )
    return result.task("q")


def ok(ws: Path, **params: Any) -> dict[str, Any]:
    task = query(ws, **params)
    assert task.status is TaskStatus.COMPLETED, task.error
    return dict(task.output)


def test_sum_by_region_answers_in_pairs(ws: Path) -> None:
    out = ok(
        ws,
        source="sales.csv",
        steps=[
            {
                "op": "group",
                "by": ["bölge"],
                "aggregate": [{"fn": "sum", "column": "Birim", "as": "units"}],
            }
        ],
        answer="table",
    )
    assert out["columns"] == ["region", "units"]
    assert out["answer"] == "East 40, North 54, South 28, West 14"
    assert out["row_count"] == 4
    assert "written" not in out


def test_per_month_with_year_month(ws: Path) -> None:
    out = ok(
        ws,
        source="sales.csv",
        steps=[
            {"op": "derive", "column": "month", "expr": "year_month(`date`)"},
            {"op": "group", "by": ["month"], "aggregate": [{"fn": "sum", "column": "units"}]},
            {"op": "sort", "by": [{"column": "month", "desc": False}]},
        ],
    )
    assert out["answer"] == "2024-01 59, 2024-02 49, 2024-03 28"


def test_revenue_derived_grouped_and_written(ws: Path) -> None:
    out = ok(
        ws,
        source="sales.csv",
        steps=[
            {"op": "derive", "column": "revenue", "expr": "`units` * `price`"},
            {
                "op": "group",
                "by": ["region"],
                "aggregate": [{"fn": "sum", "column": "revenue", "as": "revenue"}],
            },
            {"op": "sort", "by": [{"column": "revenue", "desc": True}]},
        ],
        output="out/revenue.csv",
        answer="table",
    )
    # North: 150 + 52.5 + 50 + 325 + 70 = 647.5; East 262.5 + 400; South 175 + 262.5; West 160 + 125
    assert out["answer"] == (
        "East 662.5, North 647.5, South 437.5, West 285; wrote 4 rows to out/revenue.csv"
    )
    assert out["written"] == "out/revenue.csv"
    written = pl.read_csv(ws / "out" / "revenue.csv")
    assert written.columns == ["region", "revenue"]
    assert written["revenue"].to_list() == [662.5, 647.5, 437.5, 285.0]


def test_filter_comparing_two_columns_sorted(ws: Path) -> None:
    out = ok(
        ws,
        source="inventory.csv",
        steps=[
            {"op": "filter", "where": "`stock` < `reorder level`"},
            {"op": "sort", "by": [{"column": "Stok"}]},
        ],
        output="out/reorder.csv",
    )
    assert [r["sku"] for r in out["rows"]] == ["C-302", "C-301", "A-103", "A-101"]
    assert out["answer"] == "Wrote 4 rows to out/reorder.csv"
    lines = (ws / "out" / "reorder.csv").read_text().splitlines()
    assert lines[0] == "sku,name,stock,reorder_level"
    assert len(lines) == 5


def test_top_n_select_and_structured_filter(ws: Path) -> None:
    out = ok(
        ws,
        source="sales.csv",
        steps=[
            {"op": "filter", "where": [{"column": "region", "op": "ne", "value": "West"}]},
            {"op": "sort", "by": [{"column": "units", "desc": True}]},
            {"op": "limit", "n": 3},
            {"op": "select", "columns": ["date", "units"]},
        ],
        answer="table",
    )
    assert out["rows"] == [
        {"date": "2024-01-08", "units": 30},
        {"date": "2024-02-16", "units": 26},
        {"date": "2024-02-02", "units": 21},
    ]
    assert out["answer"] == "2024-01-08 30, 2024-02-16 26, 2024-02-02 21"


def test_distinct_and_count_answers(ws: Path) -> None:
    out = ok(
        ws,
        source="sales.csv",
        steps=[{"op": "select", "columns": ["ürün"]}, {"op": "distinct", "columns": None}],
    )
    assert out["answer"] == "Widget, Gadget, Gizmo, Sprocket"
    counted = ok(
        ws, source="sales.csv", steps=[{"op": "filter", "where": "units > 20"}], answer="count"
    )
    assert counted["answer"] == "3"
    assert counted["row_count"] == 3
    rows = ok(ws, source="sales.csv", steps=[{"op": "group", "by": []}], answer="value")
    assert rows["answer"] == "11"
    by_product = ok(
        ws,
        source="sales.csv",
        steps=[{"op": "distinct", "columns": ["product"]}, {"op": "select", "columns": "product"}],
    )
    assert by_product["row_count"] == 4


def test_value_and_first_row_answers(ws: Path) -> None:
    mean = ok(
        ws,
        source="sales.csv",
        steps=[{"op": "group", "aggregate": [{"fn": "mean", "column": "price"}]}],
        answer="value",
    )
    assert mean["answer"] == "18.75"  # 206.25 / 11
    best = ok(
        ws,
        source="sales.csv",
        steps=[
            {"op": "group", "by": ["product"], "aggregate": [{"fn": "sum", "column": "units"}]},
            {"op": "sort", "by": [{"column": "units", "desc": True}]},
        ],
        answer="first_row",
    )
    assert best["answer"] == "Widget 69"
    nothing = ok(
        ws, source="sales.csv", steps=[{"op": "filter", "where": "units > 999"}], answer="value"
    )
    assert nothing["answer"] == "no rows"
    assert nothing["row_count"] == 0


def test_rows_flow_from_a_dependency_in_full(ws: Path) -> None:
    """Without a source the rows of the dependency are the input: all of them, not 50."""
    big = "n,kind\n" + "".join(f"{i},{'odd' if i % 2 else 'even'}\n" for i in range(300))
    (ws / "big.csv").write_text(big)
    result = altlas.run(
        _plan(
            {
                "id": "a",
                "parameters": {
                    "operation": "query",
                    "source": "big.csv",
                    "steps": [{"op": "filter", "where": "kind == 'even'"}],
                },
            },
            {
                "id": "b",
                "dependencies": ["a"],
                "parameters": {"operation": "query", "output": "out/even.json"},
            },
        ),
        workspace=ws,
    )
    assert len(result.task("a").output["rows"]) == 150
    assert result.task("b").status is TaskStatus.COMPLETED, result.task("b").error
    records = orjson.loads((ws / "out" / "even.json").read_bytes())
    assert isinstance(records, list) and len(records) == 150
    assert records[0] == {"n": 0, "kind": "even"}


def test_a_truncated_dependency_is_refused(ws: Path) -> None:
    big = "n\n" + "".join(f"{i}\n" for i in range(30))
    (ws / "big.csv").write_text(big)
    result = altlas.run(
        _plan(
            {"id": "a", "parameters": {"operation": "query", "source": "big.csv"}},
            {"id": "b", "dependencies": ["a"], "parameters": {"operation": "query"}},
        ),
        workspace=ws,
        max_output_rows=10,
    )
    assert result.task("a").output["truncated"] is True
    assert len(result.task("a").output["rows"]) == 10
    task = result.task("b")
    assert task.status is TaskStatus.FAILED
    assert task.error.type == "TruncatedInput"


@pytest.mark.parametrize(
    ("name", "check"),
    [
        ("out/x.csv", lambda p: pl.read_csv(p).height == 5),
        ("out/x.tsv", lambda p: pl.read_csv(p, separator="\t").columns[3] == "reorder_level"),
        ("out/x.json", lambda p: len(orjson.loads(p.read_bytes())) == 5),
        ("out/x.ndjson", lambda p: len(p.read_text().splitlines()) == 5),
        ("out/x.parquet", lambda p: pl.read_parquet(p).height == 5),
    ],
)
def test_output_formats(ws: Path, name: str, check: Any) -> None:
    out = ok(ws, source="inventory.csv", output=name)
    path = ws / name
    assert check(path)
    assert out["written"] == name
    assert not os.stat(path).st_mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def test_json_and_ndjson_sources(ws: Path) -> None:
    customers = [
        {"id": 1, "name": "Ayşe Yılmaz", "city": "Istanbul", "signup_date": "2023-02-14"},
        {"id": 2, "name": "John Carter", "city": "London", "signup_date": "2023-03-02"},
        {"id": 3, "name": "Selin Koç", "city": "Ankara", "signup_date": "2024-01-09"},
        {"id": 4, "name": "Emma Schultz", "city": "London", "signup_date": "2024-05-30"},
    ]
    (ws / "customers.json").write_bytes(orjson.dumps(customers, option=orjson.OPT_INDENT_2))
    lines = [orjson.dumps(c).decode() for c in customers]
    (ws / "customers.ndjson").write_text("\n".join(lines) + "\n")
    for source in ("customers.json", "customers.ndjson"):
        out = ok(
            ws,
            source=source,
            steps=[
                {"op": "filter", "where": "`şehir` == 'London' and year(`kayıt tarihi`) >= 2024"},
                {"op": "select", "columns": ["isim"]},
            ],
            output=f"out/{source}.csv",
        )
        assert out["rows"] == [{"name": "Emma Schultz"}]
        assert (ws / "out" / f"{source}.csv").read_text() == "name\nEmma Schultz\n"


def test_tsv_source(ws: Path) -> None:
    (ws / "stock.tsv").write_text("sku\tstock\nA-1\t3\nA-2\t30\n")
    out = ok(ws, source="stock.tsv", steps=[{"op": "filter", "where": "stok > 5"}])
    assert out["answer"] == "A-2 30"


def test_text_output_is_one_value_per_line(ws: Path) -> None:
    ok(
        ws,
        source="inventory.csv",
        steps=[{"op": "filter", "where": "stock == 0"}, {"op": "select", "columns": ["name"]}],
        output="out/out_of_stock.txt",
    )
    assert (ws / "out" / "out_of_stock.txt").read_text() == "Desk Lamp\n"


def test_overwrite_rule_for_query_and_convert(ws: Path) -> None:
    (ws / "out").mkdir()
    hand_edited = ws / "out" / "inv.json"
    hand_edited.write_text('[{"sku": "edited by hand"}]\n')
    for params in (
        {"operation": "query", "source": "inventory.csv", "output": "out/inv.json"},
        {"operation": "convert", "source": "inventory.csv", "to": "json", "output": "out/inv.json"},
    ):
        task = altlas.run(_plan({"id": "q", "parameters": params}), workspace=ws).task("q")
        assert task.status is TaskStatus.FAILED
        assert task.error.type == "WouldOverwrite"
        assert task.error.message == (
            "out/inv.json already exists with different content; use --overwrite to replace it"
        )
        assert hand_edited.read_text() == '[{"sku": "edited by hand"}]\n'
    replaced = ok(ws, source="inventory.csv", output="out/inv.json", overwrite=True)
    assert replaced["written"] == "out/inv.json"
    first = hand_edited.read_bytes()
    assert len(orjson.loads(first)) == 5
    again = ok(ws, source="inventory.csv", output="out/inv.json")  # same bytes: a no-op
    assert again["written"] == "out/inv.json"
    assert hand_edited.read_bytes() == first


def test_convert_writes_json_records(ws: Path) -> None:
    result = altlas.run(
        _plan(
            {
                "id": "c",
                "parameters": {"operation": "convert", "source": "sales.csv", "to": "json"},
            }
        ),
        workspace=ws,
    )
    out = result.task("c").output
    assert out["written"] == "sales.json"
    records = orjson.loads((ws / "sales.json").read_bytes())
    assert records[0] == {
        "date": "2024-01-03",
        "region": "North",
        "product": "Widget",
        "units": 12,
        "price": 12.5,
    }


def test_output_outside_the_workspace_is_refused(ws: Path, tmp_path: Path) -> None:
    task = query(ws, source="sales.csv", output="../escape.csv")
    assert task.status is TaskStatus.FAILED
    assert task.error.type == "PathOutsideWorkspace"
    assert not (tmp_path / "escape.csv").exists()


@pytest.mark.parametrize(
    ("params", "kind", "text"),
    [
        (
            {"steps": [{"op": "sort", "by": ["colour"]}]},
            "UnknownColumn",
            "parameters.steps[0].by[0]: no column matches 'colour' "
            "(columns: date, region, product, units, price)",
        ),
        (
            {"steps": [{"op": "pivot"}]},
            "InvalidParameters",
            "parameters.steps[0].op 'pivot' is not one of filter, derive, group",
        ),
        (
            {"steps": [{"op": "filter", "where": "units >"}]},
            "ExprError",
            "parameters.steps[0].where: the expression ends too early at column 8",
        ),
        (
            {"steps": [{"op": "limit", "n": -1}]},
            "InvalidParameters",
            "parameters.steps[0].n must be a whole number",
        ),
        (
            {"steps": [{"op": "group", "aggregate": [{"fn": "mode", "column": "units"}]}]},
            "InvalidParameters",
            "aggregate[0].fn 'mode' is not one of sum",
        ),
        ({"answer": "essay"}, "InvalidParameters", "parameters.answer 'essay'"),
        ({"output": "out/x.xlsx"}, "InvalidParameters", "should end in one of"),
        ({"steps": "sort by units"}, "InvalidParameters", "parameters.steps must be a list"),
        (
            {"steps": [{"op": "derive", "column": "t", "expr": "region * 2"}]},
            "DataError",
            "data query:",
        ),
    ],
)
def test_errors_name_the_step_in_one_line(ws: Path, params: dict[str, Any], kind, text) -> None:
    task = query(ws, source="sales.csv", **params)
    assert task.status is TaskStatus.FAILED
    assert task.error.type == kind
    assert text in task.error.message
    assert "\n" not in task.error.message


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (129, "129"),
        (129.0, "129"),
        (1893.75, "1893.75"),
        (1893.7500001, "1893.75"),
        (5.333333, "5.33"),
        (0.012345, "0.01235"),
        (-2.5, "-2.5"),
        (None, ""),
        (True, "true"),
        ("North", "North"),
        (float("nan"), "nan"),
    ],
)
def test_numbers_read_naturally(value: Any, shown: str) -> None:
    assert format_value(value) == shown


def test_answer_shapes() -> None:
    wide = pl.DataFrame({"a": [1, 2], "b": ["x", "y"], "c": [1.5, 2.0]})
    assert text_table(wide.columns, wide.rows()) == "a  b  c\n1  x  1.5\n2  y  2"
    assert answer_text(wide, "table", None) == "a  b  c\n1  x  1.5\n2  y  2"
    assert answer_text(wide, "table", "out/w.csv").endswith("\nWrote 2 rows to out/w.csv")
    many = pl.DataFrame({"k": list(range(25)), "v": list(range(25))})
    text = answer_text(many, None, None)
    assert text.endswith("… (25 rows in all)")
    assert len(text.splitlines()) == 22
    one = pl.DataFrame({"total": [523]})
    assert answer_text(one, None, None) == "523"
    assert answer_text(one, "count", "t.csv") == "1; wrote 1 row to t.csv"


_WORDS = ["date", "region", "units", "price", "Birim", "bölge", "colour", "", "x y"]
_STEP = st.one_of(
    st.fixed_dictionaries(
        {"op": st.just("filter"), "where": st.sampled_from(["units > 5", "x >", "region == 1"])}
    ),
    st.fixed_dictionaries(
        {
            "op": st.just("derive"),
            "column": st.sampled_from(["t", "", "units"]),
            "expr": st.sampled_from(["units * price", "region * 2", "lower(region)", "("]),
        }
    ),
    st.fixed_dictionaries(
        {
            "op": st.just("group"),
            "by": st.lists(st.sampled_from(_WORDS), max_size=2),
            "aggregate": st.lists(
                st.fixed_dictionaries(
                    {
                        "fn": st.sampled_from(["sum", "count", "mean", "n_unique", "mode"]),
                        "column": st.sampled_from([*_WORDS, None]),
                    }
                ),
                max_size=2,
            ),
        }
    ),
    st.fixed_dictionaries(
        {
            "op": st.just("sort"),
            "by": st.lists(
                st.sampled_from(_WORDS)
                | st.fixed_dictionaries({"column": st.sampled_from(_WORDS), "desc": st.booleans()}),
                max_size=2,
            ),
        }
    ),
    st.fixed_dictionaries({"op": st.just("limit"), "n": st.integers(-2, 5) | st.just("3")}),
    st.fixed_dictionaries(
        {"op": st.just("select"), "columns": st.lists(st.sampled_from(_WORDS), max_size=3)}
    ),
    st.fixed_dictionaries(
        {
            "op": st.just("distinct"),
            "columns": st.none() | st.lists(st.sampled_from(_WORDS), max_size=2),
        }
    ),
    st.dictionaries(st.sampled_from(["op", "by", "n"]), st.text(max_size=5), max_size=2),
)


@settings(max_examples=300, deadline=None)
@given(steps=st.lists(_STEP, max_size=4))
def test_any_steps_give_a_table_or_one_clean_error(steps: list[dict[str, Any]]) -> None:
    """Random step lists end in a table, a one-line PermanentError, or a polars error (which
    the handler reports as a DataError); never anything else."""
    from altlas.run.handlers.base import PermanentError
    from altlas.run.handlers.data_query import apply_steps

    frame = pl.read_csv(SALES.encode())
    try:
        result = apply_steps(frame, steps)
    except PermanentError as exc:
        assert "\n" not in str(exc) and str(exc).strip()
    except pl.exceptions.PolarsError:
        pass
    else:
        assert isinstance(result, pl.DataFrame)
