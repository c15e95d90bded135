"""Evaluation: the same figures as the shared scorer, and the quality targets on our sets."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from altlas.segment import segment
from altlas.segment.evaluate import evaluate_file, format_table, prediction, read_jsonl, score

TARGETS = {"seg_f1": 0.95, "type_acc": 0.95, "dep_f1": 0.90, "lang_acc": 0.99}


def _scorer(scorer_path: Path, gold: Path, preds: Path, *flags: str) -> str:
    """What the shared scorer prints, run as a subprocess on the predictions."""
    return subprocess.run(
        [sys.executable, str(scorer_path), str(gold), str(preds), *flags],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def test_figures_equal_the_shared_scorer(dev_path: Path, scorer_path: Path, tmp_path: Path) -> None:
    """Our table and the scorer's, run as a subprocess on our predictions, are identical."""
    preds = tmp_path / "pred.jsonl"
    result = evaluate_file(dev_path, segment, preds)
    assert format_table(result) + "\n" == _scorer(scorer_path, dev_path, preds)
    theirs_json = _scorer(scorer_path, dev_path, preds, "--json")
    assert json.loads(theirs_json) == json.loads(json.dumps(result))


def test_scorer_parity_on_imperfect_predictions(
    dev_path: Path, scorer_path: Path, tmp_path: Path
) -> None:
    """Parity also holds when predictions are wrong, missing or malformed."""
    gold, _ = read_jsonl(dev_path)
    lines = []
    for k, rec in enumerate(gold[:40]):
        pred = prediction(rec["id"], segment(rec["command"]))
        if k % 3 == 0:
            pred["segments"] = pred["segments"][:1]
            pred["deps"] = [[1, 0], [5, 9]]
        if k % 5 == 0:
            pred["lang"] = "xx"
        lines.append(json.dumps(pred))
    lines.append("not json")
    preds = tmp_path / "pred.jsonl"
    preds.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ours = score(gold, *read_jsonl(preds))
    assert format_table(ours) + "\n" == _scorer(scorer_path, dev_path, preds)


@pytest.mark.parametrize(
    "fixture", ["dev_path", "extra_path", "fresh_path", "fresh2_path", "fresh3_path"]
)
def test_quality_targets_hold(fixture: str, request: pytest.FixtureRequest) -> None:
    """Per language: boundary and edge F1 >= 0.95 / 0.90, type and language >= 0.95 / 0.99."""
    path: Path = request.getfixturevalue(fixture)
    result = evaluate_file(path, segment)
    for lang, figures in result["by_lang"].items():
        for metric, target in TARGETS.items():
            assert figures[metric] >= target, f"{path.name} {lang} {metric} = {figures[metric]}"
