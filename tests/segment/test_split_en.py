"""English splitting: actions split, noun phrases and reminder contents stay whole."""

from __future__ import annotations

import pytest

from altlas.segment.split_en import split_en
from altlas.segment.text import tokenize


def texts(command: str) -> list[str]:
    toks = tokenize(command, "en")
    return [command[toks[s.first].start : toks[s.last].end] for s in split_en(toks)]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (
            "Compare sales and costs for 2024 and email the comparison to Dana.",
            ["Compare sales and costs for 2024", "email the comparison to Dana"],
        ),
        (
            "Open Spotify, check the weather in Bursa and remind me to call Ali and Zeynep at 5",
            ["Open Spotify", "check the weather in Bursa", "remind me to call Ali and Zeynep at 5"],
        ),
        (
            "Download and unzip the release, then run setup.exe",
            ["Download", "unzip the release", "run setup.exe"],
        ),
        (
            "Translate the manual into Spanish and Portuguese",
            ["Translate the manual into Spanish and Portuguese"],
        ),
        (
            "Remind me to buy milk and call the plumber",
            ["Remind me to buy milk and call the plumber"],
        ),
        (
            "Write a script that renames photos and sorts them and run it",
            ["Write a script that renames photos and sorts them", "run it"],
        ),
        ("Please stop the server, then start it again.", ["stop the server", "start it again"]),
        ("First back up the disk. After that, wipe it!", ["back up the disk", "wipe it"]),
        (
            "Find cafés with Wi-Fi and power outlets near the pier",
            ["Find cafés with Wi-Fi and power outlets near the pier"],
        ),
        (
            "Create a bar chart broken down by country and device",
            ["Create a bar chart broken down by country and device"],
        ),
        (
            "Download the logs then search them for errors",
            ["Download the logs", "search them for errors"],
        ),
    ],
)
def test_split_points(command: str, expected: list[str]) -> None:
    """Segments are the actions, without joining words, politeness or final punctuation."""
    assert texts(command) == expected


def test_an_ambiguous_noun_after_and_does_not_split() -> None:
    """'review scores' is a noun phrase, 'review the code' an action."""
    assert texts("Compare prices and review scores") == ["Compare prices and review scores"]
    assert texts("Fix the bug and review the code") == ["Fix the bug", "review the code"]


def test_markers_are_recorded() -> None:
    """'then' marks sequence, 'and'/'also' only addition."""
    toks = tokenize("Open it, then read it and also print it", "en")
    assert [s.marker for s in split_en(toks)] == [None, "seq", "add"]
