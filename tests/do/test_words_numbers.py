"""Numbers written as words, and units read into their number, in English and Turkish."""

from __future__ import annotations

import pytest

from altlas.do.ground_data_words import tokenize
from altlas.do.words import number_in_words


@pytest.mark.parametrize(
    ("word", "lang", "expected"),
    [
        ("seven", "en", (7, "")),
        ("twelve", None, (12, "")),
        ("thirty-two", "en", (32, "")),
        ("dozen", "en", (12, "")),
        ("altı", "tr", (6, "")),
        ("yedisini", "tr", (7, "sini")),
        ("dördünü", "tr", (4, "unu")),
        ("on", "tr", (10, "")),
        ("yirmi", "tr", (20, "")),
    ],
)
def test_number_words(word: str, lang: str | None, expected: tuple[int, str]) -> None:
    assert number_in_words(word, lang) == expected


@pytest.mark.parametrize(
    ("word", "lang"),
    [
        ("on", None),  # English "on"
        ("on", "en"),
        ("onu", "tr"),  # "it", not "ten"
        ("biri", "tr"),  # "someone"
        ("yüzde", "tr"),  # "percent"
        ("ucak", "tr"),
        ("seventy-two-one", "en"),
        ("tenth", "en"),
    ],
)
def test_words_that_are_not_numbers(word: str, lang: str | None) -> None:
    assert number_in_words(word, lang) is None


def _numbers(text: str, lang: str) -> list[tuple[str, float | None, str, str]]:
    return [(t.kind, t.number, t.suffix, t.unit) for t in tokenize(text, lang) if t.number]


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("the seven longest trips", "en", [("num", 7.0, "", "")]),
        ("twenty five rows", "en", [("num", 25.0, "", "")]),
        ("ilk dokuzunu", "tr", [("num", 9.0, "unu", "")]),
        ("on iki kayıt", "tr", [("num", 12.0, "", "")]),
        ("files over 3 GB", "en", [("num", 3e9, "", "gb")]),
        ("files over 2MiB", "en", [("num", 2.0 * 2**20, "", "mib")]),
        ("more than 4 thousand", "en", [("num", 4000.0, "", "")]),
        ("5 binden fazla", "tr", [("num", 5000.0, "den", "")]),
        ("60 dolardan ucuz", "tr", [("num", 60.0, "dan", "money")]),
        ("under 20 euros", "en", [("num", 20.0, "", "money")]),
        ("40 TL'den pahalı", "tr", [("num", 40.0, "den", "money")]),
        ("which one is it", "en", [("word", 1.0, "", "")]),
    ],
)
def test_quantities_become_one_number_token(
    text: str, lang: str, expected: list[tuple[str, float, str, str]]
) -> None:
    assert _numbers(text, lang) == expected


@pytest.mark.parametrize(
    ("text", "iso", "suffix"),
    [
        ("joined after 3 March 2021", "2021-03-03", ""),
        ("joined before the 2nd of July 2019", "2019-07-02", ""),
        ("joined after September 30, 2022", "2022-09-30", ""),
        ("12 Şubat 2023'ten önce", "2023-02-12", "ten"),
        ("4 Aralık 2020 tarihinden sonra", "2020-12-04", ""),
    ],
)
def test_a_date_in_words_is_one_date_token(text: str, iso: str, suffix: str) -> None:
    dates = [t for t in tokenize(text, None) if t.kind == "date"]
    assert [(t.text, t.suffix) for t in dates] == [(iso, suffix)]


@pytest.mark.parametrize("text", ["30 February 2021", "in March 2021", "3 March", "May 40 2020"])
def test_no_date_without_a_real_day_month_and_year(text: str) -> None:
    assert not [t for t in tokenize(text, None) if t.kind == "date"]
