"""What a correct tool does for each own case, written plainly with fixture_data (see oracle.py).

Each action takes the workspace writer and returns (exit code, answer text)."""

# One case per line reads as a table; wrapping would hide which case does what.
# ruff: noqa: E501

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import fixture_data as fx

Action = Callable[[Any], tuple[int, str]]
OK, REFUSED = 0, 1
ORDERS, STAFF, STOCK, PRODUCTS = (
    fx.table("orders.csv"),
    fx.table("employees.json"),
    fx.table("stock.ndjson"),
    fx.table("products.csv"),
)
LOG, MEETING = "logs/server.log", "ekip_toplantisi.md"


def _by(rows: list[dict[str, Any]], column: str, *, desc: bool) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: r[column], reverse=desc)


def _distinct(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        seen.setdefault(tuple(row.values()), row)
    return list(seen.values())


def _revenue(key: str) -> list[dict[str, Any]]:
    sums = fx.group(ORDERS, key, lambda r: r["quantity"] * r["unit_price"])
    return [{key: k, "revenue": round(v, 2)} for k, v in sums.items()]


def _done(answer: str = "done") -> tuple[int, str]:
    return OK, answer


def _refuse(_: Any) -> tuple[int, str]:
    return REFUSED, "not something this tool can do"


def _then(*steps: Callable[[], object], answer: str = "done") -> tuple[int, str]:
    for step in steps:
        step()
    return OK, answer


def _below() -> list[dict[str, Any]]:
    return fx.where(STOCK, lambda r: r["qty"] < r["min_qty"])


def _select(rows: list[dict[str, Any]], *columns: str) -> list[dict[str, Any]]:
    return [{c: r[c] for c in columns} for r in rows]


# fmt: off
ENGLISH: dict[str, Action] = {
    "own-en-001": lambda w: _then(lambda: w.rows("reports/orders_by_price.csv", _by(ORDERS, "unit_price", desc=True))),
    "own-en-002": lambda w: _then(lambda: w.rows("reports/ankara_orders.csv", fx.where(ORDERS, lambda r: r["city"] == "Ankara"))),
    "own-en-003": lambda w: _done(fx.pairs(fx.group_count(ORDERS, "status"))),
    "own-en-004": lambda w: _done(fx.pairs(fx.group_mean(STAFF, "department", "salary"))),
    "own-en-005": lambda w: _then(lambda: w.rows("reports/top5_quantity.csv", fx.top(ORDERS, "quantity", 5, desc=True)[0])),
    "own-en-006": lambda w: _then(lambda: w.rows("reports/stock.csv", STOCK)),
    "own-en-007": lambda w: _then(lambda: w.rows("reports/staff.csv", STAFF, ["name", "department"])),
    "own-en-008": lambda w: _then(lambda: w.rows("reports/products_clean.csv", _distinct(PRODUCTS))),
    "own-en-009": lambda w: _then(lambda: w.text("notes/ideas.txt", "Try a loyalty card for regular customers\n")),
    "own-en-010": lambda w: _then(lambda: w.append("tasks.txt", "Order more paper bags")),
    "own-en-011": lambda w: _then(lambda: w.move("docs/changelog.txt", "docs/history.txt")),
    "own-en-012": lambda w: _done("docs/changelog.txt\ndocs/setup.txt"),
    "own-en-013": lambda w: _then(lambda: w.copy("README.md", "reports/README_copy.md")),
    "own-en-014": lambda w: _done(f"{fx.word_count('tasks.txt')} words"),
    "own-en-015": lambda w: _done(f"{len(fx.lines(LOG))} lines"),
    "own-en-016": lambda w: _then(lambda: w.lines("reports/warnings.txt", fx.grep(LOG, "[WARNING]"))),
    "own-en-017": lambda w: _then(lambda: w.text("reports/readme_summary.md", "Lale Market shop tools: data and a beta POS server.\n")),
    "own-en-018": lambda w: _then(lambda: w.text("reports/README_stable.md", fx.text("README.md").replace("beta", "stable"))),
    "own-en-019": lambda w: _then(lambda: w.rows("reports/big_orders.csv", _by(fx.where(ORDERS, lambda r: r["quantity"] > 10), "quantity", desc=True))),
    "own-en-020": lambda w: _then(lambda: w.json("reports/sales_team.json", _by(fx.where(STAFF, lambda r: r["department"] == "Sales"), "salary", desc=True))),
    "own-en-021": lambda w: _then(lambda: w.text("reports/timeouts.txt", f"{len(fx.grep(LOG, 'timeout'))}\n")),
    "own-en-022": lambda w: _then(lambda: w.rows("reports/revenue_by_category.csv", _revenue("category")), answer="Electronics earned the most"),
    "own-en-023": lambda w: _then(lambda: w.copy("tasks.txt", "reports/tasks_copy.txt"), lambda: w.append("reports/tasks_copy.txt", "Call the plumber")),
    "own-en-024": lambda w: _then(lambda: w.rows("reports/restock.csv", _below())),
    "own-en-025": lambda w: _then(lambda: w.rows("reports/cheap_first.csv", _by(PRODUCTS, "price", desc=False), ["name", "price"])),
    "own-en-026": lambda w: _then(lambda: w.lines("reports/disk.txt", fx.grep(LOG, "disk")), answer=f"{len(fx.grep(LOG, 'disk'))} lines"),
    "own-en-027": lambda w: _then(lambda: w.lines("reports/critical.log", fx.grep(LOG, "[CRITICAL]"))),
    "own-en-028": lambda w: _done("skipped: no order has a quantity over 100"),
    "own-en-029": lambda w: _then(lambda: w.json("reports/izmir_staff.json", fx.where(STAFF, lambda r: r["city"] == "Izmir"))),
    "own-en-030": lambda w: _done("skipped: tasks.txt does not mention an invoice"),
    "own-en-031": lambda w: _done("reminder set for Monday 08:15"),
    "own-en-032": lambda w: _done("reminder set for tomorrow 14:30"),
    "own-en-033": lambda w: _done("reminder set for Wednesday 17:00"),
    "own-en-034": _refuse,
    "own-en-035": _refuse,
    "own-en-036": _refuse,
    "own-en-037": _refuse,
    "own-en-038": _refuse,
    "own-en-039": _refuse,
    "own-en-040": lambda w: _then(w.backup),
}

TURKISH: dict[str, Action] = {
    "own-tr-001": lambda w: _then(lambda: w.rows("reports/siparis_tarih.csv", _by(ORDERS, "order_date", desc=True))),
    "own-tr-002": lambda w: _then(lambda: w.rows("reports/kitap_siparisleri.csv", fx.where(ORDERS, lambda r: r["category"] == "Books"))),
    "own-tr-003": lambda w: _done(fx.pairs(fx.group_count(STAFF, "department"))),
    "own-tr-004": lambda w: _done(fx.pairs(fx.group(ORDERS, "city", lambda r: r["quantity"]))),
    "own-tr-005": lambda w: _done(", ".join(f"{r['sku']} {r['item']}" for r in fx.top(STOCK, "qty", 3, desc=False)[0])),
    "own-tr-006": lambda w: _then(lambda: w.json("reports/urunler.json", PRODUCTS)),
    "own-tr-007": lambda w: _then(lambda: w.rows("reports/maaslar.csv", STAFF, ["name", "city", "salary"])),
    "own-tr-008": lambda w: _done(f"{len(fx.where(ORDERS, lambda r: r['status'] == 'cancelled'))} sipariş"),
    "own-tr-009": lambda w: _then(lambda: w.text("reports/duyuru.txt", "Dükkan pazar günü kapalıdır\n")),
    "own-tr-010": lambda w: _then(lambda: w.append("tasks.txt", "Kasa defterini kapat")),
    "own-tr-011": lambda w: _then(lambda: w.copy("docs/api.rst", "reports/api.rst")),
    "own-tr-012": lambda w: _done("\n".join(p for p in fx.fixture_files() if p.startswith("docs/"))),
    "own-tr-013": lambda w: _then(lambda: w.move(MEETING, "arsiv/ekip_toplantisi.md")),
    "own-tr-014": lambda w: _done(f"{len(fx.lines(LOG))} satır"),
    "own-tr-015": lambda w: _done(f"{fx.word_count('alisveris_listesi.txt')} kelime"),
    "own-tr-016": lambda w: _then(lambda: w.lines("reports/girisler.txt", fx.grep(LOG, "login"))),
    "own-tr-017": lambda w: _then(lambda: w.text("reports/ozet.md", "Envanter sayımı ve Haziran indirim haftası konuşuldu.\n")),
    "own-tr-018": lambda w: _then(lambda: w.text("reports/toplanti_yeni.md", fx.text(MEETING).replace("Salı", "Perşembe"))),
    "own-tr-019": lambda w: _then(lambda: w.rows("reports/coklu_siparis.csv", _by(fx.where(ORDERS, lambda r: r["quantity"] > 5), "unit_price", desc=False))),
    "own-tr-020": lambda w: _then(lambda: w.json("reports/istanbul_ekibi.json", fx.where(STAFF, lambda r: r["city"] == "Istanbul"))),
    "own-tr-021": lambda w: _then(lambda: w.text("reports/hata_sayisi.txt", f"{len(fx.grep(LOG, '[ERROR]'))}\n")),
    "own-tr-022": lambda w: _then(lambda: w.rows("reports/sehir_ciro.csv", _revenue("city")), answer="en çok ciro: Istanbul"),
    "own-tr-023": lambda w: _then(lambda: w.copy("tasks.txt", "reports/gorevler.txt"), lambda: w.append("reports/gorevler.txt", "Vitrini yenile")),
    "own-tr-024": lambda w: _then(lambda: w.rows("reports/eksik_stok.csv", _by(_below(), "warehouse", desc=False))),
    "own-tr-025": lambda w: _then(lambda: w.rows("reports/urunler_temiz.csv", _by(_distinct(PRODUCTS), "price", desc=True))),
    "own-tr-026": lambda w: _then(lambda: w.rows("reports/yuksek_maas.csv", fx.where(STAFF, lambda r: r["salary"] > 50000))),
    "own-tr-027": lambda w: _then(lambda: w.lines("reports/disk_satirlari.txt", fx.grep(LOG, "disk"))),
    "own-tr-028": lambda w: _done("atlandı: qty değeri 0 olan ürün yok"),
    "own-tr-029": lambda w: _then(lambda: w.rows("reports/iptaller.csv", fx.where(ORDERS, lambda r: r["status"] == "cancelled"))),
    "own-tr-030": lambda w: _done("atlandı: Antalya'da çalışan yok"),
    "own-tr-031": lambda w: _done("hatırlatıcı: yarın 07:45"),
    "own-tr-032": lambda w: _done("hatırlatıcı: cuma 18:30"),
    "own-tr-033": lambda w: _done("hatırlatıcı: perşembe 11:00"),
    "own-tr-034": _refuse,
    "own-tr-035": _refuse,
    "own-tr-036": _refuse,
    "own-tr-037": _refuse,
    "own-tr-038": _refuse,
    "own-tr-039": _refuse,
    "own-tr-040": lambda w: _then(w.backup),
}

# fmt: on

ACTIONS: dict[str, Action] = {**ENGLISH, **TURKISH}
