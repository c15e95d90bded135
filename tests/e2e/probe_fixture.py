"""The PROBE fixture (workspace_probe/) read with the standard library, and the case builders.

Every expected value of cases/probe.jsonl comes from here, never from altlas.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import case_format

WS = Path(__file__).resolve().parent / "workspace_probe"


def _csv(name: str, delimiter: str) -> tuple[list[str], list[dict[str, str]]]:
    text = (WS / name).read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = list(reader)
    return list(reader.fieldnames or []), rows


SAT_COLS, SAT = _csv("satislar.csv", ";")
MUS_COLS, MUS = _csv("müşteriler.csv", ",")
PRI_COLS, PRI = _csv("prices.tsv", "\t")
STAFF: list[dict[str, Any]] = json.loads((WS / "staff.json").read_text(encoding="utf-8"))
EVENTS = [
    json.loads(x) for x in (WS / "events.ndjson").read_text(encoding="utf-8").splitlines() if x
]
LOG = (WS / "logs/worker.log").read_text(encoding="utf-8").splitlines()
ABOUT = (WS / "ABOUT.md").read_text(encoding="utf-8")
ASSETS = sorted(p.name for p in (WS / "assets").iterdir())
_LEVEL = re.compile(r"^\S+ \S+ (\w+) ")


def num(v: float) -> str:
    """The plain form the scorer expects: no trailing zeros, no thousands separator."""
    return f"{v:.2f}".rstrip("0").rstrip(".")


def log_lines(level: str) -> list[str]:
    return [ln for ln in LOG if (m := _LEVEL.match(ln)) and m.group(1) == level]


def stamp(line: str) -> str:
    """A log line's HH:MM:SS, unique per line in this fixture."""
    return line.split()[1].split(",")[0]


def words(text: str) -> int:
    by_space, by_regex = len(text.split()), len(re.findall(r"\w+", text))
    assert by_space == by_regex, "a counted text must count the same by whitespace and by \\w+"
    return by_space


def lines_of(rel: str) -> list[str]:
    return (WS / rel).read_text(encoding="utf-8").splitlines()


def sat_sum(key: str, val: str = "tutar") -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for r in SAT:
        out[r[key]] += int(r[val])
    return dict(out)


def team_means() -> dict[str, float]:
    acc: dict[str, list[float]] = defaultdict(list)
    for p in STAFF:
        acc[p["team"]].append(p["hourly_rate"])
    return {t: sum(v) / len(v) for t, v in acc.items()}


def pairs(d: dict[str, Any], fmt: Any = str) -> list[str]:
    """Keys and values as needles: ['a', '1', 'b', '2'] in key order."""
    return [x for k, v in sorted(d.items()) for x in (k, fmt(v))]


def listing(d: dict[str, Any], fmt: Any = str) -> str:
    return ", ".join(f"{k} {fmt(v)}" for k, v in sorted(d.items()))


def table(
    rows: int | None = None,
    cols: list[str] | None = None,
    by: tuple[str, bool] | None = None,
    where: tuple[str, str] | None = None,
    has: list[Any] | None = None,
    lacks: list[str] | None = None,
    json_len: int | None = None,
) -> dict[str, Any]:
    """The checks on one output file, in the scorer's vocabulary."""
    checks: dict[str, Any] = {}
    if rows is not None:
        checks["csv_rows"] = rows
    if cols is not None:
        checks["csv_columns"] = cols
    if json_len is not None:
        checks["json_len"] = json_len
    if by is not None:
        checks["csv_sorted"] = {"column": by[0], "desc": by[1]}
    if where is not None:
        checks["csv_all"] = {"column": where[0], "equals": where[1]}
    if has is not None:
        checks["contains"] = has
    if lacks is not None:
        checks["not_contains"] = lacks
    return checks


SAME = {"unchanged": True}
ABSENT = {"exists": False}


def case(
    ident: str,
    cat: str,
    command: str,
    note: str,
    status: str | None = "success",
    files: dict[str, Any] | None = None,
    answer: list[Any] | None = None,
) -> dict[str, Any]:
    """One case line; ident is 'en-001' or 'tr-017'."""
    return case_format.case(
        f"probe-{ident}", cat, command, note, status=status or None, files=files, answer=answer
    )
