"""Turkish splitting: at verbs followed by joiners, and at converbs that join two actions."""

from __future__ import annotations

import pytest

from altlas.segment.split_tr import split_tr
from altlas.segment.text import tokenize


def texts(command: str) -> list[str]:
    toks = tokenize(command, "tr")
    segs, _ = split_tr(toks)
    return [command[toks[s.first].start : toks[s.last].end] for s in segs]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (
            "Elma ve armut fiyatlarını araştırıp karşılaştır",
            ["Elma ve armut fiyatlarını araştırıp", "karşılaştır"],
        ),
        (
            "Raporu indirdikten sonra PDF'e dönüştür, ayrıca yarın saat 10'a toplantı ayarla",
            ["Raporu indirdikten", "PDF'e dönüştür", "yarın saat 10'a toplantı ayarla"],
        ),
        (
            "Satış tablosunu bölgeye göre filtreleyerek bir grafik oluştur ve bunu ekiple paylaş",
            [
                "Satış tablosunu bölgeye göre filtreleyerek",
                "bir grafik oluştur",
                "bunu ekiple paylaş",
            ],
        ),
        ("Python kullanarak bir betik yaz", ["Python kullanarak bir betik yaz"]),
        (
            "İstanbul, Ankara ve İzmir'deki kiraları araştır",
            ["İstanbul, Ankara ve İzmir'deki kiraları araştır"],
        ),
        (
            "Sitenin mobilde çalışıp çalışmadığını kontrol et",
            ["Sitenin mobilde çalışıp çalışmadığını kontrol et"],
        ),
        (
            "Önce paketleri güncelle, daha sonra da sistemi yeniden başlat.",
            ["paketleri güncelle", "sistemi yeniden başlat"],
        ),
        ("Lütfen dosyayı aç. Sonra özetle.", ["dosyayı aç", "özetle"]),
        (
            "projeyi vs code'da ac ve tum testleri calistir",
            ["projeyi vs code'da ac", "tum testleri calistir"],
        ),
        (
            "ESKİ HESAPLARI DEVRE DIŞI BIRAK VE GEÇİCİ DOSYALARI SİL",
            ["ESKİ HESAPLARI DEVRE DIŞI BIRAK", "GEÇİCİ DOSYALARI SİL"],
        ),
        (
            "Perşembe öğleden sonra için bir görüşme planla",
            ["Perşembe öğleden sonra için bir görüşme planla"],
        ),
        (
            "Akşam 7'de ilacımı almayı ve annemi aramayı bana hatırlat",
            ["Akşam 7'de ilacımı almayı ve annemi aramayı bana hatırlat"],
        ),
    ],
)
def test_split_points(command: str, expected: list[str]) -> None:
    """Converbs keep their suffix; the 'sonra' of -dıktan sonra and the joiners stay outside."""
    assert texts(command) == expected


def test_converb_segments_chain_to_the_next() -> None:
    """A segment ending in a converb is marked so the next one depends on it."""
    toks = tokenize("Raporu indirip özetle", "tr")
    segs, _ = split_tr(toks)
    assert [s.converb for s in segs] == [True, False]
    assert segs[1].marker == "seq"
