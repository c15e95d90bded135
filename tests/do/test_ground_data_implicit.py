"""Columns a command implies without naming them: the year of the date column ("hired before
2020"), the one measure of a table ("orders over 100", "the 2 highest paid employees")."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.do.ground_data_helpers import ground, steps, where, write_tables

from altlas.do.context import GroundContext
from altlas.do.ground_data import ground_data

STAFF = """id,first_name,dept,wage,hired
1,Ana,Eng,7200,2019-03-01
2,Ben,Ops,4100,2021-07-15
3,Cem,Eng,6800,2020-11-30
"""
ORDERS = [
    {"order_id": 101, "buyer": "Acme", "total": 250.5, "created": "2024-04-02"},
    {"order_id": 102, "buyer": "Globex", "total": 99.0, "created": "2024-04-05"},
]


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return write_tables(tmp_path, {"staff.csv": STAFF, "orders.json": ORDERS})


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("List the people hired before 2020 from staff.csv", "en", "year(`hired`) < 2020"),
        ("staff.csv'de 2020'den sonra işe girenler", "tr", "year(`hired`) > 2020"),
        ("orders.json orders over 100 sorted by total", "en", "`total` > 100"),
        ("orders in orders.json worth more than 100", "en", "`total` > 100"),
        ("orders.json'da 100'den büyük siparişler", "tr", "`total` > 100"),
    ],
)
def test_implied_left_side(ws: Path, text: str, lang: str, expected: str) -> None:
    assert where(ground(ws, text, lang)) == expected


def test_top_by_the_only_measure(ws: Path) -> None:
    op = ground(ws, "the 2 highest paid people in staff.csv")
    assert steps(op, "sort") == [{"op": "sort", "by": [{"column": "wage", "desc": True}]}]


def test_two_measures_are_not_guessed(ws: Path) -> None:
    (ws / "m.csv").write_text("k,a,b\nx,1,2\n", encoding="utf-8")
    op = ground_data("rows of m.csv over 1", "en", GroundContext(ws))
    assert op is None or (op.handler == "refuse" and "'1'" in op.params["reason"])


SHOP = """day,product,city,qty,price
2024-01-01,Tea,Ankara,5,2.0
2024-01-02,Coffee,Izmir,9,3.5
2024-01-03,Tea,Izmir,4,2.0
2024-01-04,Cocoa,Ankara,1,4.0
"""


@pytest.fixture
def shop(ws: Path) -> Path:
    (ws / "shop.csv").write_text(SHOP, encoding="utf-8")
    return ws


def test_top_n_of_a_key_groups_first(shop: Path) -> None:
    op = ground(shop, "top 2 products by qty in shop.csv")
    (group,) = steps(op, "group")
    assert group["by"] == ["product"] and group["aggregate"][0]["column"] == "qty"
    assert steps(op, "limit") == [{"op": "limit", "n": 2}]


def test_top_n_of_a_key_groups_first_tr(shop: Path) -> None:
    op = ground(shop, "shop.csv'de en çok satan 2 ürün", "tr")
    (group,) = steps(op, "group")
    assert group["by"] == ["product"] and group["aggregate"][0]["column"] == "qty"


def test_top_n_rows_stay_rows(shop: Path) -> None:
    op = ground(shop, "top 2 sales by qty in shop.csv")
    assert not steps(op, "group")


def test_value_with_a_suffix_and_no_apostrophe(shop: Path) -> None:
    assert where(ground(shop, "shop.csv'de izmirdeki satışlar", "tr")) == "`city` == 'Izmir'"


def test_thousands_separator(ws: Path) -> None:
    assert where(ground(ws, "orders in orders.json with a total over 1,000")) == "`total` > 1000"


def test_chain_top_of_a_sorted_table_is_a_limit(shop: Path) -> None:
    first = ground(shop, "sort shop.csv by price descending")
    op = ground_data("then keep the top 2", "en", GroundContext(shop, first))
    assert op is not None and op.params["steps"] == [{"op": "limit", "n": 2}]


def test_chain_total_of_the_one_measure(shop: Path) -> None:
    first = ground(shop, "total qty per city in shop.csv")
    op = ground_data("and show the overall total", "en", GroundContext(shop, first))
    assert op is not None
    (group,) = steps(op, "group")
    assert group["by"] == [] and group["aggregate"][0]["column"] == "qty"


@pytest.mark.parametrize(
    "text",
    [
        "email the Izmir rows of shop.csv to the team",
        "shop.csv'deki Izmir satırlarını ekibe e-posta ile gönder",
        "upload shop.csv sorted by qty to the server",
        "translate shop.csv to German",
    ],
)
def test_other_actions_are_not_data(shop: Path, text: str) -> None:
    assert (
        ground_data(text, "tr" if "ğ" in text or "ı" in text else "en", GroundContext(shop)) is None
    )


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("write their cities to out/cities.txt", "en"),
        ("şehirlerini out/cities.txt dosyasına yaz", "tr"),
    ],
)
def test_named_column_written_to_text(shop: Path, text: str, lang: str) -> None:
    first = ground(shop, "rows of shop.csv with qty over 3")
    op = ground_data(text, lang, GroundContext(shop, first))
    assert op is not None and op.params["output"] == "out/cities.txt"
    assert op.params["steps"] == [{"op": "select", "columns": ["city"]}]


def test_count_written_to_a_file_is_the_number(shop: Path) -> None:
    op = ground(shop, "count the Izmir rows of shop.csv and write the count to out/n.txt")
    assert op.params["steps"][-1] == {
        "op": "group",
        "by": [],
        "aggregate": [{"fn": "count", "as": "count"}],
    }
    assert op.params["answer"] == "value" and op.params["output"] == "out/n.txt"
