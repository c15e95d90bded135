"""Parameters per task type, plus quoted names, files, URLs and numbers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import altlas.segment as segmentation


def params(command: str, now: datetime, index: int = 0) -> dict[str, Any]:
    return segmentation.segment(command, now=now).tasks[index].parameters


def test_search_has_its_query(now: datetime) -> None:
    """The query is the segment without its verb."""
    assert (
        params("Find the cheapest hotels near Taksim", now)["query"]
        == "the cheapest hotels near Taksim"
    )
    assert params("Kapadokya'da balon turu fiyatlarını araştır", now)["query"] == (
        "Kapadokya'da balon turu fiyatlarını"
    )


def test_create_has_title_and_format(now: datetime) -> None:
    """A format word becomes the format; the title is the object."""
    p = params("Create a PDF report of the sales", now)
    assert p["title"] == "a PDF report of the sales"
    assert p["format"] == "PDF"


def test_analyze_open_execute_and_summarize(now: datetime) -> None:
    """subject, target, command and content."""
    assert params("Analyze the survey responses", now)["subject"] == "the survey responses"
    assert params("Open the team dashboard", now)["target"] == "the team dashboard"
    assert params("npm install komutunu çalıştır", now)["command"] == "npm install"
    assert (
        params("Summarize the notes from the meeting", now)["content"]
        == "the notes from the meeting"
    )


def test_transform_has_source_and_target_format(now: datetime) -> None:
    """'to JPEG' is a format; 'into Spanish' a language; 'PDF'e' the Turkish target."""
    p = params("Convert all the PNG images to JPEG", now)
    assert p["source"] == "all the PNG images"
    assert p["target_format"] == "JPEG"
    p = params("Translate the manual into Spanish", now)
    assert p["target_format"] == "Spanish"
    assert p["target_languages"] == ["Spanish"]
    p = params("raporu PDF'e dönüştür", now)
    assert p["source"] == "raporu"
    assert p["target_format"] == "PDF"
    assert params("özeti İngilizceye çevir", now)["target_format"] == "İngilizce"
    p = params("sales.csv dosyasını json biçimine dönüştür", now)
    assert (p["source"], p["target_format"]) == ("sales.csv dosyasını", "JSON")
    assert params("raporu PDF formatına çevir", now)["target_format"] == "PDF"


def test_schedule_resolves_when_against_now(now: datetime) -> None:
    """'tomorrow at 10' on Monday 6 January 2025 is Tuesday 10:00."""
    p = params("Schedule a call with Ali tomorrow at 10", now)
    assert p["when"] == "2025-01-07T10:00:00+00:00"
    assert p["when_text"] == "tomorrow at 10"
    assert p["event"] == "a call with Ali"
    p = params("Yarın saat 10'da kuaförden randevu al", now)
    assert p["when"] == "2025-01-07T10:00:00+00:00"
    assert "randevu" in p["event"]


def test_names_files_urls_and_numbers_are_kept(now: datetime) -> None:
    """Quoted names, file names, URLs, e-mails and numbers survive into the parameters."""
    p = params('Open "budget_2025.xlsx" and the notes.md file', now)
    assert p["quoted"] == ["budget_2025.xlsx"]
    assert p["files"] == ["budget_2025.xlsx", "notes.md"]
    p = params("Download https://example.com/data.csv with 1,200 rows for ali@example.com", now)
    assert p["urls"] == ["https://example.com/data.csv"]
    assert p["emails"] == ["ali@example.com"]
    assert p["numbers"] == [1200]
    assert params("15.000 TL'lik faturaları bul", now)["numbers"] == [15000]


def test_a_product_name_is_not_a_file(now: datetime) -> None:
    """'Node.js' is a name, not a file."""
    assert "files" not in params("Install Node.js", now)
