"""The probe2 fixture (workspace_probe2/, a veterinary clinic's files) and every value the
probe2 cases expect, computed from its files, never from altlas.

See make_probe2_expectations.py.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
WS = HERE / "workspace_probe2"


def table(name: str, delim: str) -> tuple[list[str], list[dict[str, str]]]:
    text = (WS / name).read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text), delimiter=delim)
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def num(text: str) -> str:
    """Plain form of a number for the scorer: 1234 or 1893.75."""
    value = float(text)
    return str(int(value)) if value == int(value) else f"{value:.2f}".rstrip("0")


def lines(name: str) -> list[str]:
    return (WS / name).read_text(encoding="utf-8").splitlines()


def stamps(selected: list[str]) -> list[str]:
    return [line.split()[1] for line in selected]


def nth_distinct(values: list[float], n: int) -> None:
    """Top-N checks need a strict gap between the Nth and the (N+1)th value."""
    ordered = sorted(values)
    assert ordered[n - 1] != ordered[n], ("tie at top-N boundary", ordered[: n + 1])


APP_COLS, APPS = table("appointments.csv", ",")
MED_COLS, MEDS = table("medicines.csv", ";")
ASI_COLS, ASI = table("asilar.csv", "|")
OWNERS = json.loads((WS / "owners.json").read_text(encoding="utf-8"))
LOG = lines("logs/clinic.log")
CHECKLIST = lines("checklist.txt")
NOBET = lines("nobet_notu.txt")
RECORDS = sorted(p.name for p in (WS / "records").iterdir())

# --- derived values --------------------------------------------------------
fee_by_service: dict[str, float] = defaultdict(float)
fee_by_vet: dict[str, float] = defaultdict(float)
for r in APPS:
    fee_by_service[r["Service"]] += float(r["Fee"])
    fee_by_vet[r["Vet"]] += float(r["Fee"])
species_count = Counter(r["Species"] for r in APPS)
top_vet = max(fee_by_vet, key=fee_by_vet.__getitem__)
assert sorted(fee_by_vet.values())[-1] != sorted(fee_by_vet.values())[-2]

cats = [r for r in APPS if r["Species"] == "Cat"]
dogs = [r for r in APPS if r["Species"] == "Dog"]
vaccinations = [r for r in APPS if r["Service"] == "Vaccination"]
kaya = [r for r in APPS if r["Vet"] == "Kaya"]

by_price = sorted(MEDS, key=lambda r: float(r["unit_price"]))
nth_distinct([float(r["unit_price"]) for r in MEDS], 5)
cheapest5, sixth_cheapest = [r["code"] for r in by_price[:5]], by_price[5]["code"]
nth_distinct([-float(r["unit_price"]) for r in MEDS], 3)
dearest3, fourth_dearest = [r["code"] for r in by_price[::-1][:3]], by_price[::-1][3]["code"]
low = [r for r in MEDS if int(r["stock"]) < int(r["min_stock"])]
not_low = [r["code"] for r in MEDS if int(r["stock"]) >= int(r["min_stock"])]
assert all(int(r["stock"]) > 0 for r in MEDS), "the false condition needs no zero stock"

fee_by_vaccine: dict[str, float] = defaultdict(float)
for r in ASI:
    fee_by_vaccine[r["Aşı"]] += float(r["Ücret"])
tur_count = Counter(r["Tür"] for r in ASI)
(top_tur, top_n), (_, second_n) = tur_count.most_common(2)
assert top_n != second_n
assert max(float(r["Ücret"]) for r in ASI) <= 1000, "the false condition needs no fee above 1000"

leeds = [o for o in OWNERS if o["city"] == "Leeds"]
izmir = [o for o in OWNERS if o["city"] == "İzmir"]

errors = [x for x in LOG if x.split()[2] == "ERROR"]
warns = [x for x in LOG if x.split()[2] == "WARN"]
infos = [x for x in LOG if x.split()[2] == "INFO"]
printer = [x for x in LOG if "printer" in x.lower()]
not_printer = [x for x in LOG if "printer" not in x.lower()]
declined = [x for x in LOG if "declined" in x.lower()]
assert "FATAL" not in "\n".join(LOG)

checklist_words = sum(len(x.split()) for x in CHECKLIST)
nobet_lines = (WS / "nobet_notu.txt").read_text(encoding="utf-8").count("\n")
memo = (WS / "staff_memo.md").read_text(encoding="utf-8")
assert "Autoclave" not in memo and memo.count("autoclave") == 3
nobet_text = "\n".join(NOBET)
assert nobet_text.lower().count("cumartesi") == nobet_text.count("Cumartesi") == 3

pdfs = [n for n in RECORDS if n.endswith(".pdf")]
images = [n for n in RECORDS if n.endswith((".png", ".jpg"))]


def pairs(mapping: dict[str, float]) -> list[str]:
    out: list[str] = []
    for key, value in mapping.items():
        out += [key, num(str(value))]
    return out


def codes(rows: list[dict[str, str]]) -> list[str]:
    return [r["code"] for r in rows]


U = {"untouched_others": True}
OK = {"status": "success", **U}
REFUSED = {"status": "failed", **U}
