"""Data commands with numbers in words, units, currencies, and files named loosely (issue 10)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.do.ground_data_helpers import ground

from altlas.do.context import GroundContext
from altlas.do.ground_data import ground_data
from altlas.do.operations import Operation

PARTS = """part,supplier,price_eur,stock
bolt,Acme,0.5,900
gear,Acme,42.0,12
shaft,Borg,120.0,3
valve,Borg,75.5,40
spring,Corex,1.2,500
pump,Corex,310.0,2
"""
TRANSFERS = [
    {"when": "2025-03-01T10:00:00Z", "kind": "push", "size": 2_500_000},
    {"when": "2025-03-01T11:00:00Z", "kind": "pull", "size": 400},
    {"when": "2025-03-01T12:00:00Z", "kind": "push", "size": 90_000},
    {"when": "2025-03-01T13:00:00Z", "kind": "pull", "size": 7_000_000},
]
ARCHIVES = "name,size_mb\nold.zip,12\nnew.zip,3\n"
GIDERLER = "kalem,tutar\nkira,9000\nelektrik,750\nsu,300\n"


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    (tmp_path / "Spare parts list.csv").write_text(PARTS, encoding="utf-8")
    lines = "".join(json.dumps(row) + "\n" for row in TRANSFERS)
    (tmp_path / "transfers.ndjson").write_text(lines, encoding="utf-8")
    (tmp_path / "archives.csv").write_text(ARCHIVES, encoding="utf-8")
    (tmp_path / "muhasebe").mkdir()
    (tmp_path / "muhasebe" / "aylık_giderler.csv").write_text(GIDERLER, encoding="utf-8")
    return tmp_path


def step(op: Operation, kind: str) -> dict[str, Any]:
    found = [s for s in op.params["steps"] if s["op"] == kind]
    assert len(found) == 1, op.params
    return found[0]


def test_a_number_in_words_is_the_limit(ws: Path) -> None:
    op = ground(ws, "Save the four cheapest parts in Spare parts list.csv to out/cheap.csv")
    assert op.params["source"] == "Spare parts list.csv"
    assert step(op, "limit")["n"] == 4
    assert step(op, "sort")["by"] == [{"column": "price_eur", "desc": False}]


def test_a_turkish_number_word_with_its_ending_is_the_limit(ws: Path) -> None:
    op = ground(ws, "aylik_giderler.csv'yi tutara göre azalan sırala ve ilk ikisini göster", "tr")
    assert op.params["source"] == "muhasebe/aylık_giderler.csv"
    assert step(op, "limit")["n"] == 2


def test_a_size_unit_scales_the_number(ws: Path) -> None:
    op = ground(ws, "Filter transfers.ndjson to pushes larger than 2 MB")
    where = step(op, "filter")["where"]
    assert "`size` > 2000000" in where
    assert "`kind` == 'push'" in where  # the plural names the value: a second condition


def test_a_column_in_that_unit_is_not_guessed(ws: Path) -> None:
    """size_mb against "2 MB": megabytes or bytes? Not grounded, never a million times off."""
    assert (
        ground_data("rows of archives.csv with size_mb over 2 MB", "en", GroundContext(ws)) is None
    )


def test_a_currency_keeps_the_turkish_ending(ws: Path) -> None:
    op = ground(ws, "Spare parts list.csv dosyasında 100 eurodan pahalı parçaları listele", "tr")
    assert step(op, "filter")["where"] == "`price_eur` > 100"


def test_a_currency_word_after_a_number_is_read(ws: Path) -> None:
    op = ground(ws, "show the parts in Spare parts list.csv priced under 50 euros")
    assert step(op, "filter")["where"] == "`price_eur` < 50"


@pytest.mark.parametrize(
    ("text", "lang", "unread"),
    [
        ("show the suppliers in Spare parts list.csv beyond 50", "en", "'50'"),
        ("transfers.ndjson dosyasındaki türleri yedi kez göster", "tr", "'yedi'"),
    ],
)
def test_a_number_no_rule_reads_fails_honestly(ws: Path, text: str, lang: str, unread: str) -> None:
    """The safety net: a number the query would ignore makes the segment fail, naming it."""
    op = ground_data(text, lang, GroundContext(ws))
    assert op is not None and op.handler == "refuse", op
    assert unread in op.params["reason"]


def test_a_value_in_capitals_is_a_value_even_when_it_is_a_common_word(ws: Path) -> None:
    """ "DE" (a country code) is also the Turkish "de": written in capitals it is the value."""
    rows = [{"id": 1, "land": "DE"}, {"id": 2, "land": "NL"}, {"id": 3, "land": "DE"}]
    (ws / "visits.ndjson").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    from altlas.do.ground_data import ground_data_condition

    op = ground_data_condition("any visits from DE in visits.ndjson", "en", GroundContext(ws))
    assert op is not None
    assert step(op, "filter")["where"] == "`land` == 'DE'"


def test_after_a_date_in_words_compares_the_whole_date(ws: Path) -> None:
    """ "after 1 March 2025" is a date comparison, not "month is March" and "a number > 1"."""
    op = ground(ws, "list the transfers in transfers.ndjson after 1 March 2025")
    assert step(op, "filter")["where"] == "`when` > '2025-03-01'"


@pytest.mark.parametrize(
    "text",
    ["keep the first 3 rows of Spare parts list.csv", "the first three rows of transfers.ndjson"],
)
def test_the_first_rows_are_not_ranked_by_a_guessed_column(ws: Path, text: str) -> None:
    """ "first N rows" with no column: the first rows, never a sort by a column the file's
    name or another word suggests."""
    op = ground(ws, text)
    assert [s["op"] for s in op.params["steps"]] == ["limit"]
    assert step(op, "limit")["n"] == 3


def test_an_exclusion_no_rule_read_fails_honestly(ws: Path) -> None:
    op = ground_data(
        "show the two priciest parts in Spare parts list.csv except the first one",
        "en",
        GroundContext(ws),
    )
    assert op is not None and op.handler == "refuse"
    assert "'except'" in op.params["reason"]


def test_an_exclusion_read_as_a_filter_is_fine(ws: Path) -> None:
    op = ground(ws, "list the parts in Spare parts list.csv except the Acme ones")
    assert step(op, "filter")["where"] == "`supplier` != 'Acme'"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("How many stock units are there in total in Spare parts list.csv?", "en"),
        ("Spare parts list.csv'de toplam kaç stok var?", "tr"),
    ],
)
def test_how_many_before_a_numeric_column_totals_it(ws: Path, text: str, lang: str) -> None:
    op = ground(ws, text, lang)
    group = step(op, "group")
    assert group["by"] == []
    assert group["aggregate"][0]["fn"] == "sum"
    assert group["aggregate"][0]["column"] == "stock"


def test_how_many_before_a_word_that_is_no_column_counts_rows(ws: Path) -> None:
    op = ground(ws, "How many parts from Acme are in Spare parts list.csv?")
    group = step(op, "group")
    assert group["aggregate"][0]["fn"] == "count"
