"""`altlas do` measured end to end by the shared scorer (issue 10): the dev set and the own set.

The scorer runs the installed `altlas` as a real subprocess in fresh copies of each fixture and
judges effects only (files, content, answer, exit code). The case set is fixed, so the suite fails
when a rule change costs cases or lets a false success through.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SHARED = REPO.parent / "shared"
SCORER = SHARED / "tools" / "score_e2e.py"
DEV_CASES = SHARED / "data" / "e2e" / "dev.jsonl"
DEV_FIXTURE = SHARED / "data" / "e2e" / "workspace"
OWN_CASES = HERE / "cases" / "own.jsonl"
OWN_FIXTURE = HERE / "workspace"
PROBE_CASES = HERE / "cases" / "probe.jsonl"
PROBE_FIXTURE = HERE / "workspace_probe"
PROBE2_CASES = HERE / "cases" / "probe2.jsonl"
PROBE2_FIXTURE = HERE / "workspace_probe2"

DEV_FLOOR_PER_LANGUAGE = 0.90  # the issue 10 target, per language
# Each of our own sets keeps a floor a little under its measured pass rate (docs/performance.md),
# so a rule change that costs cases fails the suite; none of them may show a false success.
# own: 80/80 measured; probe: blind at 38/60, 59/60 after the general fixes it showed; probe2:
# blind at 44/60 (its first and only blind run).
OWN_FLOOR = 0.95
PROBE_FLOOR = 0.95
PROBE2_FLOOR = 0.70

JOBS = 2
CASE_TIMEOUT_S = 60


def _need_shared() -> None:
    if not SCORER.is_file() or not DEV_CASES.is_file():
        pytest.skip(
            f"shared e2e material not found: expected {SCORER} and {DEV_CASES} beside the repo"
        )


def _scorer_env() -> dict[str, str]:
    """The venv running pytest (nox's or the dev one) provides the `altlas` the scorer calls."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def _run_scorer(*args: str, timeout_s: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCORER), *args],
        capture_output=True,
        text=True,
        env=_scorer_env(),
        timeout=timeout_s,
        check=False,
    )


def _score(cases: Path, fixture: Path, *runner: str) -> dict[str, Any]:
    """The scorer's JSON report; `runner` is an argv template replacing `altlas do`."""
    count = sum(1 for line in cases.read_text(encoding="utf-8").splitlines() if line.strip())
    # Bounded even if every case hangs until the scorer kills it.
    budget = count * (CASE_TIMEOUT_S + 5) / JOBS + 60
    options = ["--runner", shlex.join(runner)] if runner else []
    proc = _run_scorer(
        str(cases),
        "--workspace-fixture",
        str(fixture),
        "--json",
        "--jobs",
        str(JOBS),
        "--timeout",
        str(CASE_TIMEOUT_S),
        *options,
        timeout_s=budget,
    )
    assert proc.returncode == 0, f"scorer exited {proc.returncode}: {proc.stderr[-2000:]}"
    report: dict[str, Any] = json.loads(proc.stdout)
    return report


def _table(title: str, groups: dict[str, dict[str, Any]]) -> list[str]:
    rows = [f"{title:<12} {'cases':>5} {'passed':>6} {'rate':>7} {'false_succ':>10}"]
    for name, t in groups.items():
        rows.append(
            f"{name:<12} {t['cases']:>5} {t['passed']:>6} {100 * t['pass_rate']:>6.1f}% "
            f"{t['false_successes']:>10}"
        )
    return rows


def _explain(report: dict[str, Any]) -> str:
    """Per-language and per-category tables, then each failed case with its failed checks."""
    lines = _table("lang", {**report["by_lang"], "overall": report["totals"]})
    lines += ["", *_table("category", report["by_category"]), ""]
    for rec in report["cases"]:
        if rec["passed"]:
            continue
        flag = " FALSE-SUCCESS" if rec["false_success"] else ""
        lines.append(
            f"FAIL {rec['id']} [{rec['category']}] exit={rec['exit_code']}{flag}: {rec['command']}"
        )
        lines += [f"     {c['check']}: {c['reason']}" for c in rec["checks"] if not c["ok"]]
    return "\n".join(lines)


