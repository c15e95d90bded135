"""English data commands become precise ``query`` operations (issue 10, data grounding).

The tables here are deliberately not the e2e fixture's: other file names, columns and values.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.do.ground_data_helpers import ground_query, sort_by, steps, where, write_tables

from altlas.do.context import GroundContext
from altlas.do.ground_data import ground_data, ground_data_condition
from altlas.do.operations import Operation

ORDERS = """order_date,city,item,qty,unit_price
2025-01-04,Izmir,Lamp,5,20.0
2025-01-09,Bursa,Chair,12,45.5
2025-02-11,Izmir,Desk,2,120
2025-02-20,Konya,Lamp,9,20.0
2025-03-02,Bursa,Lamp,1,20.0
2025-03-15,Konya,Chair,7,45.5
"""
PARTS = """part_no,part_name,on_hand,min_level
P-1,Bolt,40,10
P-2,Nut,3,25
P-3,Washer,0,5
P-4,Gear Box,12,12
"""
STAFF = [
    {"name": "Deniz Ak", "department": "Support", "salary": 4200, "start_date": "2021-05-01"},
    {"name": "Mary Jones", "department": "Engineering", "salary": 6100, "start_date": "2019-02-11"},
    {"name": "Ali Veli", "department": "Support", "salary": 3900, "start_date": "2023-09-20"},
]


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return write_tables(
        tmp_path,
        {
            "shop/orders.csv": ORDERS,
            "parts.csv": PARTS,
            "staff.json": STAFF,
            "readme.md": "# hello\n",
        },
    )


def ground(ws: Path, text: str, previous: Operation | None = None) -> Operation:
    return ground_query(ws, text, "en", previous)


def test_sort_desc_with_source_and_output(ws: Path) -> None:
    op = ground(ws, "Sort shop/orders.csv by qty from highest to lowest and save it as out/q.csv")
    assert op.params["source"] == "shop/orders.csv"
    assert op.params["output"] == "out/q.csv"
    assert sort_by(op) == [("qty", True)]
    assert op.produces == "table"
    assert "highest to lowest" in op.why


def test_sort_ascending_by_default_and_role_word(ws: Path) -> None:
    op = ground(ws, "order shop/orders.csv by quantity")
    assert sort_by(op) == [("qty", False)]


def test_sort_dates_newest_first(ws: Path) -> None:
    op = ground(ws, "sort staff.json by start date, newest to oldest")
    assert sort_by(op) == [("start_date", True)]


def test_sort_unknown_column_is_none(ws: Path) -> None:
    assert ground_data("sort parts.csv by colour", "en", GroundContext(ws)) is None


def test_not_a_table_is_none(ws: Path) -> None:
    assert ground_data("count the lines in readme.md", "en", GroundContext(ws)) is None


def test_filter_value_with_named_column(ws: Path) -> None:
    op = ground(ws, "filter shop/orders.csv where city is Konya")
    assert where(op) == "`city` == 'Konya'"


def test_filter_value_found_in_data(ws: Path) -> None:
    op = ground(ws, "keep only the orders from Bursa in shop/orders.csv")
    assert where(op) == "`city` == 'Bursa'"


def test_filter_value_before_role_word_keeps_data_casing(ws: Path) -> None:
    op = ground(ws, "keep only the lamp item rows from shop/orders.csv")
    assert where(op) == "`item` == 'Lamp'"


def test_filter_multiword_value(ws: Path) -> None:
    op = ground(ws, "show the rows of parts.csv for Gear Box")
    assert where(op) == "`part_name` == 'Gear Box'"


def test_filter_more_than_number_then_column(ws: Path) -> None:
    op = ground(ws, "orders in shop/orders.csv with more than 6 qty")
    assert where(op) == "`qty` > 6"


def test_filter_column_then_at_least(ws: Path) -> None:
    op = ground(ws, "rows of staff.json whose salary is at least 4200")
    assert where(op) == "`salary` >= 4200"


def test_filter_below_number(ws: Path) -> None:
    op = ground(ws, "parts in parts.csv with on hand below 10")
    assert where(op) == "`on_hand` < 10"


def test_filter_two_columns(ws: Path) -> None:
    op = ground(ws, "find the parts in parts.csv whose on_hand is below their min level")
    assert where(op) == "`on_hand` < `min_level`"


def test_filter_zero(ws: Path) -> None:
    op = ground(ws, "which parts in parts.csv have zero on hand")
    assert "`on_hand` == 0" in where(op)


def test_filter_negated_value(ws: Path) -> None:
    op = ground(ws, "rows of staff.json not in the Support department")
    assert where(op) == "`department` != 'Support'"


def test_filter_and_sort_in_one_segment(ws: Path) -> None:
    op = ground(ws, "filter shop/orders.csv to Izmir and sort by unit price descending")
    assert where(op) == "`city` == 'Izmir'"
    assert sort_by(op) == [("unit_price", True)]
    ops = [s["op"] for s in op.params["steps"]]
    assert ops.index("filter") < ops.index("sort")


def test_select_columns_in_order(ws: Path) -> None:
    op = ground(ws, "make out/p.csv with just the part_name and on_hand columns of parts.csv")
    assert steps(op, "select") == [{"op": "select", "columns": ["part_name", "on_hand"]}]
    assert op.params["source"] == "parts.csv" and op.params["output"] == "out/p.csv"


def test_group_sum_per_key(ws: Path) -> None:
    op = ground(ws, "What is the total qty per city in shop/orders.csv?")
    (group,) = steps(op, "group")
    assert group["by"] == ["city"]
    assert group["aggregate"] == [{"fn": "sum", "column": "qty", "as": "qty"}]
    assert op.params.get("answer") == "table"


def test_group_average(ws: Path) -> None:
    op = ground(ws, "average salary by department in staff.json")
    (group,) = steps(op, "group")
    assert group["by"] == ["department"]
    assert group["aggregate"][0]["fn"] == "mean"
    assert group["aggregate"][0]["column"] == "salary"


def test_group_count_per_key(ws: Path) -> None:
    op = ground(ws, "how many orders per city are in shop/orders.csv")
    (group,) = steps(op, "group")
    assert group["by"] == ["city"] and group["aggregate"][0]["fn"] == "count"


def test_group_derived_revenue(ws: Path) -> None:
    op = ground(ws, "total revenue (qty * unit_price) for each city in shop/orders.csv")
    (derive,) = steps(op, "derive")
    assert derive["expr"] == "`qty` * `unit_price`"
    (group,) = steps(op, "group")
    assert group["by"] == ["city"]
    assert group["aggregate"][0] == {
        "fn": "sum",
        "column": derive["column"],
        "as": derive["column"],
    }


def test_group_per_month(ws: Path) -> None:
    op = ground(ws, "total qty per month in shop/orders.csv")
    (derive,) = steps(op, "derive")
    assert derive["expr"] == "year_month(`order_date`)"
    (group,) = steps(op, "group")
    assert group["by"] == [derive["column"]]


def test_top_n(ws: Path) -> None:
    op = ground(ws, "top 2 orders by unit price from shop/orders.csv -> out/top.csv")
    assert sort_by(op) == [("unit_price", True)]
    assert steps(op, "limit") == [{"op": "limit", "n": 2}]
    assert op.params["output"] == "out/top.csv"


def test_bottom_n(ws: Path) -> None:
    op = ground(ws, "the 2 lowest salaries in staff.json")
    assert sort_by(op) == [("salary", False)]
    assert steps(op, "limit") == [{"op": "limit", "n": 2}]


def test_dedupe(ws: Path) -> None:
    op = ground(ws, "remove duplicate rows from shop/orders.csv and save as out/u.csv")
    assert steps(op, "distinct")


def test_convert_to_json_default_name(ws: Path) -> None:
    op = ground(ws, "Convert parts.csv to JSON")
    assert op.params["steps"] == []
    assert op.params["output"].endswith(".json")


def test_convert_with_output(ws: Path) -> None:
    op = ground(ws, "convert staff.json to csv and write it to out/staff.csv")
    assert op.params["output"] == "out/staff.csv" and op.params["steps"] == []


def test_count_rows(ws: Path) -> None:
    op = ground(ws, "how many orders from Izmir are in shop/orders.csv?")
    assert where(op) == "`city` == 'Izmir'"
    assert (
        op.params["steps"][-1]["aggregate"] == [{"fn": "count", "as": "count"}]
        and op.produces == "value"
    )


def test_chained_sort_uses_previous(ws: Path) -> None:
    first = ground(ws, "filter shop/orders.csv to Konya")
    op = ground(ws, "then sort them by qty descending", previous=first)
    assert "source" not in op.params
    assert sort_by(op) == [("qty", True)]


def test_chained_argmax_over_group(ws: Path) -> None:
    first = ground(ws, "total the qty per item in shop/orders.csv")
    op = ground(ws, "and tell me which item sold the most", previous=first)
    assert sort_by(op) == [("qty", True)]
    assert steps(op, "limit") == [{"op": "limit", "n": 1}]
    assert not steps(op, "group")
    assert op.produces == "value"


def test_argmax_on_raw_table_groups_first(ws: Path) -> None:
    op = ground(ws, "which city ordered the most qty in shop/orders.csv")
    (group,) = steps(op, "group")
    assert group["by"] == ["city"]
    assert sort_by(op) == [("qty", True)]


def test_save_only_after_table(ws: Path) -> None:
    first = ground(ws, "sort parts.csv by on_hand")
    op = ground(ws, "save the result as out/sorted.json", previous=first)
    assert op.params["steps"] == [] and op.params["output"] == "out/sorted.json"


def test_save_only_without_table_is_none(ws: Path) -> None:
    assert ground_data("save it as out/x.csv", "en", GroundContext(ws)) is None


def test_condition_zero(ws: Path) -> None:
    op = ground_data_condition("if any part in parts.csv has zero on hand", "en", GroundContext(ws))
    assert op is not None
    assert op.params["source"] == "parts.csv"
    assert where(op) == "`on_hand` == 0"


def test_condition_two_columns(ws: Path) -> None:
    text = "if any part in parts.csv has on_hand below its min level"
    op = ground_data_condition(text, "en", GroundContext(ws))
    assert op is not None
    assert "`min_level`" in where(op)
