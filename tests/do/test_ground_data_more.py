"""More data commands: price words, dates, ranges, dropping columns, distinct values, whole-table
aggregates, alphabetical order, most recent, cheapest (English and Turkish)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.do.ground_data_helpers import ground, limit, sort_by, steps, where, write_tables

BOOKS = """title,author,genre,pages,price,published
Snow,Orhan Pamuk,Novel,436,18.5,2002-01-01
The Forty Rules,Elif Şafak,Novel,350,14.0,2009-03-01
Dune,Frank Herbert,Fantasy,412,22.0,1965-08-01
Hobbit,J. R. R. Tolkien,Fantasy,310,12.5,1937-09-21
Cosmos,Carl Sagan,Science,396,16.0,1980-10-01
"""
KITAPLAR = """baslik,yazar,tur,sayfa,fiyat,yayin_tarihi
Kar,Orhan Pamuk,Roman,436,18.5,2002-01-01
Aşk,Elif Şafak,Roman,350,14.0,2009-03-01
Tutunamayanlar,Oğuz Atay,Roman,724,30.0,1972-01-01
Nutuk,Mustafa Kemal,Tarih,600,25.0,2023-05-19
"""
MEMBERS = [
    {"member": "ayla", "email": "a@x.org", "city": "Izmir", "joined": "2023-11-02"},
    {"member": "bora", "email": "b@x.org", "city": "Bursa", "joined": "2024-02-15"},
    {"member": "cem", "email": "a@x.org", "city": "Izmir", "joined": "2024-06-30"},
]


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return write_tables(
        tmp_path, {"books.csv": BOOKS, "kitaplar.csv": KITAPLAR, "members.json": MEMBERS}
    )


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Sort members.json by member alphabetically", "en", [("member", False)]),
        ("sort members.json by member from Z to A", "en", [("member", True)]),
        ("books.csv'yi fiyata göre pahalıdan ucuza sırala", "tr", [("price", True)]),
        ("kitaplar.csv dosyasını yazara göre A'dan Z'ye sırala", "tr", [("yazar", False)]),
        ("kitaplar.csv dosyasini yazara gore Z'den A'ya sirala", "tr", [("yazar", True)]),
    ],
)
def test_orders(ws: Path, text: str, lang: str, expected: list[tuple[str, bool]]) -> None:
    assert sort_by(ground(ws, text, lang)) == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("books in books.csv cheaper than 15", "en", "`price` < 15"),
        ("books in books.csv more expensive than 20", "en", "`price` > 20"),
        ("books with between 300 and 400 pages in books.csv", "en", "`pages` between 300 and 400"),
        ("members who joined after 2024-01-01 in members.json", "en", "`joined` > '2024-01-01'"),
        ("books by Orhan Pamuk or Carl Sagan in books.csv", "en", None),
        ("kitaplar.csv'de fiyatı 15'ten ucuz olan kitaplar", "tr", "`fiyat` < 15"),
        (
            "kitaplar.csv'de sayfa 400 ile 700 arasında olan kitaplar",
            "tr",
            "`sayfa` between 400 and 700",
        ),
        (
            "kitaplar.csv'de 2000-01-01'den sonra yayınlanan kitaplar",
            "tr",
            "`yayin_tarihi` > '2000-01-01'",
        ),
        (
            "kitaplar.csv'de Orhan Pamuk veya Elif Şafak kitapları",
            "tr",
            "`yazar` in ('Orhan Pamuk', 'Elif Şafak')",
        ),
    ],
)
def test_filters(ws: Path, text: str, lang: str, expected: str | None) -> None:
    found = where(ground(ws, text, lang))
    if expected is not None:
        assert found == expected
    else:
        assert found.startswith("`author` in (") and "Orhan Pamuk" in found


def test_two_conditions(ws: Path) -> None:
    found = where(ground(ws, "books.csv rows where pages > 400 and genre is Fantasy"))
    assert "`pages` > 400" in found and "`genre` == 'Fantasy'" in found and " and " in found


@pytest.mark.parametrize(
    ("text", "lang", "fn", "column"),
    [
        ("What is the average price in books.csv?", "en", "mean", "price"),
        ("kitaplar.csv'de ortalama fiyat nedir?", "tr", "mean", "fiyat"),
        ("what is the total number of pages in books.csv", "en", "sum", "pages"),
    ],
)
def test_whole_table_aggregate(ws: Path, text: str, lang: str, fn: str, column: str) -> None:
    op = ground(ws, text, lang)
    (group,) = steps(op, "group")
    assert group["by"] == [] and group["aggregate"][0]["fn"] == fn
    assert group["aggregate"][0]["column"] == column
    assert op.produces == "value"


@pytest.mark.parametrize(
    ("text", "lang", "column", "desc", "n"),
    [
        ("show the 2 most recent books from books.csv", "en", "published", True, 2),
        ("the cheapest book in books.csv", "en", "price", False, 1),
        ("the 3 most expensive books in books.csv", "en", "price", True, 3),
        ("kitaplar.csv'deki en ucuz 2 kitap", "tr", "fiyat", False, 2),
        ("kitaplar.csv'de en pahalı kitap hangisi", "tr", "fiyat", True, 1),
        ("kitaplar.csv'deki en yeni 2 kitap", "tr", "yayin_tarihi", True, 2),
    ],
)
def test_ranked(ws: Path, text: str, lang: str, column: str, desc: bool, n: int) -> None:
    op = ground(ws, text, lang)
    assert sort_by(op) == [(column, desc)] and limit(op) == n


@pytest.mark.parametrize(
    ("text", "lang"),
    [("first 2 rows of books.csv", "en"), ("kitaplar.csv'nin ilk 2 satırını göster", "tr")],
)
def test_head(ws: Path, text: str, lang: str) -> None:
    op = ground(ws, text, lang)
    assert limit(op) == 2 and not steps(op, "sort")


@pytest.mark.parametrize(
    ("text", "lang", "kept"),
    [
        (
            "drop the email column from members.json and save as out/m.csv",
            "en",
            ["member", "city", "joined"],
        ),
        (
            "kitaplar.csv'den yazar sütununu çıkar",
            "tr",
            ["baslik", "tur", "sayfa", "fiyat", "yayin_tarihi"],
        ),
    ],
)
def test_drop_column(ws: Path, text: str, lang: str, kept: list[str]) -> None:
    assert steps(ground(ws, text, lang), "select") == [{"op": "select", "columns": kept}]


@pytest.mark.parametrize(
    ("text", "lang", "column"),
    [
        ("list the unique cities in members.json", "en", "city"),
        ("kitaplar.csv'deki farklı yazarları listele", "tr", "yazar"),
    ],
)
def test_distinct_values(ws: Path, text: str, lang: str, column: str) -> None:
    op = ground(ws, text, lang)
    assert steps(op, "select") == [{"op": "select", "columns": [column]}]
    assert steps(op, "distinct")


def test_dedupe_on_a_column(ws: Path) -> None:
    op = ground(ws, "remove duplicate emails from members.json")
    assert steps(op, "distinct") == [{"op": "distinct", "columns": ["email"]}]


def test_argmax_with_total(ws: Path) -> None:
    op = ground(ws, "which genre has the highest total price in books.csv")
    (group,) = steps(op, "group")
    assert group["by"] == ["genre"] and group["aggregate"][0]["fn"] == "sum"
    assert sort_by(op) == [("price", True)] and limit(op) == 1


def test_group_mean_of_named_column_tr(ws: Path) -> None:
    op = ground(ws, "kitaplar.csv'de her türün ortalama sayfa sayısı", "tr")
    (group,) = steps(op, "group")
    assert group["by"] == ["tur"] and group["aggregate"][0] == {
        "fn": "mean",
        "column": "sayfa",
        "as": "sayfa",
    }


def test_count_filtered_tr(ws: Path) -> None:
    op = ground(ws, "kitaplar.csv'de türü Roman olan kitapların sayısı", "tr")
    assert where(op) == "`tur` == 'Roman'" and op.params["steps"][-1]["aggregate"] == [
        {"fn": "count", "as": "count"}
    ]
