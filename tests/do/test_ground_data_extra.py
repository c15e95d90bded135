"""Data commands that need type sense: dates by year and month, counts as measures, implied
revenue, several sort keys, comparisons that must land on a numeric column."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.do.ground_data_helpers import ground, sort_by, steps, where, write_tables

from altlas.do.context import GroundContext
from altlas.do.ground_data import ground_data

TICKETS = """opened,team,severity,hours,rate
2023-11-20,Alpha,High,5,40
2024-01-15,Beta,Low,2,40
2024-03-02,Alpha,Low,7,55
2024-03-28,Gamma,High,1,55
"""
SATISLAR = """tarih,magaza,urun,adet,fiyat
2024-01-05,Kadikoy,Cay,10,2.5
2024-02-11,Besiktas,Kahve,4,6.0
2024-02-20,Kadikoy,Kahve,7,6.0
"""
PEOPLE = [
    {"person": "Ada", "town": "Leeds", "joined": "2022-05-01"},
    {"person": "Bo", "town": "York", "joined": "2023-07-09"},
    {"person": "Cy", "town": "Leeds", "joined": "2023-08-19"},
]


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return write_tables(
        tmp_path, {"tickets.csv": TICKETS, "satislar.csv": SATISLAR, "people.json": PEOPLE}
    )


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("people in people.json who joined in 2023", "en", "year(`joined`) == 2023"),
        ("tickets.csv rows opened in March", "en", "month(`opened`) == 3"),
        ("satislar.csv'de şubat ayındaki satışlar", "tr", "month(`tarih`) == 2"),
        ("satislar.csv'de 2024 yılındaki satışlar", "tr", "year(`tarih`) == 2024"),
        ("people.json'da town alanı Londra olmayan kişiler", "tr", None),
    ],
)
def test_date_parts_and_negation(ws: Path, text: str, lang: str, expected: str | None) -> None:
    found = where(ground(ws, text, lang))
    assert found == (expected or "`town` != 'Londra'")


def test_numeric_comparison_skips_text_column(ws: Path) -> None:
    op = ground(ws, "tickets.csv rows for the Alpha team with more than 3 hours, newest first")
    found = where(op)
    assert "`hours` > 3" in found and "`team` == 'Alpha'" in found
    assert sort_by(op) == [("opened", True)]


def test_argmax_counts_entities(ws: Path) -> None:
    op = ground(ws, "which town has the most people in people.json?")
    (group,) = steps(op, "group")
    assert group["by"] == ["town"] and group["aggregate"][0]["fn"] == "count"
    assert sort_by(op) == [("count", True)]


def test_argmax_sold_means_quantity(ws: Path) -> None:
    op = ground(ws, "satislar.csv'deki en çok satan ürün hangisi?", "tr")
    (group,) = steps(op, "group")
    assert group["by"] == ["urun"] and group["aggregate"][0]["column"] == "adet"


def test_top_by_implied_revenue(ws: Path) -> None:
    op = ground(ws, "the 2 biggest sales in satislar.csv by revenue")
    (derive,) = steps(op, "derive")
    assert derive["expr"] == "`adet` * `fiyat`"
    assert sort_by(op) == [(derive["column"], True)]


def test_count_by_key_tr(ws: Path) -> None:
    op = ground(ws, "satislar.csv'deki satışları mağazaya göre say", "tr")
    (group,) = steps(op, "group")
    assert group["by"] == ["magaza"] and group["aggregate"][0]["fn"] == "count"


def test_group_by_plural_key_tr(ws: Path) -> None:
    op = ground(ws, "satislar.csv'de mağazalara göre toplam adet", "tr")
    (group,) = steps(op, "group")
    assert group["by"] == ["magaza"] and group["aggregate"][0]["column"] == "adet"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("sort tickets.csv by team and then by hours", "en"),
        ("tickets.csv'yi takıma ve saate göre sırala", "tr"),
    ],
)
def test_two_sort_keys(ws: Path, text: str, lang: str) -> None:
    op = ground_data(text, lang, GroundContext(ws))
    if lang == "tr":  # "takım"/"saat" are not this table's words: no guess
        assert op is None
        return
    assert op is not None and [c for c, _ in sort_by(op)] == ["team", "hours"]


def test_group_measure_after_a_word_tr(ws: Path) -> None:
    op = ground(ws, "satislar.csv'de mağazalara göre toplam satış adedi", "tr")
    (group,) = steps(op, "group")
    assert group["by"] == ["magaza"] and group["aggregate"][0]["column"] == "adet"


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("remove the rows of tickets.csv where hours is below 2", "en", "not (`hours` < 2)"),
        (
            "tickets.csv'den severity değeri Low olan satırları sil",
            "tr",
            "not (`severity` == 'Low')",
        ),
    ],
)
def test_removing_rows_keeps_the_others(ws: Path, text: str, lang: str, expected: str) -> None:
    assert where(ground(ws, text, lang)) == expected


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("which items in depot.csv need reordering?", "en"),
        ("depot.csv'de yeniden sipariş verilmesi gereken ürünler", "tr"),
    ],
)
def test_reorder_needs(ws: Path, text: str, lang: str) -> None:
    (ws / "depot.csv").write_text("sku,stock,reorder_point\nX1,4,10\nX2,50,10\n", encoding="utf-8")
    assert where(ground(ws, text, lang)) == "`stock` <= `reorder_point`"


@pytest.mark.parametrize(
    ("text", "lang", "source"),
    [
        ("sort the tickets file by hours", "en", "tickets.csv"),
        ("satislar dosyasını adede göre sırala", "tr", "satislar.csv"),
        ("sort the people table by person", "en", "people.json"),
    ],
)
def test_table_named_without_suffix(ws: Path, text: str, lang: str, source: str) -> None:
    assert ground(ws, text, lang).params["source"] == source


def test_table_name_ambiguous_without_suffix(ws: Path) -> None:
    (ws / "tickets.json").write_text('[{"team": "Alpha", "hours": 1}]', encoding="utf-8")
    assert ground_data("sort the tickets file by hours", "en", GroundContext(ws)) is None


def test_sort_key_with_measure_noun_tr(ws: Path) -> None:
    (ws / "stok.csv").write_text("kod,stok,tarih\nA,3,2024-01-01\n", encoding="utf-8")
    op = ground(ws, "stok.csv'deki ürünleri stok seviyesine göre sırala", "tr")
    assert sort_by(op) == [("stok", False)]


def test_alphabetical_tr(ws: Path) -> None:
    op = ground(ws, "people.json'u person alanına göre alfabetik sırala", "tr")
    assert sort_by(op) == [("person", False)]


def test_convert_from_to_tr(ws: Path) -> None:
    op = ground(ws, "satislar.csv'yi CSV'den JSON'a çevir", "tr")
    assert op.params["output"] == "satislar.json"


def test_per_key_without_aggregate_word_sums(ws: Path) -> None:
    op = ground(ws, "hours per team in tickets.csv")
    (group,) = steps(op, "group")
    assert group["by"] == ["team"] and group["aggregate"][0] == {
        "fn": "sum",
        "column": "hours",
        "as": "hours",
    }
