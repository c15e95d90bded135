"""Grounded data operations run on the real data handler and do what the words said."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from tests.do.ground_data_helpers import ground

import altlas
from altlas.do.context import GroundContext
from altlas.do.ground_data import ground_data, ground_data_condition
from altlas.do.operations import Operation
from altlas.formats.common import TaskStatus
from altlas.formats.plan import Plan

FRUIT = """picked;farm;fruit;kg;price_per_kg
2024-05-02;Ayvalik;Olive;120;3.10
2024-05-09;Bergama;Fig;40;5.25
2024-06-01;Ayvalik;Fig;55;5.25
2024-06-12;Tire;Olive;80;3.10
2024-06-20;Bergama;Grape;65;2.40
"""


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "harvest.csv").write_text(FRUIT, encoding="utf-8")
    return workspace


def run(ws: Path, *ops: Operation) -> list[dict[str, Any]]:
    """Run the operations as a chain of data tasks (each reads the one before when it has
    no source) and return their outputs."""
    tasks = []
    for n, op in enumerate(ops):
        task: dict[str, Any] = {"id": f"t{n}", "handler": "data", "parameters": op.params}
        if n:
            task["dependencies"] = [f"t{n - 1}"]
        tasks.append({"type": "data_processing", **task})
    result = altlas.run(Plan.model_validate({"id": "p", "tasks": tasks}), workspace=ws)
    outs = []
    for n in range(len(ops)):
        task_result = result.task(f"t{n}")
        assert task_result.status is TaskStatus.COMPLETED, task_result.error
        outs.append(dict(task_result.output))
    return outs


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_sort_desc_and_save(ws: Path) -> None:
    op = ground(ws, "sort harvest.csv by kg from highest to lowest and save it as out/kg.csv", "en")
    run(ws, op)
    assert [r["kg"] for r in rows(ws / "out" / "kg.csv")] == ["120", "80", "65", "55", "40"]


def test_total_per_farm_answer(ws: Path) -> None:
    (out,) = run(ws, ground(ws, "What is the total kg per farm in harvest.csv?", "en"))
    assert out["answer"] == "Ayvalik 175, Bergama 105, Tire 80"


def test_revenue_per_fruit_then_the_best(ws: Path) -> None:
    first = ground(
        ws, "harvest.csv'de her fruit'in toplam gelirini (kg × price_per_kg) hesapla", "tr"
    )
    best = ground(ws, "en yüksek gelirli meyveyi söyle", "tr", previous=first)
    _, out = run(ws, first, best)
    assert out["answer"].startswith("Olive 620")


def test_filter_chain_save_json(ws: Path) -> None:
    first = ground(ws, "harvest.csv'den yalnızca Fig meyvesine ait satırları al", "tr")
    save = ground(ws, "bunu out/incir.json olarak kaydet", "tr", previous=first)
    run(ws, first, save)
    data = json.loads((ws / "out" / "incir.json").read_text(encoding="utf-8"))
    assert [r["farm"] for r in data] == ["Bergama", "Ayvalik"]


def test_per_month_count(ws: Path) -> None:
    (out,) = run(ws, ground(ws, "harvest.csv'de her ay kaç hasat var?", "tr"))
    assert out["answer"] == "2024-05 2, 2024-06 3"


def test_count_written_as_a_number(ws: Path) -> None:
    op = ground(ws, "count the Olive rows of harvest.csv and write the count to out/n.txt", "en")
    run(ws, op)
    assert (ws / "out" / "n.txt").read_text(encoding="utf-8").strip() == "2"


def test_removed_rows_and_two_columns(ws: Path) -> None:
    op = ground(
        ws,
        "remove the rows of harvest.csv where kg is below 60, keep just the farm and kg columns"
        " and save as out/big.csv",
        "en",
    )
    run(ws, op)
    assert rows(ws / "out" / "big.csv") == [
        {"farm": "Ayvalik", "kg": "120"},
        {"farm": "Tire", "kg": "80"},
        {"farm": "Bergama", "kg": "65"},
    ]


def test_unknown_group_key_is_not_a_grand_total(ws: Path) -> None:
    text = "harvest.csv'de her meyvenin toplam gelirini (kg × price_per_kg) hesapla"
    assert ground_data(text, "tr", GroundContext(ws)) is None


def test_condition_probe_counts_rows(ws: Path) -> None:
    probe = ground_data_condition(
        "if any row of harvest.csv has kg over 100", "en", GroundContext(ws)
    )
    assert probe is not None
    (out,) = run(ws, probe)
    assert out["row_count"] == 1
