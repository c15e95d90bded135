"""Write cases/probe.jsonl: the PROBE set for `altlas do`, every expected value computed from
workspace_probe/ by probe_fixture.py, never from altlas.

A second blind set (issue 10) with other file shapes than workspace/ and the shared dev fixture
(a BOM + `;` + CRLF CSV with Turkish headers, a CSV with quoted commas and a Turkish file name,
a TSV, flat JSON, NDJSON, a Python-logging log with WARNING/CRITICAL, a file name with spaces,
a folder of mixed and upper-case suffixes) and other phrasings (questions, polite wrappers,
fragments, synonyms, suffix-less file references, numbers in words, units).

    python3 tests/e2e/make_probe_expectations.py           # rewrite cases/probe.jsonl
    python3 tests/e2e/make_probe_expectations.py --check   # exit 1 if it is stale
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any

import probe_cases_en
import probe_cases_tr
from case_format import PROBE_MIX, write_cases

OUT = Path(__file__).resolve().parent / "cases" / "probe.jsonl"


def all_cases() -> list[dict[str, Any]]:
    cases = probe_cases_en.cases() + probe_cases_tr.cases()
    assert len({c["id"] for c in cases}) == len(cases) == 60
    for lang in ("en", "tr"):
        mix = Counter(c["category"] for c in cases if c["lang"] == lang)
        assert mix == PROBE_MIX, (lang, mix)
    ascii_tr = [c["id"] for c in cases if c["lang"] == "tr" and c["command"].isascii()]
    assert len(ascii_tr) == 10, ascii_tr
    return cases


def main(argv: list[str]) -> int:
    return write_cases(OUT, all_cases(), check="--check" in argv, script=Path(__file__).name)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
