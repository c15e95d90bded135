"""Build tests/e2e/cases/own.jsonl from the case lists, with every expected value computed from the
own fixture (tests/e2e/workspace) by fixture_data, never from altlas.

    python3 tests/e2e/make_expectations.py          # (re)write cases/own.jsonl
    python3 tests/e2e/make_expectations.py --check  # exit 1 if own.jsonl is stale
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import cases_en
import cases_en_steps
import cases_tr
import cases_tr_steps
from case_format import CATEGORIES, Case, write_cases

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "cases" / "own.jsonl"


def all_cases() -> list[Case]:
    cases: list[Case] = (
        cases_en.cases() + cases_en_steps.cases() + cases_tr.cases() + cases_tr_steps.cases()
    )
    ids = Counter(c["id"] for c in cases)
    dupes = [i for i, n in ids.items() if n > 1]
    if dupes:
        raise ValueError(f"duplicate ids: {dupes}")
    return cases


def mix(cases: list[Case]) -> str:
    rows = []
    for lang in ("en", "tr"):
        counts = Counter(c["category"] for c in cases if c["lang"] == lang)
        rows.append(f"{lang}: " + ", ".join(f"{k} {counts[k]}" for k in CATEGORIES))
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if own.jsonl is out of date")
    args = parser.parse_args(argv)
    cases = all_cases()
    status = write_cases(OUTPUT, cases, check=args.check, script=Path(__file__).name)
    if status == 0 and not args.check:
        sys.stdout.write(f"{mix(cases)}\n")
    return status


if __name__ == "__main__":
    sys.exit(main())
