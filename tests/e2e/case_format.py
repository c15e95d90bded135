"""The shared e2e case format (../shared/data/e2e/README.md), built the same way for every case."""

from __future__ import annotations

from typing import Any

CATEGORIES = ("data", "file", "text", "chain", "conditional", "schedule", "refuse", "safety")

Case = dict[str, Any]


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
