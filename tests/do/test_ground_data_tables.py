"""tables.peek: header, numeric and date columns, distinct values; cached until the file changes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from altlas.do.tables import peek


def test_csv_facts(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text(
        "day,shop,amount,note\n2024-05-01,Kadikoy,3.5,x\n2024-05-02,Besiktas,4,y\n2024-05-02,Kadikoy,1,\n",
        encoding="utf-8",
    )
    facts = peek(tmp_path, "t.csv")
    assert facts is not None
    assert facts.columns == ("day", "shop", "amount", "note")
    assert facts.numeric == {"amount"}
    assert "day" in facts.temporal and "shop" not in facts.temporal
    assert facts.values["shop"] == ("Kadikoy", "Besiktas")


def test_json_records(tmp_path: Path) -> None:
    rows = [{"isim": "Ece", "yas": 30}, {"isim": "Tuna", "yas": 41}]
    (tmp_path / "k.json").write_text(json.dumps(rows), encoding="utf-8")
    facts = peek(tmp_path, "k.json")
    assert facts is not None and facts.columns == ("isim", "yas")
    assert facts.numeric == {"yas"} and facts.values["isim"] == ("Ece", "Tuna")


def test_changed_file_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,x\n", encoding="utf-8")
    assert peek(tmp_path, "t.csv").columns == ("a", "b")  # type: ignore[union-attr]
    path.write_text("a,b,c\n1,x,y\n", encoding="utf-8")
    os.utime(path, ns=(path.stat().st_mtime_ns + 10**9,) * 2)
    assert peek(tmp_path, "t.csv").columns == ("a", "b", "c")  # type: ignore[union-attr]


def test_missing_outside_and_unreadable(tmp_path: Path) -> None:
    inside = tmp_path / "ws"
    inside.mkdir()
    (tmp_path / "secret.csv").write_text("k\n1\n", encoding="utf-8")
    (inside / "bad.json").write_text("{not json", encoding="utf-8")
    (inside / "notes.md").write_text("# x\n", encoding="utf-8")
    assert peek(inside, "nope.csv") is None
    assert peek(inside, "../secret.csv") is None
    assert peek(inside, "bad.json") is None
    assert peek(inside, "notes.md") is None


def test_grounding_does_not_load_polars_on_import() -> None:
    code = "import altlas.do.ground_data, sys; print('polars' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_semicolon_and_tab_separated(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("id;city;total\n1;Van;3,5\n2;Muş;4\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("\ufeffk\tv\nx\t1\n", encoding="utf-8")
    a = peek(tmp_path, "a.csv")
    assert a is not None and a.columns == ("id", "city", "total")
    assert a.values["city"] == ("Van", "Muş")
    b = peek(tmp_path, "b.csv")
    assert b is not None and b.columns == ("k", "v") and b.numeric == {"v"}
