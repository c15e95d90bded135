"""Files named loosely in a segment: spaces in names, no folder, no accents, a description."""

from __future__ import annotations

from pathlib import Path

import pytest

from altlas.do.context import GroundContext
from altlas.do.words import file_by_description, file_by_words, first_existing, mentions


@pytest.fixture
def ctx(tmp_path: Path) -> GroundContext:
    for name in ("Team meeting notes.md", "kargo/gönderi_listesi.txt", "tmp/build.log", "x.csv"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x\n", encoding="utf-8")
    return GroundContext(tmp_path)


def test_a_name_with_spaces_is_read_whole(ctx: GroundContext) -> None:
    text = "Add the line 'done' to Team meeting notes.md"
    assert mentions(text) == ["notes.md"]  # without the workspace: as written
    assert mentions(text, ctx) == ["Team meeting notes.md"]
    assert first_existing(text, ctx) == "Team meeting notes.md"


def test_a_name_without_folder_or_accents_resolves(ctx: GroundContext) -> None:
    assert mentions("gonderi_listesi.txt dosyasını oku", ctx) == ["kargo/gönderi_listesi.txt"]
    assert mentions("count the lines of build.log", ctx) == ["tmp/build.log"]


def test_a_new_file_stays_as_written(ctx: GroundContext) -> None:
    assert mentions("copy x.csv to out/notes.md", ctx) == ["x.csv", "out/notes.md"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("summarize the team meeting notes", "Team meeting notes.md"),
        ("gönderi listesini göster", "kargo/gönderi_listesi.txt"),
        ("gonderi listesindeki satirlari say", "kargo/gönderi_listesi.txt"),
        ("summarize the meeting", None),
        ("show the team notes", None),
    ],
)
def test_a_description_names_the_file(ctx: GroundContext, text: str, expected: str | None) -> None:
    assert file_by_description(text, ctx) == expected


def test_the_build_log_by_kind_and_word(ctx: GroundContext) -> None:
    assert file_by_words("show the errors in the build log", ctx) == "tmp/build.log"
