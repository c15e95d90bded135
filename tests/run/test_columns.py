"""Column words as people say them, matched against real headers (altlas.run.columns)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from altlas.run.columns import ColumnError, columns_match, fold, resolve_column

SALES = ["date", "region", "product", "units", "price"]
INVENTORY = ["sku", "name", "stock", "reorder_level"]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("units", "units"),
        ("UNITS", "units"),
        ("Units", "units"),
        ("unit", "units"),
        ("birim", "units"),
        ("Birimi", "units"),
        ("adet", "units"),
        ("bölge", "region"),
        ("BÖLGE", "region"),
        ("bolge", "region"),
        ("bölgeye", "region"),
        ("fiyat", "price"),
        ("fiyatı", "price"),
        ("FİYAT", "price"),
        ("ürün", "product"),
        ("urun", "product"),
        ("tarih", "date"),
        ("regoin", "region"),
        ("prce", "price"),
    ],
)
def test_sales_words(word: str, expected: str) -> None:
    assert resolve_column(word, SALES) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Stok", "stock"),
        ("stoğu", "stock"),
        ("stogu", "stock"),
        ("stoku", "stock"),
        ("stok miktarı", "stock"),
        ("STOK MİKTARI", "stock"),
        ("reorder level", "reorder_level"),
        ("Reorder-Level", "reorder_level"),
        ("yeniden sipariş seviyesi", "reorder_level"),
        ("yeniden siparis seviyesi", "reorder_level"),
        ("isim", "name"),
        ("ad", "name"),
        ("adı", "name"),
        ("SKU", "sku"),
    ],
)
def test_inventory_words(word: str, expected: str) -> None:
    assert resolve_column(word, INVENTORY) == expected


def test_turkish_headers_take_english_words() -> None:
    """Role words work both ways: a Turkish header answers to the English word."""
    header = ["Tarih", "Bölge", "Ürün", "Birim", "Fiyat", "Şehir", "Müşteri", "E-posta"]
    assert resolve_column("region", header) == "Bölge"
    assert resolve_column("units", header) == "Birim"
    assert resolve_column("city", header) == "Şehir"
    assert resolve_column("customer", header) == "Müşteri"
    assert resolve_column("email", header) == "E-posta"
    assert resolve_column("sehir", header) == "Şehir"


def test_inflected_phrases_and_compound_heads() -> None:
    """Turkish case endings on phrases, and the last word of a compound as its head."""
    assert resolve_column("stok miktarına", INVENTORY) == "stock"
    assert resolve_column("stoğuna", INVENTORY) == "stock"
    assert resolve_column("yeniden sipariş seviyesinin", INVENTORY) == "reorder_level"
    customers = ["id", "name", "city", "email", "signup_date"]
    assert resolve_column("kayıt tarihi", customers) == "signup_date"
    assert resolve_column("signup date", customers) == "signup_date"
    assert resolve_column("şehrine", customers) == "city"
    assert resolve_column("e-posta", customers) == "email"
    assert columns_match("kayıt tarihi", ["signup_date", "birth_date"]) is None


def test_quantity_and_amount_roles() -> None:
    assert resolve_column("adet", ["item", "quantity"]) == "quantity"
    assert resolve_column("miktar", ["item", "amount"]) == "amount"
    assert resolve_column("gelir", ["month", "revenue"]) == "revenue"
    assert resolve_column("price", ["sku", "unit_price"]) == "unit_price"


def test_fold_turkish_letters() -> None:
    assert fold("İSTANBUL Şehir_Adı") == "istanbul sehir adi"
    assert fold("ıIiİ") == "iiii"
    assert fold("çğöüş ÇĞÖÜŞ") == "cgous cgous"


@pytest.mark.parametrize("word", ["colour", "xyz", "total", "pr", "level_of_doom"])
def test_unknown_word_fails_in_one_line(word: str) -> None:
    with pytest.raises(ColumnError) as caught:
        resolve_column(word, SALES)
    message = str(caught.value)
    assert "\n" not in message
    assert f"'{word}'" in message
    assert "date, region, product, units, price" in message
    assert columns_match(word, SALES) is None


def test_never_guesses_between_close_columns() -> None:
    """Two columns equally near the word: an error naming both, not a coin toss."""
    with pytest.raises(ColumnError, match="could be any of"):
        resolve_column("region", ["Region", "REGION"])
    assert columns_match("price", ["price_usd", "price_eur"]) is None
    assert columns_match("nam", ["name", "names_x"]) is None


def test_exact_spelling_wins_over_folding() -> None:
    assert resolve_column("Region", ["region", "Region"]) == "Region"


def test_empty_inputs() -> None:
    with pytest.raises(ColumnError):
        resolve_column("", SALES)
    with pytest.raises(ColumnError, match="no columns"):
        resolve_column("units", [])


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_any_text_gives_a_column_or_none(word: str) -> None:
    found = columns_match(word, SALES + INVENTORY)
    assert found is None or found in SALES + INVENTORY


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200), st.lists(st.text(min_size=1, max_size=50), max_size=40))
def test_errors_stay_one_short_line(word: str, header: list[str]) -> None:
    """Hostile words and headers (newlines, 200 characters) still give one readable line."""
    try:
        found = resolve_column(word, header)
    except ColumnError as exc:
        assert "\n" not in str(exc) and "\r" not in str(exc)
        assert len(str(exc)) < 2500
    else:
        assert found in header
