"""Evaluate the segmenter against gold JSON Lines, with the shared scorer's metrics.

The metrics, normalisation and one-to-one matching are those of
``shared/tools/score_segmentation.py`` (a test checks that both print the same table on the
dev set); predictions are written in that scorer's format.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import orjson

from altlas.errors import InvalidInputError

__all__ = [
    "Counts",
    "evaluate_file",
    "format_table",
    "metrics",
    "predict",
    "read_jsonl",
    "score",
]

THRESHOLD = 0.6
METRICS = (
    "lang_acc",
    "count_acc",
    "seg_p",
    "seg_r",
    "seg_f1",
    "type_acc",
    "dep_p",
    "dep_r",
    "dep_f1",
    "plan_exact",
)
HEADERS = ("lang", "count", "seg_P", "seg_R", "seg_F1", "type", "dep_P", "dep_R", "dep_F1", "exact")


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch).startswith("P")


def normalize(text: object, lang: str) -> list[str]:
    """Tokens of a segment text: lowercased (Turkish-aware), punctuation stripped at the edges."""
    if not isinstance(text, str):
        return []
    text = unicodedata.normalize("NFC", text)
    text = text.replace("I", "ı").replace("İ", "i") if lang == "tr" else text.replace("İ", "i")
    tokens = []
    for raw in text.lower().split():
        start, end = 0, len(raw)
        while start < end and _is_punct(raw[start]):
            start += 1
        while end > start and _is_punct(raw[end - 1]):
            end -= 1
        if start < end:
            tokens.append(raw[start:end])
    return tokens


def _jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def match_segments(gold: list[list[str]], pred: list[list[str]]) -> dict[int, int]:
    """One-to-one, in-order greedy matching; {gold index: predicted index}."""
    mapping: dict[int, int] = {}
    gold_sets = [set(t) for t in gold]
    pred_sets = [set(t) for t in pred]
    last = -1
    for gi, gset in enumerate(gold_sets):
        best_score, best_pj = 0.0, None
        for pj in range(last + 1, len(pred_sets)):
            value = _jaccard(gset, pred_sets[pj])
            if value >= THRESHOLD and value > best_score:
                best_score, best_pj = value, pj
        if best_pj is not None:
            mapping[gi] = best_pj
            last = best_pj
    return mapping


@dataclass
class Counts:
    n: int = 0
    lang_ok: int = 0
    count_ok: int = 0
    gold_segs: int = 0
    pred_segs: int = 0
    matched: int = 0
    type_ok: int = 0
    gold_edges: int = 0
    pred_edges: int = 0
    edge_tp: int = 0
    exact: int = 0

    def add(self, other: Counts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


def _edge(value: object) -> tuple[int, int] | None:
    if (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        return int(value[0]), int(value[1])
    return None


def _segments(pred: dict[str, Any]) -> list[dict[str, Any]]:
    segs = pred.get("segments")
    if not isinstance(segs, list):
        return []
    return [s if isinstance(s, dict) else {} for s in segs]


def _type(seg: dict[str, Any]) -> str | None:
    t = seg.get("task_type")
    return t.strip().lower() if isinstance(t, str) else None


def evaluate_one(gold: dict[str, Any], pred: dict[str, Any] | None) -> Counts:
    """Counts for one gold command and its prediction (None when missing)."""
    lang = gold["lang"]
    gsegs = gold["segments"]
    gtypes = [s["task_type"] for s in gsegs]
    gedges = {tuple(e) for e in gold["deps"]}
    c = Counts(n=1, gold_segs=len(gsegs), gold_edges=len(gedges))
    if pred is None:
        return c
    plang = pred.get("lang")
    c.lang_ok = int(isinstance(plang, str) and plang.strip().lower() == lang)
    psegs = _segments(pred)
    ptypes = [_type(s) for s in psegs]
    c.pred_segs = len(psegs)
    c.count_ok = int(len(psegs) == len(gsegs))
    mapping = match_segments(
        [normalize(s["text"], lang) for s in gsegs],
        [normalize(s.get("text"), lang) for s in psegs],
    )
    c.matched = len(mapping)
    c.type_ok = sum(1 for gi, pj in mapping.items() if ptypes[pj] == gtypes[gi])
    raw = pred.get("deps")
    raw = raw if isinstance(raw, list) else []
    valid: set[tuple[int, int]] = set()
    invalid = 0
    for value in raw:
        e = _edge(value)
        if e is None or not (0 <= e[1] < e[0] < len(psegs)):
            invalid += 1
        else:
            valid.add(e)
    c.pred_edges = len(valid) + invalid
    inverse = {pj: gi for gi, pj in mapping.items()}
    c.edge_tp = sum(
        1 for i, j in valid if i in inverse and j in inverse and (inverse[i], inverse[j]) in gedges
    )
    c.exact = int(c.count_ok == 1 and ptypes == gtypes and invalid == 0 and valid == gedges)
    return c


def _prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    if n_pred == 0 and n_gold == 0:
        return 1.0, 1.0, 1.0
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def metrics(c: Counts) -> dict[str, float | int]:
    n = c.n or 1
    seg_p, seg_r, seg_f = _prf(c.matched, c.pred_segs, c.gold_segs)
    dep_p, dep_r, dep_f = _prf(c.edge_tp, c.pred_edges, c.gold_edges)
    values = {
        "lang_acc": c.lang_ok / n,
        "count_acc": c.count_ok / n,
        "seg_p": seg_p,
        "seg_r": seg_r,
        "seg_f1": seg_f,
        "type_acc": c.type_ok / c.matched if c.matched else 0.0,
        "dep_p": dep_p,
        "dep_r": dep_r,
        "dep_f1": dep_f,
        "plan_exact": c.exact / n,
    }
    if c.n == 0:
        values = dict.fromkeys(values, 0.0)
    out: dict[str, float | int] = {"n": c.n}
    out.update({k: round(v, 4) for k, v in values.items()})
    out.update(
        {
            "gold_segments": c.gold_segs,
            "pred_segments": c.pred_segs,
            "matched_segments": c.matched,
            "gold_edges": c.gold_edges,
            "pred_edges": c.pred_edges,
            "matched_edges": c.edge_tp,
        },
    )
    return out


def read_jsonl(path: str | Path) -> tuple[list[dict[str, Any]], int]:
    """Objects of a JSON Lines file and the number of lines that were not JSON objects."""
    records: list[dict[str, Any]] = []
    bad = 0
    try:
        with Path(path).open(encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                try:
                    obj = orjson.loads(line)
                except orjson.JSONDecodeError:
                    bad += 1
                    continue
                if isinstance(obj, dict):
                    records.append(obj)
                else:
                    bad += 1
    except OSError as exc:
        raise InvalidInputError(f"cannot read: {exc.strerror}", file=str(path)) from None
    return records, bad


def _valid_gold(rec: dict[str, Any]) -> bool:
    try:
        return (
            isinstance(rec["id"], str)
            and isinstance(rec["lang"], str)
            and all(
                isinstance(s["text"], str) and isinstance(s["task_type"], str)
                for s in rec["segments"]
            )
            and all(_edge(e) is not None for e in rec["deps"])
        )
    except (KeyError, TypeError):
        return False


def score(
    gold_records: list[dict[str, Any]],
    pred_records: list[dict[str, Any]],
    invalid_pred_lines: int = 0,
) -> dict[str, Any]:
    """The scorer's result object: overall and per-language metrics, prediction counts."""
    gold = [g for g in gold_records if _valid_gold(g)]
    skipped_gold = len(gold_records) - len(gold)
    preds: dict[str, dict[str, Any]] = {}
    duplicates = 0
    for p in pred_records:
        pid = p.get("id")
        if not isinstance(pid, str):
            invalid_pred_lines += 1
        elif pid in preds:
            duplicates += 1
        else:
            preds[pid] = p
    gold_ids = {g["id"] for g in gold}
    groups: dict[str, Counts] = {"overall": Counts()}
    for g in gold:
        c = evaluate_one(g, preds.get(g["id"]))
        groups["overall"].add(c)
        groups.setdefault(g["lang"], Counts()).add(c)
    by_lang = {k: metrics(groups[k]) for k in sorted(k for k in groups if k != "overall")}
    return {
        "overall": metrics(groups["overall"]),
        "by_lang": by_lang,
        "predictions": {
            "gold_commands": len(gold),
            "predicted": sum(1 for gid in gold_ids if gid in preds),
            "missing": sum(1 for gid in gold_ids if gid not in preds),
            "unknown_ids": sum(1 for pid in preds if pid not in gold_ids),
            "duplicate_ids": duplicates,
            "invalid_lines": invalid_pred_lines,
            "skipped_gold_lines": skipped_gold,
        },
        "match_threshold": THRESHOLD,
    }


