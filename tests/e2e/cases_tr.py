"""Turkish single-step cases (data, file, text) against the own fixture; every figure is computed
by fixture_data. About a third are typed without Turkish letters, as people do on an English keyboard."""

# Commands are data typed as people type them; wrapping them would hide what is asked.
# Each function is one category's table of case literals; it runs past 60 lines on purpose,
# because splitting a table would scatter it.
# ruff: noqa: E501

from __future__ import annotations

import fixture_data as fx
from case_format import Case, case

ORDERS, EMPLOYEES, STOCK, PRODUCTS = "orders.csv", "employees.json", "stock.ndjson", "products.csv"
LOG, TASKS, MEETING = "logs/server.log", "tasks.txt", "ekip_toplantisi.md"


def _data() -> list[Case]:
    orders, staff, stock, products = (
        fx.table(ORDERS),
        fx.table(EMPLOYEES),
        fx.table(STOCK),
        fx.table(PRODUCTS),
    )
    books = fx.where(orders, lambda r: r["category"] == "Books")
    heads = fx.group_count(staff, "department")
    by_city = fx.group(orders, "city", lambda r: r["quantity"])
    bottom3, fourth = fx.top(stock, "qty", 3, desc=False)
    cancelled = fx.where(orders, lambda r: r["status"] == "cancelled")
    return [
        case(
            "own-tr-001",
            "data",
            "orders.csv dosyasını sipariş tarihine göre yeniden eskiye sırala, reports/siparis_tarih.csv "
            "olarak kaydet",
            f"'sipariş tarihi' is order_date; all {len(orders)} rows, ISO dates descending.",
            status="success",
            files={
                "reports/siparis_tarih.csv": {
                    "csv_rows": len(orders),
                    "csv_columns": fx.header(ORDERS),
                    "csv_sorted": {"column": "order_date", "desc": True},
                },
                ORDERS: {"unchanged": True},
            },
        ),
        case(
            "own-tr-002",
            "data",
            "orders.csv'den kategorisi Books olan siparişleri ayıkla ve reports/kitap_siparisleri.csv "
            "dosyasına yaz",
            f"{len(books)} Books orders.",
            status="success",
            files={
                "reports/kitap_siparisleri.csv": {
                    "csv_rows": len(books),
                    "csv_all": {"column": "category", "equals": "Books"},
                }
            },
        ),
        case(
            "own-tr-003",
            "data",
            "employees.json'da her departmanda kaç kişi çalışıyor?",
            f"Head count by department: {fx.pairs(heads)}.",
            status="success",
            answer=fx.flat(heads),
        ),
        case(
            "own-tr-004",
            "data",
            "orders.csv'ye gore sehir basina toplam adet ne kadar?",
            f"No diacritics; 'adet' is quantity, summed by city: {fx.pairs(by_city)}.",
            status="success",
            answer=fx.flat(by_city),
        ),
        case(
            "own-tr-005",
            "data",
            "stock.ndjson'daki en az stoklu 3 ürünü göster",
            f"Lowest qty: {fx.values(bottom3, 'sku')}; the 4th ({fourth['sku']}) has {fourth['qty']}. "
            "The answer may name them by sku or by item.",
            status="success",
            answer=[[r["sku"], r["item"]] for r in bottom3],
        ),
        case(
            "own-tr-006",
            "data",
            "products.csv dosyasini JSON'a cevir ve reports/urunler.json olarak kaydet",
            f"No diacritics; {len(products)} rows become {len(products)} records (duplicates kept).",
            status="success",
            files={
                "reports/urunler.json": {
                    "json_len": len(products),
                    "contains": ["Watering Can", "Kalem Ltd"],
                },
                PRODUCTS: {"unchanged": True},
            },
        ),
        case(
            "own-tr-007",
            "data",
            "employees.json'dan sadece name, city ve salary alanlarını alıp reports/maaslar.csv olarak kaydet",
            f"Three named fields of {len(staff)} records, in the named order.",
            status="success",
            files={
                "reports/maaslar.csv": {
                    "csv_rows": len(staff),
                    "csv_columns": ["name", "city", "salary"],
                    "not_contains": ["Engineering"],
                }
            },
        ),
        case(
            "own-tr-008",
            "data",
            "orders.csv'de durumu cancelled olan siparisleri say",
            f"No diacritics; 'say' is count: {len(cancelled)} cancelled orders.",
            status="success",
            answer=[str(len(cancelled))],
        ),
    ]


