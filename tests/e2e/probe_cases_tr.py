"""The 30 Turkish PROBE cases, 10 typed without Turkish letters (see make_probe_expectations.py)."""

from __future__ import annotations

from typing import Any

from probe_fixture import (
    ABOUT,
    ABSENT,
    ASSETS,
    EVENTS,
    MUS,
    MUS_COLS,
    PRI,
    SAME,
    SAT,
    SAT_COLS,
    STAFF,
    case,
    lines_of,
    listing,
    log_lines,
    num,
    pairs,
    sat_sum,
    stamp,
    table,
)


def data_file_text() -> list[dict[str, Any]]:
    izmir = [r for r in MUS if r["şehir"] == "İzmir"]
    sube = sat_sum("şube")
    mean = num(sum(p["hourly_rate"] for p in STAFF) / len(STAFF))
    by_bytes = sorted(EVENTS, key=lambda e: -e["bytes"])
    assert by_bytes[2]["bytes"] > by_bytes[3]["bytes"]
    depo = lines_of("depo_notu.txt")
    assert 0 < ABOUT.count("coffee") == ABOUT.lower().count("coffee"), "no Coffee the copy keeps"
    err = log_lines("ERROR")
    return [
        case(
            "tr-001",
            "data",
            "satışlar dosyasını adede göre artan sırala ve results/adet_artan.csv'ye yaz",
            "'satışlar dosyası' (with ş) names satislar.csv; 'adede' is an inflected column name.",
            files={
                "results/adet_artan.csv": table(len(SAT), SAT_COLS, ("adet", False)),
                "satislar.csv": SAME,
            },
        ),
        case(
            "tr-002",
            "data",
            "müşteriler.csv'den şehri İzmir olan müşterileri ayıkla, "
            "exports/izmir_musteriler.csv dosyasına kaydet",
            f"Turkish file name; the adres column holds quoted commas; {len(izmir)} İzmir rows.",
            files={
                "exports/izmir_musteriler.csv": table(
                    len(izmir), MUS_COLS, where=("şehir", "İzmir")
                )
            },
        ),
        case(
            "tr-003",
            "data",
            "Her şubenin toplam tutarı ne kadar? satislar.csv'ye bak",
            f"Sum of tutar by şube: {listing(sube)}.",
            answer=pairs(sube),
        ),
        case(
            "tr-004",
            "data",
            "staff.json'da ortalama saatlik ucret nedir",
            f"Typed without diacritics; 'saatlik ücret' is hourly_rate; mean {mean}.",
            answer=[mean],
        ),
        case(
            "tr-005",
            "data",
            "events.ndjson'daki en büyük 3 olayı bytes'a göre listele "
            "ve results/en_buyuk3.csv olarak kaydet",
            "Top 3 by bytes from NDJSON into CSV; the 4th is strictly smaller.",
            files={
                "results/en_buyuk3.csv": table(
                    3,
                    by=("bytes", True),
                    has=[e["ts"] for e in by_bytes[:3]],
                    lacks=[by_bytes[3]["ts"]],
                )
            },
        ),
        case(
            "tr-006",
            "data",
            "prices.tsv dosyasini json'a cevir, exports/fiyatlar.json olarak kaydet",
            "Typed without diacritics; a TSV becomes a list of records.",
            files={
                "exports/fiyatlar.json": table(
                    json_len=len(PRI), has=[r["code"] for r in PRI] + ["price_eur"]
                ),
                "prices.tsv": SAME,
            },
        ),
        case(
            "tr-007",
            "file",
            "results/duyuru.txt diye bir dosya aç, içine 'Pazar günü kapalıyız' yaz",
            "'dosya aç' is create; the folder does not exist yet.",
            files={"results/duyuru.txt": table(has=["Pazar günü kapalıyız"])},
        ),
        case(
            "tr-008",
            "file",
            "depo_notu.txt dosyasina 'Sayim cuma gunu yapilacak' satirini ekle",
            "Typed without diacritics; appending keeps every old line.",
            files={"depo_notu.txt": table(has=["Sayim cuma gunu yapilacak", *depo])},
        ),
        case(
            "tr-009",
            "file",
            "ABOUT.md'nin adını HAKKINDA.md olarak değiştir",
            "Rename in place.",
            files={"ABOUT.md": ABSENT, "HAKKINDA.md": table(has=[ABOUT.splitlines()[0]])},
        ),
        case(
            "tr-010",
            "file",
            "assets klasöründe kaç tane dosya var, hangileri?",
            f"{len(ASSETS)} files: {', '.join(ASSETS)}.",
            answer=[str(len(ASSETS)), *ASSETS],
        ),
        case(
            "tr-011",
            "text",
            "depo_notu.txt kaç satır?",
            f"A fragment question; {len(depo)} lines.",
            answer=[str(len(depo))],
        ),
        case(
            "tr-012",
            "text",
            "worker log'daki ERROR satirlarini listele",
            f"Typed without diacritics; 'worker log' is logs/worker.log; "
            f"{len(err)} ERROR lines shown as the answer.",
            answer=[stamp(x) for x in err],
        ),
        case(
            "tr-013",
            "text",
            "depo notunu özetleyip results/depo_ozet.txt dosyasına yaz",
            "'depo notu' names depo_notu.txt without underscore or suffix.",
            files={
                "results/depo_ozet.txt": table(has=[["Kadıköy", "sayım", "depo"]]),
                "depo_notu.txt": SAME,
            },
        ),
        case(
            "tr-014",
            "text",
            "ABOUT.md'yi exports/about_tr.md olarak kopyala ve kopyada 'coffee' kelimesini "
            "'kahve' ile değiştir",
            f"ABOUT.md has {ABOUT.count('coffee')} 'coffee'; none may remain in the copy.",
            files={
                "exports/about_tr.md": table(
                    has=["kahve", ABOUT.splitlines()[-1].replace("coffee", "kahve")],
                    lacks=["coffee"],
                ),
                "ABOUT.md": SAME,
            },
        ),
    ]


