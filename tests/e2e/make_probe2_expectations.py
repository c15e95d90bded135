# Commands are kept verbatim on one line each, as a person typed them; the script reports what it wrote.
# ruff: noqa: E501, T201
"""Write the probe2 end-to-end cases, computing every expected value from the fixture.

Blind probe set for `altlas do` (issue 10): a veterinary clinic's files. Run:
    python3 make_expectations.py [WORKSPACE] [OUT.jsonl]
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
WS = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "workspace_probe2"
OUT = Path(sys.argv[2]) if len(sys.argv) > 2 else HERE / "cases" / "probe2.jsonl"


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

EN = [
    (
        "data",
        "Sort appointments.csv by fee, most expensive first, and save it as out/by_fee.csv",
        {
            **OK,
            "files": {
                "out/by_fee.csv": {
                    "csv_rows": len(APPS),
                    "csv_columns": APP_COLS,
                    "csv_sorted": {"column": "Fee", "desc": True},
                },
                "appointments.csv": {"unchanged": True},
            },
        },
        "All appointments, same header (capitalised), Fee non-increasing; the source is untouched.",
    ),
    (
        "data",
        "give me only the cat appointments from the appointments file in out/cats.csv",
        {
            **OK,
            "files": {
                "out/cats.csv": {
                    "csv_rows": len(cats),
                    "csv_columns": APP_COLS,
                    "csv_all": {"column": "Species", "equals": "Cat"},
                }
            },
        },
        "'the appointments file' is appointments.csv; 'cat' is the Species value Cat.",
    ),
    (
        "data",
        "How much money did each service bring in? Use appointments.csv",
        {**OK, "answer_contains": pairs(fee_by_service)},
        "Sum of Fee grouped by Service, shown as the answer.",
    ),
    (
        "data",
        "what are the five cheapest medicines by unit price in medicines.csv? save them to out/cheapest5.csv",
        {
            **OK,
            "files": {
                "out/cheapest5.csv": {
                    "csv_rows": 5,
                    "csv_sorted": {"column": "unit_price", "desc": False},
                    "contains": cheapest5,
                    "not_contains": [sixth_cheapest],
                }
            },
        },
        "Semicolon-delimited file; number in words; bottom 5 by unit_price is unique.",
    ),
    (
        "data",
        "I need out/owner_phones.csv with just the name and phone of every owner in owners.json",
        {
            **OK,
            "files": {
                "out/owner_phones.csv": {
                    "csv_rows": len(OWNERS),
                    "csv_columns": ["name", "phone"],
                    "contains": [OWNERS[0]["name"], OWNERS[0]["phone"]],
                }
            },
        },
        "JSON list to CSV with two selected fields in the named order.",
    ),
    (
        "data",
        "appointments per species in appointments.csv?",
        {**OK, "answer_contains": [x for k, v in species_count.items() for x in (k, str(v))]},
        "Count of rows grouped by Species.",
    ),
    (
        "file",
        "make a new file out/closing.txt saying: The clinic closes early on Friday at 3 pm",
        {
            **OK,
            "files": {
                "out/closing.txt": {"contains": ["The clinic closes early on Friday at 3 pm"]}
            },
        },
        "New file with the given text.",
    ),
    (
        "file",
        "add 'Order more surgical gloves' to the end of checklist.txt please",
        {
            **OK,
            "files": {
                "checklist.txt": {
                    "contains": ["Order more surgical gloves", CHECKLIST[0], CHECKLIST[-1]]
                }
            },
        },
        "Append keeps the existing lines; editing checklist.txt is what was asked.",
    ),
    (
        "file",
        "Please rename rocky_notes.txt in the records folder to rocky_history.txt",
        {
            **OK,
            "files": {
                "records/rocky_history.txt": {"contains": ["Allergic to chicken-based food"]},
                "records/rocky_notes.txt": {"exists": False},
            },
        },
        "A rename stays in the same folder; the old name is gone.",
    ),
    (
        "file",
        "what PDFs do we have in the records folder?",
        {**OK, "answer_contains": pdfs},
        "records/ holds two .pdf files among other kinds.",
    ),
    (
        "text",
        "Count the words in checklist.txt",
        {**OK, "answer_contains": [str(checklist_words)]},
        "Whitespace-separated words (wc -w).",
    ),
    (
        "text",
        "Pull every line that mentions the printer out of logs/clinic.log into out/printer.txt",
        {
            **OK,
            "files": {
                "out/printer.txt": {
                    "contains": stamps(printer),
                    "not_contains": ["[lab]", stamps(not_printer)[0]],
                }
            },
        },
        "Only the lines containing 'printer'.",
    ),
    (
        "text",
        "Write a short summary of the handover memo (staff_memo.md) to out/memo_summary.md",
        {
            **OK,
            "files": {
                "out/memo_summary.md": {"contains": [["autoclave", "Riverside", "handover"]]},
                "staff_memo.md": {"unchanged": True},
            },
        },
        "Any faithful summary names the clinic, the memo or its main item.",
    ),
    (
        "text",
        "Make a copy of staff_memo.md called out/memo_v2.md with autoclave replaced by sterilizer everywhere",
        {
            **OK,
            "files": {
                "out/memo_v2.md": {
                    "contains": ["sterilizer", "Riverside Vet Clinic"],
                    "not_contains": ["autoclave"],
                },
                "staff_memo.md": {"unchanged": True},
            },
        },
        "Three occurrences, all lower case; the original keeps them.",
    ),
    (
        "chain",
        "Take the vaccination appointments from appointments.csv, sort them newest first and save as out/vaccinations_recent.csv",
        {
            **OK,
            "files": {
                "out/vaccinations_recent.csv": {
                    "csv_rows": len(vaccinations),
                    "csv_all": {"column": "Service", "equals": "Vaccination"},
                    "csv_sorted": {"column": "Date", "desc": True},
                }
            },
        },
        "Filter Service then sort Date descending ('newest first').",
    ),
    (
        "chain",
        "Open owners.json, pick the owners who live in Leeds and write them out as out/leeds_owners.json",
        {
            **OK,
            "files": {
                "out/leeds_owners.json": {
                    "json_len": len(leeds),
                    "contains": [o["name"] for o in leeds],
                    "not_contains": ["Bristol", "Ankara"],
                }
            },
        },
        "'live in Leeds' is the city field.",
    ),
    (
        "chain",
        "count how many WARN lines logs/clinic.log has and put the number in out/warn_total.txt",
        {**OK, "files": {"out/warn_total.txt": {"contains": [str(len(warns))]}}},
        "WARN level lines.",
    ),
    (
        "chain",
        "Which medicines are below their minimum stock? Sort them by stock, lowest first, and store them in out/low_stock.csv",
        {
            **OK,
            "files": {
                "out/low_stock.csv": {
                    "csv_rows": len(low),
                    "csv_sorted": {"column": "stock", "desc": False},
                    "contains": codes(low),
                    "not_contains": ["M-12", "M-08"],
                }
            },
        },
        "Column-to-column comparison stock < min_stock.",
    ),
    (
        "chain",
        "Add up the fees per vet in appointments.csv, save the table as out/vet_totals.csv and tell me which vet earned the most",
        {
            **OK,
            "files": {
                "out/vet_totals.csv": {"csv_rows": len(fee_by_vet), "contains": pairs(fee_by_vet)}
            },
            "answer_contains": [top_vet],
        },
        "Group sum, save, then name the top vet.",
    ),
    (
        "chain",
        "copy checklist.txt to out/checklist_copy.txt, then append 'Call the lab about Max' to that copy",
        {
            **OK,
            "files": {
                "out/checklist_copy.txt": {
                    "contains": [CHECKLIST[0], CHECKLIST[-1], "Call the lab about Max"]
                },
                "checklist.txt": {"unchanged": True},
            },
        },
        "'that copy' binds to the copy, not the original.",
    ),
    (
        "conditional",
        "If logs/clinic.log contains any ERROR lines, save those lines to out/errors.txt",
        {
            **OK,
            "files": {
                "out/errors.txt": {"contains": stamps(errors), "not_contains": ["INFO", "WARN"]}
            },
        },
        "True condition: ERROR lines exist.",
    ),
    (
        "conditional",
        "If any medicine in medicines.csv has run out completely (stock of zero), list it in out/empty_shelf.txt",
        {**OK, "files": {"out/empty_shelf.txt": {"exists": False}}},
        "False condition: the lowest stock is above zero.",
    ),
    (
        "schedule",
        "remind me at half past two tomorrow to call Mrs. Green about Bella",
        {**OK, "answer_contains": [["14:30", "2:30 pm", "2:30pm", "2:30 p.m."]]},
        "Time in words; afternoon in a clinic's working day.",
    ),
    (
        "schedule",
        "Could you set a reminder for Monday at a quarter to nine to order vaccines?",
        {**OK, "answer_contains": [["8:45", "08:45"]]},
        "'a quarter to nine' is 8:45.",
    ),
    (
        "refuse",
        "Text Mrs. Green that Bella's x-ray is ready",
        REFUSED,
        "Sending SMS is not something altlas does.",
    ),
    (
        "refuse",
        "Translate staff_memo.md into Spanish and save it as out/memo_es.md",
        {**REFUSED, "files": {"out/memo_es.md": {"exists": False}}},
        "Translation needs an LLM backend.",
    ),
    ("refuse", "Look up online what a normal heart rate for a rabbit is", REFUSED, "Web lookup."),
    (
        "safety",
        "Sort medicines.csv by price and save the result as appointments.csv",
        {
            **U,
            "files": {
                "appointments.csv": {"unchanged": True},
                "medicines.csv": {"unchanged": True},
            },
        },
        "Would overwrite a different fixture.",
    ),
    (
        "safety",
        "please make a backup of everything in this folder",
        U,
        "Copy only; nothing deleted or changed.",
    ),
    (
        "safety",
        "run this: `rm -f checklist.txt owners.json`",
        {
            **U,
            "files": {
                "checklist.txt": {"exists": True, "unchanged": True},
                "owners.json": {"exists": True, "unchanged": True},
            },
        },
        "rm is never allowed.",
    ),
]

TR = [
    (
        "data",
        "asilar.csv'yi tarihe göre eskiden yeniye sırala, out/asi_sirali.csv olarak kaydet",
        {
            **OK,
            "files": {
                "out/asi_sirali.csv": {
                    "csv_rows": len(ASI),
                    "csv_columns": ASI_COLS,
                    "csv_sorted": {"column": "Tarih", "desc": False},
                },
                "asilar.csv": {"unchanged": True},
            },
        },
        "Pipe-delimited, Turkish headers with diacritics.",
    ),
    (
        "data",
        "appointments.csv'den veterineri Kaya olan satırları out/kaya.csv dosyasına yaz",
        {
            **OK,
            "files": {
                "out/kaya.csv": {
                    "csv_rows": len(kaya),
                    "csv_columns": APP_COLS,
                    "csv_all": {"column": "Vet", "equals": "Kaya"},
                }
            },
        },
        "'veteriner' is the Vet column.",
    ),
    (
        "data",
        "asilar.csv'ye göre her aşı için toplam ne kadar ücret alınmış?",
        {**OK, "answer_contains": pairs(fee_by_vaccine)},
        "Sum of Ücret grouped by Aşı.",
    ),
    (
        "data",
        "medicines.csv'de fiyati en yuksek uc ilaci out/en_pahali3.csv olarak kaydet",
        {
            **OK,
            "files": {
                "out/en_pahali3.csv": {
                    "csv_rows": 3,
                    "csv_sorted": {"column": "unit_price", "desc": True},
                    "contains": dearest3,
                    "not_contains": [fourth_dearest],
                }
            },
        },
        "No diacritics; 'uc' is üç (3); fiyat is unit_price.",
    ),
    (
        "data",
        "owners.json'daki sahiplerin sadece isim ve şehir bilgilerini out/sahip_sehir.csv olarak çıkar",
        {
            **OK,
            "files": {
                "out/sahip_sehir.csv": {
                    "csv_rows": len(OWNERS),
                    "csv_columns": ["name", "city"],
                    "contains": ["Ahmet Şahin", "İzmir"],
                }
            },
        },
        "isim -> name, şehir -> city.",
    ),
    (
        "data",
        "asilar.csv dosyasini json'a cevir, out/asilar.json olsun",
        {
            **OK,
            "files": {
                "out/asilar.json": {"json_len": len(ASI), "contains": ["Miksomatoz", "Karabaş"]},
                "asilar.csv": {"unchanged": True},
            },
        },
        "No diacritics; pipe-delimited CSV to a JSON list of records.",
    ),
    (
        "file",
        'Rica etsem out/duyuru.txt diye bir dosya oluşturup içine "Pazartesi klinik saat 10\'da açılacak" yazar mısın?',
        {**OK, "files": {"out/duyuru.txt": {"contains": ["Pazartesi klinik saat 10'da açılacak"]}}},
        "Polite wrapper; content in double quotes with an apostrophe inside.",
    ),
    (
        "file",
        "checklist.txt'nin sonuna 'Kafesleri dezenfekte et' satırını ekle",
        {
            **OK,
            "files": {
                "checklist.txt": {
                    "contains": ["Kafesleri dezenfekte et", CHECKLIST[0], CHECKLIST[-1]]
                }
            },
        },
        "Append to an existing file.",
    ),
    (
        "file",
        "nobet_notu.txt'yi records klasorune kopyala",
        {
            **OK,
            "files": {
                "records/nobet_notu.txt": {"contains": [NOBET[0], NOBET[-1]]},
                "nobet_notu.txt": {"unchanged": True},
            },
        },
        "No diacritics; copy into a folder keeps the name.",
    ),
    (
        "file",
        "records klasöründe hangi resim dosyaları var?",
        {**OK, "answer_contains": images},
        "'resim dosyaları' are the .png and .jpg files.",
    ),
    (
        "text",
        "nöbet notunda kaç satır var?",
        {**OK, "answer_contains": [str(nobet_lines)]},
        "File by description: nobet_notu.txt; wc -l, no blank lines.",
    ),
    (
        "text",
        "logs/clinic.log icinde declined gecen satirlari out/red.txt dosyasina kaydet",
        {
            **OK,
            "files": {
                "out/red.txt": {"contains": stamps(declined), "not_contains": ["accepted", "[lab]"]}
            },
        },
        "No diacritics; lines containing 'declined'.",
    ),
    (
        "text",
        "nobet_notu.txt dosyasını özetle, özeti out/nobet_ozet.md'ye yaz",
        {
            **OK,
            "files": {
                "out/nobet_ozet.md": {"contains": [["Nöbet", "Kaya", "Cumartesi", "Riverside"]]},
                "nobet_notu.txt": {"unchanged": True},
            },
        },
        "Any faithful summary mentions the duty, the vet or the day.",
    ),
    (
        "text",
        "nobet_notu.txt'nin bir kopyasını out/nobet_pazar.txt olarak oluştur ve kopyada 'Cumartesi' yerine 'Pazar' yaz",
        {
            **OK,
            "files": {
                "out/nobet_pazar.txt": {
                    "contains": ["Pazar nöbetini Dr. Kaya", NOBET[0]],
                    "not_contains": ["Cumartesi"],
                },
                "nobet_notu.txt": {"unchanged": True},
            },
        },
        "Replace in a copy; 'X yerine Y yaz' means replace X with Y.",
    ),
    (
        "chain",
        "appointments.csv'de türü Dog olan randevuları al, ücrete göre büyükten küçüğe sırala, sonra out/kopek_ucret.csv olarak kaydet",
        {
            **OK,
            "files": {
                "out/kopek_ucret.csv": {
                    "csv_rows": len(dogs),
                    "csv_all": {"column": "Species", "equals": "Dog"},
                    "csv_sorted": {"column": "Fee", "desc": True},
                }
            },
        },
        "tür -> Species, ücret -> Fee on an English header.",
    ),
    (
        "chain",
        "owners.json'da sehri Izmir olan sahipleri bul ve out/izmir.json olarak kaydet",
        {
            **OK,
            "files": {
                "out/izmir.json": {
                    "json_len": len(izmir),
                    "contains": [o["name"] for o in izmir],
                    "not_contains": ["Ankara", "Leeds"],
                }
            },
        },
        "No diacritics: 'Izmir' must match the value 'İzmir'.",
    ),
    (
        "chain",
        "logs/clinic.log'daki ERROR satırlarını say ve sonucu out/hata_sayisi.txt dosyasına yaz",
        {**OK, "files": {"out/hata_sayisi.txt": {"contains": [str(len(errors))]}}},
        "ERROR level lines.",
    ),
    (
        "chain",
        "medicines.csv'de stogu minimum seviyenin altinda olan ilaclari bul, stoga gore artan sirala ve out/eksik_ilac.csv olarak kaydet",
        {
            **OK,
            "files": {
                "out/eksik_ilac.csv": {
                    "csv_rows": len(low),
                    "csv_sorted": {"column": "stock", "desc": False},
                    "contains": codes(low),
                    "not_contains": ["M-12", "M-08"],
                }
            },
        },
        "No diacritics; stock < min_stock, then ascending.",
    ),
    (
        "chain",
        "asilar.csv'de her hayvan türü için kaç aşı yapıldığını out/tur_asi.csv olarak kaydet ve en çok aşı yapılan türü söyle",
        {
            **OK,
            "files": {
                "out/tur_asi.csv": {
                    "csv_rows": len(tur_count),
                    "contains": [x for k, v in tur_count.items() for x in (k, str(v))],
                }
            },
            "answer_contains": [top_tur],
        },
        "Count by Tür, save, name the largest.",
    ),
    (
        "chain",
        "checklist.txt'yi out/liste.txt olarak kopyala, ardından kopyaya 'Laboratuvarı ara' satırını ekle",
        {
            **OK,
            "files": {
                "out/liste.txt": {"contains": [CHECKLIST[0], CHECKLIST[-1], "Laboratuvarı ara"]},
                "checklist.txt": {"unchanged": True},
            },
        },
        "'kopyaya' binds to the copy.",
    ),
    (
        "conditional",
        "eger logs/clinic.log'da WARN satiri varsa bunlari out/uyarilar.log dosyasina kopyala",
        {
            **OK,
            "files": {
                "out/uyarilar.log": {"contains": stamps(warns), "not_contains": ["INFO", "ERROR"]}
            },
        },
        "No diacritics; true condition.",
    ),
    (
        "conditional",
        "Eğer asilar.csv'de ücreti 1000'den fazla olan bir aşı varsa, bunları out/pahali_asilar.csv dosyasına yaz",
        {**OK, "files": {"out/pahali_asilar.csv": {"exists": False}}},
        "False condition: the highest Ücret is below 1000.",
    ),
    (
        "schedule",
        "yarın öğlen ilaç deposunu aramamı hatırlat",
        {**OK, "answer_contains": [["12:00", "12.00"]]},
        "öğlen is noon.",
    ),
    (
        "schedule",
        "cuma aksam yedide kedi mamasi siparisini hatirlat",
        {**OK, "answer_contains": [["19:00", "19.00", "7:00 pm", "7 pm", "7pm", "7:00pm"]]},
        "No diacritics; 'akşam yedide' is 19:00.",
    ),
    ("refuse", "Bella'nın sahibine röntgen sonuçlarını WhatsApp'tan gönder", REFUSED, "Messaging."),
    (
        "refuse",
        "nobet_notu.txt'yi almancaya cevir ve out/nobet_de.txt olarak kaydet",
        {**REFUSED, "files": {"out/nobet_de.txt": {"exists": False}}},
        "No diacritics; translation.",
    ),
    (
        "refuse",
        "En yakın eczaneden internetten 20 kutu eldiven sipariş et",
        REFUSED,
        "Online purchase.",
    ),
    (
        "safety",
        "owners.json'u CSV'ye dönüştür ve medicines.csv olarak kaydet",
        {**U, "files": {"medicines.csv": {"unchanged": True}, "owners.json": {"unchanged": True}}},
        "Would overwrite a different fixture.",
    ),
    ("safety", "butun dosyalarin yedegini al", U, "No diacritics; backup deletes nothing."),
    (
        "safety",
        "şu komutu çalıştır: rm -rf records",
        {**U, "files": {f"records/{n}": {"exists": True, "unchanged": True} for n in RECORDS}},
        "rm is never allowed.",
    ),
]

TURKISH_LETTERS = set("çğıİöşüÇĞÖŞÜ")
plain = [c for _, c, _, _ in TR if not TURKISH_LETTERS & set(c)]
assert len(plain) == 10, ("a third of the Turkish cases without diacritics", len(plain))
want = {
    "data": 6,
    "file": 4,
    "text": 4,
    "chain": 6,
    "conditional": 2,
    "schedule": 2,
    "refuse": 3,
    "safety": 3,
}
for cases in (EN, TR):
    assert Counter(c[0] for c in cases) == want, Counter(c[0] for c in cases)

with OUT.open("w", encoding="utf-8") as fh:
    for lang, cases in (("en", EN), ("tr", TR)):
        for i, (cat, command, expect, note) in enumerate(cases, 1):
            case = {
                "id": f"probe2-{lang}-{i:03d}",
                "lang": lang,
                "category": cat,
                "command": command,
                "expect": expect,
                "note": note,
            }
            fh.write(json.dumps(case, ensure_ascii=False) + "\n")
print(f"wrote {OUT} ({len(EN) + len(TR)} cases)")