def _files() -> list[Case]:
    tasks, api = fx.lines(TASKS), fx.lines("docs/api.rst")
    docs = [p.split("/")[-1] for p in fx.fixture_files() if p.startswith("docs/")]
    return [
        case(
            "own-tr-009",
            "file",
            "reports/duyuru.txt adında bir dosya oluştur, içeriği: Dükkan pazar günü kapalıdır",
            "A new file with the dictated sentence.",
            status="success",
            files={"reports/duyuru.txt": {"contains": ["Dükkan pazar günü kapalıdır"]}},
        ),
        case(
            "own-tr-010",
            "file",
            "tasks.txt'nin sonuna 'Kasa defterini kapat' satirini ekle",
            "No diacritics; append keeps the old lines.",
            status="success",
            files={TASKS: {"contains": ["Kasa defterini kapat", tasks[0], tasks[-1]]}},
        ),
        case(
            "own-tr-011",
            "file",
            "docs/api.rst dosyasını reports klasörüne kopyala",
            "Copy into a folder keeps the name; the original stays.",
            status="success",
            files={
                "reports/api.rst": {"contains": [api[0], api[-1]]},
                "docs/api.rst": {"unchanged": True},
            },
        ),
        case(
            "own-tr-012",
            "file",
            "docs klasöründe hangi dosyalar var?",
            f"docs/ holds {sorted(docs)}.",
            status="success",
            answer=sorted(docs),
        ),
        case(
            "own-tr-013",
            "file",
            "ekip_toplantisi.md dosyasini arsiv klasorune tasi",
            "No diacritics; a move into a new folder: the old path is gone.",
            status="success",
            files={
                MEETING: {"exists": False},
                "arsiv/ekip_toplantisi.md": {
                    "contains": ["Mağaza Ekibi Haftalık Toplantısı", "Sonraki Toplantı"]
                },
            },
        ),
    ]


def _text() -> list[Case]:
    logins = fx.grep(LOG, "login")
    moved = fx.text(MEETING).replace("Salı", "Perşembe")
    if fx.text(MEETING).count("Salı") != 1 or "sali" in moved.lower().replace("ı", "i"):
        raise ValueError("ekip_toplantisi.md should mention Salı exactly once")
    return [
        case(
            "own-tr-014",
            "text",
            "logs/server.log kac satir?",
            f"No diacritics; {len(fx.lines(LOG))} lines.",
            status="success",
            answer=[str(len(fx.lines(LOG)))],
        ),
        case(
            "own-tr-015",
            "text",
            "alisveris_listesi.txt dosyasinda kac kelime var",
            f"No diacritics; plain words: {fx.word_count('alisveris_listesi.txt')} (wc -w).",
            status="success",
            answer=[str(fx.word_count("alisveris_listesi.txt"))],
        ),
        case(
            "own-tr-016",
            "text",
            "logs/server.log içinde 'login' geçen satırları bul ve reports/girisler.txt dosyasına kaydet",
            f"{len(logins)} lines mention login; no sale or disk line.",
            status="success",
            files={
                "reports/girisler.txt": {
                    "contains": fx.log_times(logins),
                    "not_contains": ["sale:", "disk"],
                }
            },
        ),
        case(
            "own-tr-017",
            "text",
            "ekip_toplantisi.md'yi özetle, özeti reports/ozet.md'ye yaz",
            "A faithful summary of the store meeting mentions the stock count, the sale or the terminal.",
            status="success",
            files={
                "reports/ozet.md": {"contains": [["envanter", "indirim", "terminal"]]},
                MEETING: {"unchanged": True},
            },
        ),
        case(
            "own-tr-018",
            "text",
            "ekip_toplantisi.md'nin kopyasını reports/toplanti_yeni.md olarak oluştur ve kopyada 'Salı' "
            "yerine 'Perşembe' yaz",
            "Replace in the copy only; Salı occurs once.",
            status="success",
            files={
                "reports/toplanti_yeni.md": {
                    "contains": ["Perşembe", "Mağaza Ekibi"],
                    "not_contains": ["Salı"],
                },
                MEETING: {"unchanged": True},
            },
        ),
    ]


def cases() -> list[Case]:
    return _data() + _files() + _text()
