"""A count with somewhere to put it, and quoted content kept whole (Turkish apostrophes, verbs)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.do.conftest import planned_ops

from altlas.do.words import quoted, quoted_spans


@pytest.mark.parametrize(
    "command",
    [
        "tally the ERROR lines in server.log and write the result to reports/total.txt",
        "how many words does readme.txt have? save the count in sayim/adet.md",
        "server.log içindeki ERROR satırlarını say, sonucu rapor/toplam.txt dosyasına kaydet",
    ],
)
def test_a_count_with_a_destination_is_not_a_bare_count(command: str, ws: Path) -> None:
    ops = planned_ops(command, ws)
    assert all(
        h != "text" or p.get("operation") not in ("count_lines", "count_words") or p.get("output")
        for h, p in ops
    ), ops
    assert any(h == "refuse" for h, _ in ops) or any("output" in p for _, p in ops)


def test_a_count_without_a_destination_still_counts(ws: Path) -> None:
    assert (
        planned_ops("tally the ERROR lines in server.log", ws)[0][1]["operation"] == "count_lines"
    )


def test_an_apostrophe_inside_double_quotes_does_not_end_them() -> None:
    text = "notlar.md'ye \"Cuma 14'te toplantı, Ali'nin odası\" ekle"
    assert quoted(text) == ["Cuma 14'te toplantı, Ali'nin odası"]
    assert quoted_spans(text) == [(text.index('"'), text.rindex('"') + 1)]


@pytest.mark.parametrize("verb", ["hazırla", "aç", "yarat"])
def test_quoted_content_keeps_its_words_and_takes_no_verb(verb: str, ws: Path) -> None:
    said = f"Kasım'ın 3'ünde {verb}ılacak kutu"
    command = f'ozet/not.txt diye bir dosya oluşturup içine "{said}" yazar mısın?'
    ops = planned_ops(command, ws)
    writes = [p for h, p in ops if h == "files" and p.get("operation") == "write"]
    assert writes and writes[-1]["content"].rstrip("\n") == said, ops
