"""True/false columns named by a word, in English and Turkish."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from altlas.do.context import GroundContext
from altlas.do.ground_data import ground_data

MEMBERS = [
    {"member": "ayla", "city": "Izmir", "is_active": True, "paid": False},
    {"member": "bora", "city": "Bursa", "is_active": False, "paid": True},
]


@pytest.fixture
def ctx(tmp_path: Path) -> GroundContext:
    (tmp_path / "members.json").write_text(json.dumps(MEMBERS), encoding="utf-8")
    return GroundContext(tmp_path)


@pytest.mark.parametrize(
    ("text", "lang", "where"),
    [
        ("list the active members in members.json", "en", "`is_active` == true"),
        ("list the inactive members in members.json", "en", "`is_active` == false"),
        ("members.json: who has not paid?", "en", "`paid` == false"),
        ("show the unpaid members of members.json", "en", "`paid` == false"),
        ("members.json dosyasındaki active olmayan üyeleri listele", "tr", "`is_active` == false"),
        ("members.json'daki aktif üyeleri listele", "tr", "`is_active` == true"),
        ("members.json'daki pasif üyeleri listele", "tr", "`is_active` == false"),
        ("list the members of members.json who haven't paid", "en", "`paid` == false"),
        ("members.json'da aktif görünmeyen üyeleri listele", "tr", "`is_active` == false"),
    ],
)
def test_a_word_naming_a_flag_filters_on_it(
    ctx: GroundContext, text: str, lang: str, where: str
) -> None:
    op = ground_data(text, lang, ctx)
    assert op is not None and op.handler == "data", op
    assert {"op": "filter", "where": where} in op.params["steps"]


def test_sorting_by_a_flag_or_naming_its_column_is_no_filter(ctx: GroundContext) -> None:
    op = ground_data("sort members.json by paid", "en", ctx)
    assert op is not None
    assert all(step["op"] != "filter" for step in op.params["steps"])