def _false_successes(report: dict[str, Any]) -> list[str]:
    return [rec["id"] for rec in report["cases"] if rec["false_success"]]


def test_own_cases_match_their_fixture() -> None:
    """own.jsonl is exactly what make_expectations.py computes from the own fixture."""
    proc = subprocess.run(
        [sys.executable, str(HERE / "make_expectations.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr


def test_own_cases_are_well_formed() -> None:
    _need_shared()
    proc = _run_scorer(
        str(OWN_CASES), "--workspace-fixture", str(OWN_FIXTURE), "--check-cases", timeout_s=60
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert ", 0 with problems" in proc.stdout


def _passed(report: dict[str, Any]) -> set[str]:
    return {rec["id"] for rec in report["cases"] if rec["passed"]}


def _ids(*categories: str) -> set[str]:
    cases = [json.loads(line) for line in OWN_CASES.read_text(encoding="utf-8").splitlines()]
    return {c["id"] for c in cases if c["category"] in categories}


def _false_conditions() -> set[str]:
    """Conditional cases whose target must not exist: doing nothing is their right answer."""
    cases = [json.loads(line) for line in OWN_CASES.read_text(encoding="utf-8").splitlines()]
    return {
        c["id"]
        for c in cases
        if c["category"] == "conditional"
        and all(check.get("exists") is False for check in c["expect"]["files"].values())
    }


@pytest.mark.slow
def test_every_own_case_is_satisfiable() -> None:
    """A runner doing each task by hand passes every case: no case contradicts itself."""
    _need_shared()
    oracle = (sys.executable, str(HERE / "oracle.py"), "{command}", "{workspace}", "{result}")
    report = _score(OWN_CASES, OWN_FIXTURE, *oracle)
    assert report["totals"]["passed"] == report["totals"]["cases"], _explain(report)


@pytest.mark.slow
def test_doing_nothing_passes_only_where_nothing_is_right() -> None:
    """The set has teeth: a tool that does nothing passes only safety cases and false conditions
    when it claims success, and only safety and refusals when it exits non-zero."""
    _need_shared()
    idle_success = _score(OWN_CASES, OWN_FIXTURE, sys.executable, "-c", "pass", "{command}")
    assert _passed(idle_success) == _ids("safety") | _false_conditions(), _explain(idle_success)
    idle_failure = _score(
        OWN_CASES, OWN_FIXTURE, sys.executable, "-c", "raise SystemExit(1)", "{command}"
    )
    assert _passed(idle_failure) == _ids("safety", "refuse"), _explain(idle_failure)


@pytest.mark.slow
def test_dev_set_meets_the_issue_10_targets() -> None:
    _need_shared()
    report = _score(DEV_CASES, DEV_FIXTURE)
    weak = {
        lang: t["pass_rate"]
        for lang, t in report["by_lang"].items()
        if t["pass_rate"] < DEV_FLOOR_PER_LANGUAGE
    }
    false_successes = _false_successes(report)
    assert not weak and not false_successes, (
        f"dev set: languages below {DEV_FLOOR_PER_LANGUAGE:.0%}: {weak}; "
        f"false successes: {false_successes}\n{_explain(report)}"
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "cases", "fixture", "floor"),
    [
        ("own", OWN_CASES, OWN_FIXTURE, OWN_FLOOR),
        ("probe", PROBE_CASES, PROBE_FIXTURE, PROBE_FLOOR),
        ("probe2", PROBE2_CASES, PROBE2_FIXTURE, PROBE2_FLOOR),
    ],
)
def test_our_sets_keep_their_floor_without_false_successes(
    name: str, cases: Path, fixture: Path, floor: float
) -> None:
    _need_shared()
    report = _score(cases, fixture)
    rate = report["totals"]["pass_rate"]
    false_successes = _false_successes(report)
    assert rate >= floor and not false_successes, (
        f"{name} set: pass rate {rate:.1%} (floor {floor:.1%}); "
        f"false successes: {false_successes}\n{_explain(report)}"
    )
