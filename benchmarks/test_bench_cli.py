"""CLI start-up (issue 2): `altlas --help` well under 200 ms; `altlas segment` stays fast.

Run: pytest benchmarks/test_bench_cli.py -s
"""

from __future__ import annotations

import subprocess
import sys

import pytest

CASES = {
    "help": ["--help"],
    "version": ["--version"],
    "segment": ["segment", "Open notes.md and summarize it", "--format", "json"],
}


@pytest.mark.parametrize("case", list(CASES))
def test_cli_start(benchmark, case: str) -> None:
    """Wall time of a fresh `python -m altlas ...` process."""
    argv = [sys.executable, "-m", "altlas", *CASES[case]]

    def once() -> None:
        subprocess.run(argv, check=True, capture_output=True)

    benchmark.pedantic(once, rounds=10, warmup_rounds=1)
    median_ms = benchmark.stats.stats.median * 1000
    print(f"\naltlas {' '.join(CASES[case][:1])}: {median_ms:.0f} ms")
    if case in ("help", "version"):
        assert median_ms < 200, f"{median_ms:.0f} ms"
