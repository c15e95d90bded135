"""Phrasings met in the wild: "most expensive first", "revenue = a × b per key", a table read
by an earlier step, "ayıkla" (pick out), a stock word on a table whose stock is a quantity,
comma lists of columns, "order" as a noun, a warehouse column in Turkish."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.do.ground_data_helpers import ground, sort_by, steps, write_tables

from altlas.do.context import GroundContext
from altlas.do.ground_data import ground_data, ground_data_condition
from altlas.do.operations import Operation

SHIP = """ship_id;port;kind;qty;unit_cost;depot
S1;Mersin;Bolt;120;0.5;Gebze
S2;Izmir;Nut;15;0.2;Manisa
S3;Mersin;Gear;4;12.0;Gebze
"""


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return write_tables(tmp_path, {"ship.csv": SHIP})


@pytest.mark.parametrize(
    ("text", "desc"),
    [
        ("Order ship.csv by unit_cost, most expensive first", True),
        ("sort ship.csv by unit_cost, cheapest first", False),
        ("sort ship.csv by qty, largest first", True),
    ],
)
def test_superlative_first_is_a_direction(ws: Path, text: str, desc: bool) -> None:
    op = ground(ws, text)
    assert sort_by(op) == [(sort_by(op)[0][0], desc)] and not steps(op, "limit")


def test_named_derivation_per_key(ws: Path) -> None:
    op = ground(ws, "compute cost = qty × unit_cost per port from ship.csv")
    assert not steps(op, "filter")
    (derive,) = steps(op, "derive")
    assert derive == {"op": "derive", "column": "cost", "expr": "`qty` * `unit_cost`"}
    (group,) = steps(op, "group")
    assert group["by"] == ["port"] and group["aggregate"][0]["column"] == "cost"


def test_table_read_by_the_previous_step(ws: Path) -> None:
    read = Operation("files", {"operation": "read", "path": "ship.csv"}, "read ship.csv", "text")
    op = ground(ws, "find the rows where qty is below 20", previous=read)
    assert op.params["source"] == "ship.csv"
    assert steps(op, "filter") == [{"op": "filter", "where": "`qty` < 20"}]


def test_pick_out_keeps_the_rows(ws: Path) -> None:
    op = ground(ws, "ship.csv'den kind değeri Bolt olan satırları ayıkla", "tr")
    assert steps(op, "filter") == [{"op": "filter", "where": "`kind` == 'Bolt'"}]


def test_stock_word_on_a_quantity_table(ws: Path) -> None:
    op = ground(ws, "ship.csv'deki en az stoklu 2 ürünü göster", "tr")
    assert sort_by(op) == [("qty", False)] and steps(op, "limit") == [{"op": "limit", "n": 2}]


def test_comma_list_of_columns(ws: Path) -> None:
    op = ground(ws, "ship.csv'den sadece port, kind ve qty alanlarını al", "tr")
    assert steps(op, "select") == [{"op": "select", "columns": ["port", "kind", "qty"]}]


def test_order_as_a_noun_in_a_condition(ws: Path) -> None:
    (ws / "orders.csv").write_text("order_id,quantity\n1,5\n2,150\n", encoding="utf-8")
    op = ground_data_condition(
        "any order in orders.csv has a quantity over 100", "en", GroundContext(ws)
    )
    assert op is not None and steps(op, "filter") == [{"op": "filter", "where": "`quantity` > 100"}]


def test_warehouse_in_turkish(ws: Path) -> None:
    assert sort_by(ground(ws, "ship.csv'yi depoya göre sırala", "tr")) == [("depot", False)]


def test_warehouse_header_in_turkish(tmp_path: Path) -> None:
    (tmp_path / "s.ndjson").write_text(
        '{"sku": "A", "warehouse": "Gebze", "qty": 1}\n', encoding="utf-8"
    )
    op = ground_data("s.ndjson'u depoya göre sırala", "tr", GroundContext(tmp_path))
    assert op is not None and sort_by(op) == [("warehouse", False)]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Eğer people.csv'de Antalya'da yaşayan biri varsa", "tr"),
        ("if anyone in people.csv lives in Oslo", "en"),
    ],
)
def test_place_not_in_the_data_is_still_a_city_filter(tmp_path: Path, text: str, lang: str) -> None:
    (tmp_path / "people.csv").write_text("name,city\nAda,Izmir\nBo,Bursa\n", encoding="utf-8")
    op = ground_data_condition(text, lang, GroundContext(tmp_path))
    assert op is not None and steps(op, "filter")[0]["where"] in (
        "`city` == 'Antalya'",
        "`city` == 'Oslo'",
    )


def test_table_found_by_its_columns_when_no_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "staff.json").write_text(
        '[{"name": "A", "department": "Ops", "salary": 10},'
        ' {"name": "B", "department": "IT", "salary": 20}]',
        encoding="utf-8",
    )
    (tmp_path / "sales.csv").write_text("region,units\nNorth,3\n", encoding="utf-8")
    op = ground_data("What's the average salary in each department?", "en", GroundContext(tmp_path))
    assert op is not None and op.params["source"] == "staff.json"
    assert (
        ground_data("search the archive for sales reports", "en", GroundContext(tmp_path)) is None
    )
    assert ground_data("sort by units", "en", GroundContext(tmp_path)) is not None
    (tmp_path / "more.csv").write_text("region,units\nSouth,4\n", encoding="utf-8")
    assert ground_data("sort by units", "en", GroundContext(tmp_path)) is None  # two tables fit


def test_every_row_is_not_a_key(ws: Path) -> None:
    op = ground(
        ws, "I need a file out/s.csv with only the port and kind of every shipment in ship.csv"
    )
    assert steps(op, "select") == [{"op": "select", "columns": ["port", "kind"]}]
