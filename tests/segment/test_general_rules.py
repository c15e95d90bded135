"""General rules added after the fresh3 blind run, checked on sentences of no gold set."""

from __future__ import annotations

import pytest

import altlas.segment as segmentation


def tasks(command: str) -> list[tuple[str, str, list[int]]]:
    plan = segmentation.segment(command, now="2025-01-06T09:00:00Z")
    index = {t.id: i for i, t in enumerate(plan.tasks)}
    return [(t.type, t.description, sorted(index[d] for d in t.dependencies)) for t in plan.tasks]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        # a polite Turkish question: the aorist verb before mı/mi/mısın is the action
        ("Raporu açar mısın?", [("open", "Raporu açar mısın", [])]),
        (
            "Notları özetleyebilir misiniz ve Ali'ye gönderir misin?",
            [
                ("summarize", "Notları özetleyebilir misiniz", []),
                ("execute", "Ali'ye gönderir misin", [0]),
            ],
        ),
        ("Bu tabloyu analiz eder misin", [("analyze", "Bu tabloyu analiz eder misin", [])]),
        # "tell someone" notifies; "tell me" asks
        ("Tell me the capital of Peru", [("search", "Tell me the capital of Peru", [])]),
        (
            "Fix the typo and tell Omar about it",
            [("transform", "Fix the typo", []), ("execute", "tell Omar about it", [0])],
        ),
        # "turn X into Y" is a transformation
        (
            "Turn these notes into a checklist",
            [("transform", "Turn these notes into a checklist", [])],
        ),
    ],
)
def test_types_and_edges(command: str, expected: list[tuple[str, str, list[int]]]) -> None:
    assert tasks(command) == expected


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        # output nouns of measurements and evaluations point back
        ("Profile the import script and plot the timings", [[], [0]]),
        ("Assess the two offers and draft a reply based on the assessment", [[], [0]]),
        # "the new X" after "the old X" is another X, not a reference
        ("Remove the old keyboard driver and install the new driver", [[], []]),
        ("Delete the old backup, then copy the new backup to the NAS", [[], [0]]),
        # Turkish vowel-dropping nouns (metin/metni) name earlier outputs
        ("Toplantı kaydını yazıya dök ve metni Almancaya çevir", [[], [0]]),
        # "bir tablo halinde" is a manner, so the verb's object is elided
        ("Eksik alanları belirle ve bir liste halinde yaz", [[], [0]]),
        # a check with no object repeats the search before it
        ("Bursa'da hava durumuna bak, sonra İzmir için de kontrol et", [[], [0]]),
    ],
)
def test_dependencies(command: str, expected: list[list[int]]) -> None:
    assert [deps for _, _, deps in tasks(command)] == expected


def test_objectless_check_after_search_is_search() -> None:
    assert [
        t for t, _, _ in tasks("Bursa'da hava durumuna bak, sonra İzmir için de kontrol et")
    ] == [
        "search",
        "search",
    ]
    # a check of one's own data stays analyze
    assert [t for t, _, _ in tasks("Logları bul ve hataları kontrol et")][1] == "analyze"


def test_writing_a_result_to_a_channel_posts_it() -> None:
    assert tasks("Özeti #duyurular kanalına yaz")[0][0] == "execute"
    # composing new text for a channel is still create
    assert tasks("Slack grubuna kısa bir not yaz")[0][0] == "create"
