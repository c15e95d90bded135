"""The shared e2e case format (../shared/data/e2e/README.md), built the same way for every case."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

CATEGORIES = ("data", "file", "text", "chain", "conditional", "schedule", "refuse", "safety")

Case = dict[str, Any]

PROBE_MIX = {
    "data": 6,
    "file": 4,
    "text": 4,
    "chain": 6,
    "conditional": 2,
    "schedule": 2,
    "refuse": 3,
    "safety": 3,
}
"""Cases per category in each language of a blind probe set (the shared dev set's mix)."""


def case(
    case_id: str,
    category: str,
    command: str,
    note: str,
    *,
    status: str | None = None,
    files: dict[str, dict[str, Any]] | None = None,
    answer: list[Any] | None = None,
) -> Case:
    """One case in the shared format; every case also demands that no other fixture changes."""
    if category not in CATEGORIES:
        raise ValueError(f"{case_id}: unknown category {category!r}")
    expect: dict[str, Any] = {}
    if status is not None:
        expect["status"] = status
    if files:
        expect["files"] = files
    if answer:
        expect["answer_contains"] = answer
    expect["untouched_others"] = True
    lang = case_id.split("-")[1]
    return {
        "id": case_id,
        "lang": lang,
        "category": category,
        "command": command,
        "expect": expect,
        "note": note,
    }


def render(cases: list[Case]) -> str:
    """The cases as JSON Lines, one case a line, letters kept as typed."""
    return "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases)


def write_cases(out: Path, cases: list[Case], *, check: bool, script: str) -> int:
    """Write ``out``; with ``check``, write nothing and return 1 if ``out`` is stale."""
    wanted = render(cases)
    if check:
        current = out.read_text(encoding="utf-8") if out.exists() else ""
        if current != wanted:
            sys.stderr.write(f"{out} is stale: run python3 {script}\n")
            return 1
        sys.stdout.write(f"{out.name}: {len(cases)} cases, up to date\n")
        return 0
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(wanted, encoding="utf-8")
    sys.stdout.write(f"wrote {len(cases)} cases to {out}\n")
    return 0
