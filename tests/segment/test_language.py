"""Language detection on short commands, without diacritics, in capitals and mixed."""

from __future__ import annotations

import pytest

from altlas.segment.language import detect


@pytest.mark.parametrize(
    "text",
    [
        "dosyayi ac",
        "projeyi vs code'da ac ve tum testleri calistir",
        "ESKİ KULLANICI HESAPLARINI SİL",
        "LISTELE",
        "README dosyasını aç",
        "origin'e push et",
        "Yarın İstanbul'da hava nasıl olacak?",
    ],
)
def test_turkish_is_detected(text: str) -> None:
    """Turkish grammar wins, with or without diacritics and with English names inside."""
    assert detect(text).language == "tr"


@pytest.mark.parametrize(
    "text",
    [
        "Open the report",
        "Find flights to Rome and book the cheapest one",
        'Open "Günlük_Rapor.xlsx"',
        "Search for information about AI and create a report",
        "Send it to Ayşe",
    ],
)
def test_english_is_detected(text: str) -> None:
    """English grammar wins even with Turkish names, and 'i' is not a Turkish letter."""
    assert detect(text).language == "en"


def test_no_evidence_falls_back_to_english_and_says_so() -> None:
    """A command with no evidence is English by default, flagged as a fallback."""
    det = detect("Docker 42")
    assert det.language == "en"
    meta = det.as_metadata()
    assert meta["fallback"] is True
    assert "defaulted" in meta["reason"]


def test_confident_detection_is_not_a_fallback() -> None:
    """A clear command reports its scores and no fallback."""
    meta = detect("Raporu indir ve özetle").as_metadata()
    assert meta["fallback"] is False
    assert meta["scores"]["tr"] > meta["scores"]["en"]
