"""Turkish data commands (with and without diacritics) become precise ``query`` operations."""

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
"""
PERSONEL = """ad,departman,maas,sehir,baslangic_tarihi
Ayla Kurt,Muhasebe,5200,Izmir,2020-04-01
Burak Er,Satis,3900,Bursa,2022-11-15
Cem Tas,Satis,4700,Izmir,2018-06-30
"""
DEPO = """urun_kodu,urun_adi,stok,kritik_seviye
K-1,Kalem,120,50
K-2,Silgi,8,20
K-3,Defter,35,40
"""


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    people = [{"isim": "Ece", "il": "Ankara"}, {"isim": "Tuna", "il": "Mersin"}]
    tables = {"shop/orders.csv": ORDERS, "personel.csv": PERSONEL, "depo.csv": DEPO}
    return write_tables(tmp_path, {**tables, "kisiler.json": people})


def ground(ws: Path, text: str, previous: Operation | None = None) -> Operation:
    return ground_query(ws, text, "tr", previous)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("shop/orders.csv dosyasını adet sütununa göre azalan sırala", [("qty", True)]),
        ("shop/orders.csv'yi birim fiyatına göre artan şekilde sırala", [("unit_price", False)]),
        ("personel.csv dosyasını maaşa göre çoktan aza sırala", [("maas", True)]),
        ("personel.csv dosyasini maasa gore coktan aza sirala", [("maas", True)]),
        (
            "personel.csv'yi başlangıç tarihine göre yeniden eskiye sırala",
            [("baslangic_tarihi", True)],
        ),
        ("depo.csv'yi stoğa göre azdan çoğa sırala", [("stok", False)]),
        ("depo.csv'yi stok miktarına göre büyükten küçüğe sırala", [("stok", True)]),
    ],
)
def test_sort(ws: Path, text: str, expected: list[tuple[str, bool]]) -> None:
    assert sort_by(ground(ws, text)) == expected


def test_sort_with_output(ws: Path) -> None:
    op = ground(ws, "personel.csv dosyasını maaşa göre azalan sırala ve out/maas.csv olarak kaydet")
    assert op.params["source"] == "personel.csv" and op.params["output"] == "out/maas.csv"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("shop/orders.csv'de şehri Izmir olan satırları filtrele", "`city` == 'Izmir'"),
        ("shop/orders.csv'de sehri izmir olan satirlari filtrele", "`city` == 'Izmir'"),
        ("shop/orders.csv'den yalnızca Lamp ürününe ait satırları al", "`item` == 'Lamp'"),
        ("shop/orders.csv'deki Bursa siparişlerini bul", "`city` == 'Bursa'"),
        ("kisiler.json'da ili Mersin olan kişileri bul", "`il` == 'Mersin'"),
        ("personel.csv'de maaşı 4000'den fazla olanları bul", "`maas` > 4000"),
        ("personel.csv'de maasi 4000'den buyuk olanlari bul", "`maas` > 4000"),
        ("depo.csv'de stoğu 20'nin altında olan ürünleri bul", "`stok` < 20"),
        ("depo.csv'de stogu 20'nin altinda olan urunleri bul", "`stok` < 20"),
        ("depo.csv'de stoğu kritik seviyenin altında olan ürünler", "`stok` < `kritik_seviye`"),
        ("shop/orders.csv'de en az 5 adet olan siparişler", "`qty` >= 5"),
        ("personel.csv'de departmanı Satis olmayan kişiler", "`departman` != 'Satis'"),
    ],
)
def test_filter(ws: Path, text: str, expected: str) -> None:
    assert where(ground(ws, text)) == expected


def test_select(ws: Path) -> None:
    op = ground(ws, "personel.csv'nin sadece ad ve sehir sütunlarını al, out/k.csv olarak kaydet")
    assert steps(op, "select") == [{"op": "select", "columns": ["ad", "sehir"]}]
    assert op.params["output"] == "out/k.csv"


def test_group_sum_each(ws: Path) -> None:
    op = ground(ws, "shop/orders.csv'de her şehrin toplam adedini hesapla")
    (group,) = steps(op, "group")
    assert group["by"] == ["city"]
    assert group["aggregate"] == [{"fn": "sum", "column": "qty", "as": "qty"}]


def test_group_mean_per(ws: Path) -> None:
    op = ground(ws, "personel.csv'de departman başına ortalama maaş nedir?")
    (group,) = steps(op, "group")
    assert group["by"] == ["departman"]
    assert group["aggregate"][0]["fn"] == "mean" and group["aggregate"][0]["column"] == "maas"


def test_group_per_month_count(ws: Path) -> None:
    op = ground(ws, "shop/orders.csv'de her ay kaç sipariş var?")
    (derive,) = steps(op, "derive")
    assert derive["expr"] == "year_month(`order_date`)"
    (group,) = steps(op, "group")
    assert group["by"] == [derive["column"]] and group["aggregate"][0]["fn"] == "count"


def test_group_per_month_sum(ws: Path) -> None:
    op = ground(ws, "shop/orders.csv'ye göre her ay toplam kaç adet satılmış?")
    (group,) = steps(op, "group")
    assert group["aggregate"][0]["fn"] == "sum" and group["aggregate"][0]["column"] == "qty"


def test_group_derived(ws: Path) -> None:
    op = ground(ws, "shop/orders.csv'de her şehrin toplam gelirini (qty × unit_price) hesapla")
    (derive,) = steps(op, "derive")
    assert derive["expr"] == "`qty` * `unit_price`"
    (group,) = steps(op, "group")
    assert group["by"] == ["city"] and group["aggregate"][0]["column"] == derive["column"]


def test_top_n(ws: Path) -> None:
    op = ground(ws, "shop/orders.csv'deki adedi en yüksek 2 siparişi out/en.csv olarak kaydet")
    assert sort_by(op) == [("qty", True)]
    assert steps(op, "limit") == [{"op": "limit", "n": 2}]
    assert op.params["output"] == "out/en.csv"


def test_bottom_n(ws: Path) -> None:
    op = ground(ws, "personel.csv'deki maaşı en düşük 2 kişi")
    assert sort_by(op) == [("maas", False)]
    assert steps(op, "limit") == [{"op": "limit", "n": 2}]


def test_dedupe(ws: Path) -> None:
    assert steps(ground(ws, "shop/orders.csv'deki tekrarlanan satırları kaldır"), "distinct")


def test_convert_default(ws: Path) -> None:
    op = ground(ws, "depo.csv'yi JSON'a çevir")
    assert op.params["steps"] == [] and op.params["output"] == "depo.json"


def test_convert_named(ws: Path) -> None:
    op = ground(ws, "kisiler.json dosyasını CSV'ye dönüştür ve out/k.csv adıyla kaydet")
    assert op.params["steps"] == [] and op.params["output"] == "out/k.csv"


def test_count_rows(ws: Path) -> None:
    op = ground(ws, "shop/orders.csv'de kaç satır var?")
    assert op.params["steps"][-1]["aggregate"] == [{"fn": "count", "as": "count"}] and not steps(
        op, "filter"
    )


def test_count_filtered(ws: Path) -> None:
    op = ground(ws, "shop/orders.csv'de Izmir'den kaç sipariş var?")
    assert where(op) == "`city` == 'Izmir'" and op.params["steps"][-1]["aggregate"] == [
        {"fn": "count", "as": "count"}
    ]


def test_chain_sort(ws: Path) -> None:
    first = ground(ws, "depo.csv'de stoğu 50'nin altında olan ürünleri bul")
    op = ground(ws, "sonra bunları stoğa göre artan şekilde sırala", previous=first)
    assert "source" not in op.params and sort_by(op) == [("stok", False)]


@pytest.mark.parametrize(
    "text",
    [
        "bunu out/sonuc.csv olarak kaydet",
        "sonucu out/sonuc.json dosyasına yaz",
        "out/s.csv adıyla kaydet",
    ],
)
def test_save_only(ws: Path, text: str) -> None:
    first = ground(ws, "depo.csv'yi stoğa göre sırala")
    op = ground(ws, text, previous=first)
    assert op.params["steps"] == [] and op.params["output"].startswith("out/s")


def test_argmax_named_measure(ws: Path) -> None:
    first = ground(ws, "shop/orders.csv'de her şehrin toplam adedini hesapla")
    op = ground(ws, "ve en yüksek adetli şehri söyle", previous=first)
    assert sort_by(op) == [("qty", True)] and steps(op, "limit") == [{"op": "limit", "n": 1}]


def test_argmax_implied_measure(ws: Path) -> None:
    first = ground(ws, "shop/orders.csv'de her şehrin toplam adedini hesapla")
    op = ground(ws, "en çok satan şehir hangisi", previous=first)
    assert sort_by(op) == [("qty", True)]


def test_condition_columns(ws: Path) -> None:
    text = "Eğer depo.csv'de stoğu kritik seviyenin altına düşmüş ürün varsa"
    op = ground_data_condition(text, "tr", GroundContext(ws))
    assert op is not None and where(op) == "`stok` < `kritik_seviye`"


def test_condition_zero(ws: Path) -> None:
    op = ground_data_condition("depo.csv'de stoğu sıfır olan ürün varsa", "tr", GroundContext(ws))
    assert op is not None and where(op) == "`stok` == 0"


def test_unknown_column_is_none(ws: Path) -> None:
    assert ground_data("depo.csv'yi renge göre sırala", "tr", GroundContext(ws)) is None
