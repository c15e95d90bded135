"""Turkish noun compounds ("ürün rengi"): the head (last word) names the column."""

from __future__ import annotations

from pathlib import Path

from altlas.do.context import GroundContext
from altlas.do.ground_data import ground_data

STOCK = """Urun|Renk|Depo|Adet
Kalem|Mavi|A|3
Silgi|Mavi|B|4
Defter|Kirmizi|A|5
Cetvel|Yesil|B|1
"""


def test_compound_head_names_the_group_key(tmp_path: Path) -> None:
    (tmp_path / "stok.csv").write_text(STOCK, encoding="utf-8")
    op = ground_data(
        "stok.csv'de her ürün rengi için kaç kayıt var", "tr", GroundContext(tmp_path, None)
    )
    assert op is not None
    groups = [s for s in op.params["steps"] if s["op"] == "group"]
    assert groups and groups[0]["by"] == ["Renk"], op.params["steps"]


def test_bare_modifier_alone_still_names_its_column(tmp_path: Path) -> None:
    (tmp_path / "stok.csv").write_text(STOCK, encoding="utf-8")
    op = ground_data("stok.csv'de her ürün için kaç kayıt var", "tr", GroundContext(tmp_path, None))
    assert op is not None
    groups = [s for s in op.params["steps"] if s["op"] == "group"]
    assert groups and groups[0]["by"] == ["Urun"], op.params["steps"]


def test_let_it_be_names_the_output_of_the_step_before(tmp_path: Path) -> None:
    from altlas.do.api import plan_for

    (tmp_path / "stok.csv").write_text(STOCK, encoding="utf-8")
    plan, _ = plan_for("stok.csv'yi parquet'e donustur, sonuc/envanter.parquet olsun", tmp_path)
    assert len(plan.tasks) == 1, plan.tasks
    params = dict(plan.tasks[0].parameters)
    assert params["source"] == "stok.csv"
    assert params["output"] == "sonuc/envanter.parquet"