def format_table(result: dict[str, Any]) -> str:
    """The scorer's compact table."""
    rows = [("overall", result["overall"]), *result["by_lang"].items()]
    lines = [f"{'group':<8}{'n':>5}  " + " ".join(f"{h:>6}" for h in HEADERS)]
    for name, m in rows:
        lines.append(f"{name:<8}{m['n']:>5}  " + " ".join(f"{m[k]:>6.3f}" for k in METRICS))
    p = result["predictions"]
    lines.append(
        f"predictions: {p['predicted']} of {p['gold_commands']} gold commands "
        f"({p['missing']} missing, {p['unknown_ids']} unknown ids, "
        f"{p['duplicate_ids']} duplicate ids, {p['invalid_lines']} invalid lines)",
    )
    return "\n".join(lines)


def prediction(record_id: str, plan: Any) -> dict[str, Any]:
    """A plan in the scorer's prediction format (text is the task's span)."""
    index = {t.id: i for i, t in enumerate(plan.tasks)}
    deps = sorted([index[t.id], index[d]] for t in plan.tasks for d in t.dependencies if d in index)
    return {
        "id": record_id,
        "lang": plan.language,
        "segments": [
            {"task_type": t.type, "text": t.span.text if t.span else t.description}
            for t in plan.tasks
        ],
        "deps": deps,
    }


def predict(
    gold_records: Iterable[dict[str, Any]],
    segmenter: Callable[[str], Any],
) -> Iterator[dict[str, Any]]:
    """Predictions for every gold record with a string id and command."""
    for rec in gold_records:
        rid, command = rec.get("id"), rec.get("command")
        if isinstance(rid, str) and isinstance(command, str) and command.strip():
            yield prediction(rid, segmenter(command))


def evaluate_file(
    gold_path: str | Path,
    segmenter: Callable[[str], Any],
    predictions_path: str | Path | None = None,
) -> dict[str, Any]:
    """Segment every gold command, optionally write the predictions, and score them."""
    gold, _ = read_jsonl(gold_path)
    preds = list(predict(gold, segmenter))
    if predictions_path is not None:
        from altlas.formats.io import atomic_write_bytes

        body = b"".join(orjson.dumps(p) + b"\n" for p in preds)
        atomic_write_bytes(predictions_path, body)
    return score(gold, preds)
