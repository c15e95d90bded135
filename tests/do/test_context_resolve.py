"""One rule resolves a file reference for every family: path, bare name, accents, description."""

from __future__ import annotations

from pathlib import Path

import pytest

from altlas.do.context import GroundContext, resolve_file

FILES = [
    "README.md",
    "Annual sales plan.md",
    "kargo_listesi.txt",
    "data/çalışanlar.csv",
    "logs/nightly.log",
    "a/report.csv",
    "b/report.csv",
]


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("README.md", "README.md"),
        ("./README.md", "README.md"),
        ("readme.md", "README.md"),
        ("nightly.log", "logs/nightly.log"),
        ("calisanlar.csv", "data/çalışanlar.csv"),
        ("ÇALIŞANLAR.CSV", "data/çalışanlar.csv"),
        ("annual sales plan.md", "Annual sales plan.md"),
        ("the annual sales plan", None),  # "the" is not part of the name: callers strip it
        ("annual sales plan", "Annual sales plan.md"),
        ("kargo listesi", "kargo_listesi.txt"),
        ("nightly log", "logs/nightly.log"),
    ],
)
def test_a_reference_resolves_to_its_one_file(reference: str, expected: str | None) -> None:
    assert resolve_file(reference, FILES) == expected


@pytest.mark.parametrize("reference", ["report.csv", "sales", "plan", "", "nightly.txt"])
def test_no_file_or_two_files_resolve_to_none(reference: str) -> None:
    """Two files fit ("report.csv" in a/ and b/) or none does: never a guess."""
    assert resolve_file(reference, FILES) is None


def test_the_context_resolves_against_the_workspace(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "Öğrenci notları.txt").write_text("x\n", encoding="utf-8")
    ctx = GroundContext(tmp_path)
    assert ctx.resolve("ogrenci notlari.txt") == "sub/Öğrenci notları.txt"
    assert ctx.resolve("ogrenci notlari") == "sub/Öğrenci notları.txt"
    assert ctx.resolve("notlari.txt") is None