def the_rest() -> list[dict[str, Any]]:
    bes = [r for r in SAT if r["şube"] == "Beşiktaş"]
    support = [p for p in STAFF if p["team"] == "Support"]
    low = [r for r in MUS if int(r["puan"]) < 50]
    adet = sat_sum("ürün", "adet")
    assert sorted(adet.values())[-1] > sorted(adet.values())[-2]
    logins = [e for e in EVENTS if e["action"] == "login"]
    dear = [r for r in PRI if float(r["price_eur"]) > 100]
    assert not [r for r in MUS if int(r["puan"]) > 100]
    return [
        case(
            "tr-015",
            "chain",
            "satislar.csv'de şubesi Beşiktaş olan satırları al, tutara göre azalan sırala, "
            "sonra bunu exports/besiktas.csv olarak kaydet",
            f"{len(bes)} Beşiktaş rows; 'sonra bunu' refers to the sorted rows.",
            files={
                "exports/besiktas.csv": table(
                    len(bes), by=("tutar", True), where=("şube", "Beşiktaş")
                )
            },
        ),
        case(
            "tr-016",
            "chain",
            "staff.json'dan Support ekibini sec, sadece full_name ve office alanlarini al "
            "ve results/destek.csv olarak kaydet",
            "Typed without diacritics; 'ekip' is the team column.",
            files={
                "results/destek.csv": table(
                    len(support), ["full_name", "office"], has=[p["full_name"] for p in support]
                )
            },
        ),
        case(
            "tr-017",
            "chain",
            "worker.log'daki DEBUG satırlarını say ve sonucu "
            "results/debug_sayisi.txt dosyasına yaz",
            f"worker.log is named without its logs/ folder; {len(log_lines('DEBUG'))} DEBUG lines.",
            files={"results/debug_sayisi.txt": table(has=[str(len(log_lines("DEBUG")))])},
        ),
        case(
            "tr-018",
            "chain",
            "müşteriler.csv'de puanı 50'den az olanları bul, puana göre artan sırala, "
            "exports/dusuk_puan.csv olarak kaydet",
            f"{len(low)} customers below 50 points.",
            files={
                "exports/dusuk_puan.csv": table(
                    len(low),
                    by=("puan", False),
                    has=[r["müşteri_no"] for r in low],
                    lacks=[r["müşteri_no"] for r in MUS if r not in low],
                )
            },
        ),
        case(
            "tr-019",
            "chain",
            "satislar.csv'de urun bazinda toplam adedi hesapla, results/urun_adet.csv olarak "
            "kaydet ve en cok satan urunu soyle",
            f"Typed without diacritics ('urun' is ürün); sums of adet: {listing(adet)}.",
            files={"results/urun_adet.csv": table(len(adet), has=pairs(adet))},
            answer=[max(adet, key=lambda k: adet[k])],
        ),
        case(
            "tr-020",
            "chain",
            "events.ndjson'u CSV'ye dönüştür, ardından yalnızca login olaylarını tutup "
            "exports/girisler.csv olarak kaydet",
            f"Convert then filter; {len(logins)} login events.",
            files={
                "exports/girisler.csv": table(
                    len(logins), where=("action", "login"), has=[e["ts"] for e in logins]
                )
            },
        ),
        case(
            "tr-021",
            "conditional",
            "Eğer prices.tsv'de 100 eurodan pahalı ürün varsa onları results/pahali.csv'ye yaz",
            f"True condition with a unit: {len(dear)} supplies cost more than 100 EUR.",
            files={
                "results/pahali.csv": table(
                    len(dear),
                    has=[r["code"] for r in dear],
                    lacks=[r["code"] for r in PRI if r not in dear],
                )
            },
        ),
        case(
            "tr-022",
            "conditional",
            "musteriler.csv'de puani 100'un uzerinde olan musteri varsa "
            "bunlari results/vip.csv'ye kaydet",
            "Typed without diacritics, even the file name (müşteriler.csv); "
            f"false: the highest puan is {max(int(r['puan']) for r in MUS)}.",
            files={"results/vip.csv": ABSENT},
        ),
        case(
            "tr-023",
            "schedule",
            "Perşembe öğleden sonra üçte tedarikçiyle görüşmemi hatırlat",
            "Time in words: 'öğleden sonra üçte' is 15:00.",
            answer=[["15:00", "3:00 pm", "3 pm", "3pm"]],
        ),
        case(
            "tr-024",
            "schedule",
            "yarin sabah 7.30'da firini acmayi hatirlat bana",
            "Typed without diacritics; the Turkish dotted time 7.30.",
            answer=[["7:30", "07:30"]],
        ),
        case(
            "tr-025",
            "refuse",
            "Tedarikçiye e-posta at, 50 kilo un sipariş ettiğimizi söyle",
            "E-mail is not something altlas does.",
            status="failed",
        ),
        case(
            "tr-026",
            "refuse",
            "ABOUT.md'yi almancaya cevir ve results/about_de.md olarak kaydet",
            "Typed without diacritics; translating needs an LLM backend, none is configured.",
            status="failed",
            files={"results/about_de.md": ABSENT},
        ),
        case(
            "tr-027",
            "refuse",
            "Kadıköy şubesinin Google yorumlarını internetten topla",
            "Collecting web reviews is not something altlas does.",
            status="failed",
        ),
        case(
            "tr-028",
            "safety",
            "müşteriler.csv'yi JSON'a çevirip staff.json olarak kaydet",
            "Would overwrite a different fixture: a new name or a failure are both fine.",
            status=None,
            files={"staff.json": SAME, "müşteriler.csv": SAME},
        ),
        case(
            "tr-029",
            "safety",
            "su komutu calistir: rm -f logs/*.log",
            "Typed without diacritics; an explicit shell command without --allow-exec "
            "runs nothing.",
            status=None,
            files={"logs/worker.log": {"exists": True, "unchanged": True}},
        ),
        case(
            "tr-030",
            "safety",
            "Her şeyin bir yedeğini alır mısın?",
            "A polite backup question: new files are allowed, nothing may change or go.",
            status=None,
        ),
    ]


def cases() -> list[dict[str, Any]]:
    return data_file_text() + the_rest()
