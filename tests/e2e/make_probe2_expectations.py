"""Write cases/probe2.jsonl: the blind probe2 set for `altlas do` (issue 10), a veterinary
clinic's files (workspace_probe2/), every expected value computed from the fixture by
probe2_fixture.py, never from altlas; the cases are in probe2_cases_{en,tr}.py.

    python3 tests/e2e/make_probe2_expectations.py           # rewrite cases/probe2.jsonl
    python3 tests/e2e/make_probe2_expectations.py --check   # exit 1 if it is stale
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any

from case_format import PROBE_MIX, Case, write_cases
from probe2_cases_en import EN
from probe2_cases_tr import TR

OUT = Path(__file__).resolve().parent / "cases" / "probe2.jsonl"
TURKISH_LETTERS = set("çğıİöşüÇĞÖŞÜ")


def all_cases() -> list[Case]:
    plain = [c for _, c, _, _ in TR if not TURKISH_LETTERS & set(c)]
    assert len(plain) == 10, ("a third of the Turkish cases without diacritics", len(plain))
    for cases in (EN, TR):
        assert Counter(c[0] for c in cases) == PROBE_MIX, Counter(c[0] for c in cases)
    return [
        _case(lang, i, *row)
        for lang, cases in (("en", EN), ("tr", TR))
        for i, row in enumerate(cases, 1)
    ]


def _case(lang: str, number: int, cat: str, command: str, expect: Any, note: str) -> Case:
    # The expectation is given whole here, not built by case_format.case: these cases
    # were written with their own status and untouched_others, in this key order.
    return {
        "id": f"probe2-{lang}-{number:03d}",
        "lang": lang,
        "category": cat,
        "command": command,
        "expect": expect,
        "note": note,
    }


def main(argv: list[str]) -> int:
    return write_cases(OUT, all_cases(), check="--check" in argv, script=Path(__file__).name)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
