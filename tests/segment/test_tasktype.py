"""Task types from the main verb, corrected by the object where the guideline says so."""

from __future__ import annotations

import pytest

import altlas.segment as segmentation


def types(command: str) -> list[str]:
    return [t.type for t in segmentation.segment(command).tasks]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("Check the weather in Bursa", "search"),
        ("Check the Nginx error log for 502 errors", "analyze"),
        ("Set an alarm for 6:45", "schedule"),
        ("Set the thermostat to 21 degrees", "execute"),
        ("Start Spotify", "open"),
        ("Start the nginx service again", "execute"),
        ("Add the deadline to my calendar", "schedule"),
        ("Update the Python packages", "execute"),
        ("Update the README with the new steps", "transform"),
        ("Remind me to send the report", "schedule"),
        ("Look up the exchange rate", "search"),
        ("Browse the docs", "search"),
        ("What is the population of Tokyo?", "search"),
        ("ekran parlaklığını %50'ye ayarla", "execute"),
        ("yarın saat 10'a toplantı ayarla", "schedule"),
        ("fotoğrafları siteye yükle", "execute"),
        ("musteriler.xlsx dosyasını yükle", "open"),
        ("sistemi yeniden başlat", "execute"),
        ("bu metni yeniden yaz", "transform"),
        ("alarm kur", "schedule"),
        ("önbelleği temizle", "execute"),
        ("hava durumunu kontrol et", "search"),
        ("logları kontrol et", "analyze"),
    ],
)
def test_type_of_the_main_verb(command: str, expected: str) -> None:
    """Whole-word verbs decide the type; the object settles the listed clashes."""
    assert types(command) == [expected]


def test_substrings_do_not_match() -> None:
    """'browser' is not 'browse' and 'document' not 'do' (the original matched substrings)."""
    plan = segmentation.segment("Open the browser document")
    assert [t.type for t in plan.tasks] == ["open"]


def test_confidence_is_lower_without_a_known_verb() -> None:
    """A segment with no known verb falls back to search with a low confidence."""
    plan = segmentation.segment("Zorp the blarg")
    assert plan.tasks[0].type == "search"
    assert plan.tasks[0].confidence is not None and plan.tasks[0].confidence < 0.5
