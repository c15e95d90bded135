"""Edges where a wrong query would be a false success: text matches, comparisons with an
average, whole-table maxima, bare lists of a column, plain "show" with leftover words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from altlas.do.context import GroundContext
from altlas.do.ground_data import ground_data
from altlas.do.operations import Operation

STAFF = """id,first_name,last_name,team,pay,joined
1,Ana,Kaya,Core,7200,2019-03-01
2,Ben,Okafor,Sales,4100,2021-07-15
3,Cem,Koc,Core,6800,2020-11-30
"""


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    (tmp_path / "staff.csv").write_text(STAFF, encoding="utf-8")
    return tmp_path


def ground(ws: Path, text: str, lang: str = "en") -> Operation | None:
    return ground_data(text, lang, GroundContext(ws))


def steps(op: Operation | None, kind: str) -> list[dict[str, Any]]:
    assert op is not None
    return [s for s in op.params["steps"] if s["op"] == kind]


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        (
            "people in staff.csv whose last name starts with K",
            "en",
            "starts_with(`last_name`, 'K')",
        ),
        ("staff.csv rows where first_name contains 'an'", "en", "contains(`first_name`, 'an')"),
        ("staff.csv'de soyadı K ile başlayanlar", "tr", None),
        (
            "staff.csv'de last_name değeri 'ya' ile biten kişiler",
            "tr",
            "ends_with(`last_name`, 'ya')",
        ),
    ],
)
def test_text_matches(ws: Path, text: str, lang: str, expected: str | None) -> None:
    op = ground(ws, text, lang)
    if expected is None:  # "soyadı" is no column of this table: no guess
        assert op is None or (not steps(op, "filter") and op.params["steps"])
        return
    assert steps(op, "filter") == [{"op": "filter", "where": expected}]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("staff.csv: pay above average", "en"),
        ("staff.csv'de pay değeri ortalamanın üstünde olanlar", "tr"),
    ],
)
def test_above_average_is_not_an_average(ws: Path, text: str, lang: str) -> None:
    assert ground(ws, text, lang) is None


@pytest.mark.parametrize(
    ("text", "lang", "fn"),
    [
        ("What's the largest pay in staff.csv?", "en", "max"),
        ("staff.csv'deki en düşük pay nedir?", "tr", "min"),
    ],
)
def test_whole_table_extreme(ws: Path, text: str, lang: str, fn: str) -> None:
    (group,) = steps(ground(ws, text, lang), "group")
    assert group == {
        "op": "group",
        "by": [],
        "aggregate": [{"fn": fn, "column": "pay", "as": "pay"}],
    }


@pytest.mark.parametrize(
    ("text", "lang"),
    [("List the teams in staff.csv", "en"), ("staff.csv'deki team'leri listele", "tr")],
)
def test_list_a_column_lists_its_values(ws: Path, text: str, lang: str) -> None:
    op = ground(ws, text, lang)
    assert steps(op, "select") == [{"op": "select", "columns": ["team"]}] and steps(op, "distinct")


def test_group_by_without_aggregate_counts(ws: Path) -> None:
    (group,) = steps(ground(ws, "Group staff.csv by team"), "group")
    assert group["by"] == ["team"] and group["aggregate"][0]["fn"] == "count"


def test_show_with_words_left_over_is_not_the_whole_table(ws: Path) -> None:
    assert ground(ws, "show the staff.csv people who speak French") is None
    op = ground(ws, "show staff.csv")
    assert op is not None and op.params["steps"] == []


def test_value_alone_finds_the_table(ws: Path) -> None:
    op = ground(ws, "How many people work in Sales?")
    assert op is not None and op.params["source"] == "staff.csv"


def test_per_day_groups_by_the_date(ws: Path) -> None:
    (group,) = steps(ground(ws, "total pay per day in staff.csv"), "group")
    assert group["by"] == ["joined"]


def test_json_lines(ws: Path) -> None:
    op = ground(ws, "convert staff.csv to JSON Lines")
    assert op is not None and op.params["output"] == "staff.jsonl"
