"""Dependencies from sequence markers, converbs and references, and nothing else."""

from __future__ import annotations

import pytest

import altlas.segment as segmentation


def edges(command: str) -> list[list[int]]:
    plan = segmentation.segment(command)
    index = {t.id: i for i, t in enumerate(plan.tasks)}
    return sorted([index[t.id], index[d]] for t in plan.tasks for d in t.dependencies)


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        # sequence markers and converbs
        ("Install Docker, then run the hello-world container", [[1, 0]]),
        ("Pull the changes and afterwards rebuild the project", [[1, 0]]),
        ("Raporu indirip özetle", [[1, 0]]),
        ("Docker'ı kurduktan sonra testleri çalıştır", [[1, 0]]),
        ("Sunucuyu durdur, ardından logları sil", [[1, 0]]),
        # references
        ("Create a report and email it to Ali", [[1, 0]]),
        ("Translate this paragraph, then send the translation to Anna", [[1, 0]]),
        ("Find hotels near the beach and compare their ratings", [[1, 0]]),
        ("Book a room for Monday and prepare an agenda for that meeting", [[1, 0]]),
        ("Find flights and hotels, build a cost table for both", [[1, 0]]),
        ("Search for laptops and summarize what you find", [[1, 0]]),
        ("Otelleri bul ve fiyatlarını karşılaştır", [[1, 0]]),
        ("Bir rapor yaz ve bunu Ali'ye gönder", [[1, 0]]),
        ("Raporu özetle ve özeti İngilizceye çevir", [[1, 0]]),
        ("Rapor hazırla ve insan kaynaklarına gönder", [[1, 0]]),
        ("Download and install Zoom", [[1, 0]]),
        # independent actions stay independent
        ("Open Spotify and check the weather", []),
        ("open the project in VS Code and run the linter", []),
        ("Spotify'ı aç ve hava durumuna bak", []),
        ("Send the invoice to Mehmet. Also, remind me about the meeting on Friday.", []),
        ("Antalya'ya uçak bileti ara ve Kaleiçi'nde bir pansiyon bul", []),
    ],
)
def test_edges(command: str, expected: list[list[int]]) -> None:
    """[i, j]: segment i needs segment j first."""
    assert edges(command) == expected


def test_both_points_at_the_two_previous_segments() -> None:
    """'both versions' links to each of the two versions."""
    command = "Write a cover letter, translate it into Turkish, and save both versions to Dropbox"
    assert edges(command) == [[1, 0], [2, 0], [2, 1]]


def test_repeating_a_name_is_not_a_reference() -> None:
    """'start nginx again' does not refer back by itself (only the marker links)."""
    assert edges("Stop nginx and start nginx again") == []


def test_edges_are_direct() -> None:
    """A chain has no transitive edge."""
    assert edges("Open it, then read it, then print it") == [[1, 0], [2, 1]]
