"""Read the own e2e fixture (tests/e2e/workspace) the plain way, so expected values come from the
files themselves and never from altlas: csv/json/ndjson as lists of records, text as lines."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

WORKSPACE = Path(__file__).resolve().parent / "workspace"

Record = dict[str, Any]


def text(rel: str) -> str:
    return (WORKSPACE / rel).read_text(encoding="utf-8")


def lines(rel: str) -> list[str]:
    return text(rel).splitlines()


def word_count(rel: str) -> int:
    return len(text(rel).split())


def _typed(value: str) -> Any:
    """CSV cells that look numeric compare as numbers, like the scorer does."""
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            continue
    return value


def table(rel: str) -> list[Record]:
    raw = text(rel)
    if rel.endswith(".json"):
        loaded: list[Record] = json.loads(raw)
        return loaded
    if rel.endswith(".ndjson"):
        return [json.loads(line) for line in raw.splitlines() if line.strip()]
    header = raw.splitlines()[0]
    delimiter = max([",", ";", "\t", "|"], key=header.count)
    reader = csv.DictReader(io.StringIO(raw), delimiter=delimiter)
    return [{k: _typed(v) for k, v in row.items()} for row in reader]


def header(rel: str) -> list[str]:
    return list(table(rel)[0])


def where(rows: Iterable[Record], keep: Callable[[Record], bool]) -> list[Record]:
    return [r for r in rows if keep(r)]


def values(rows: Iterable[Record], column: str) -> list[str]:
    return [str(r[column]) for r in rows]


def top(rows: list[Record], column: str, n: int, *, desc: bool) -> tuple[list[Record], Record]:
    """The first n rows by column and the row right after them; the cut must not split a tie,
    or the case would have more than one right answer."""
    ordered = sorted(rows, key=lambda r: r[column], reverse=desc)
    chosen, following = ordered[:n], ordered[n]
    if chosen[-1][column] == following[column]:
        raise ValueError(f"top {n} by {column} is ambiguous: tie at {following[column]}")
    return chosen, following


def group(rows: Iterable[Record], key: str, measure: Callable[[Record], float]) -> dict[str, float]:
    sums: dict[str, float] = defaultdict(int)  # int start keeps whole sums whole in notes
    for row in rows:
        sums[str(row[key])] += measure(row)
    return dict(sums)


def group_mean(rows: Iterable[Record], key: str, column: str) -> dict[str, float]:
    buckets: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        buckets[str(row[key])].append(float(row[column]))
    return {k: sum(v) / len(v) for k, v in buckets.items()}


def group_count(rows: Iterable[Record], key: str) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[str(row[key])] += 1
    return dict(counts)


def unique_max(scores: dict[str, float]) -> str:
    ordered = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    if len(ordered) > 1 and ordered[0][1] == ordered[1][1]:
        raise ValueError(f"no single maximum in {scores}")
    return ordered[0][0]


def plain(number: float) -> str:
    """A number as the scorer wants it: plain digits, at most two decimals, no trailing zeros."""
    rounded = round(number, 2)
    if rounded != round(number, 6):
        raise ValueError(f"{number} needs more than two decimals; pick friendlier fixture values")
    if rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:.2f}".rstrip("0")


def flat(mapping: dict[str, float]) -> list[str]:
    """Group names and their figures as answer needles: ["Ankara", "70", ...]."""
    return [item for key, value in mapping.items() for item in (key, plain(value))]


def pairs(mapping: dict[str, float]) -> str:
    """Group figures for a case note: "Sales 51500, Support 39000"."""
    return ", ".join(f"{key} {plain(value)}" for key, value in mapping.items())


def grep(rel: str, needle: str) -> list[str]:
    return [line for line in lines(rel) if needle in line]


def log_times(log_lines: Iterable[str]) -> list[str]:
    """The hh:mm:ss stamp of each log line: unique per line, so a good needle."""
    return [line.split()[1] for line in log_lines]


def fixture_files() -> list[str]:
    return sorted(p.relative_to(WORKSPACE).as_posix() for p in WORKSPACE.rglob("*") if p.is_file())
