"""Run options: precedence, bad values, the typed RunOptions and the CancelToken."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import altlas
from altlas.errors import ConfigError, InvalidInputError
from altlas.run.events import EventType, RunEvent
from altlas.run.options import CancelToken, RunConfig, RunKeywords, RunOptions


def test_precedence_config_env_keyword(mkplan, workspace, altlas_home, monkeypatch) -> None:
    """config.toml < ALTLAS_RUN__* < keyword options."""
    (altlas_home / "config.toml").write_text("[run]\nconcurrency = 2\nretries = 1\n")
    plan = mkplan({"id": "a"})
    assert altlas.run(plan, workspace=workspace).metadata["concurrency"] == 2
    monkeypatch.setenv("ALTLAS_RUN__CONCURRENCY", "3")
    assert altlas.run(plan, workspace=workspace).metadata["concurrency"] == 3
    assert altlas.run(plan, workspace=workspace, concurrency=5).metadata["concurrency"] == 5


def test_bad_config_value_names_the_key(mkplan, altlas_home) -> None:
    (altlas_home / "config.toml").write_text("[run]\nconcurrency = 0\n")
    with pytest.raises(ConfigError, match=r"\[run\] concurrency"):
        altlas.run(mkplan({"id": "a"}))


def test_allowlist_from_a_comma_string_and_routing_keys_lowercased() -> None:
    cfg = RunConfig(exec_allowlist="git, ls", routing={"Search": "echo"})
    assert cfg.exec_allowlist == ["git", "ls"]
    assert cfg.routing == {"search": "echo"}


def test_unknown_config_key_is_refused(altlas_home, mkplan) -> None:
    (altlas_home / "config.toml").write_text("[run]\nconcurency = 2\n")
    with pytest.raises(ConfigError, match="concurency"):
        altlas.run(mkplan({"id": "a"}))


# RunOptions, RunKeywords and CancelToken ------------------------------------------------------


def test_run_options_cover_every_config_key_and_the_keywords_match() -> None:
    """A new [run] key must be a RunOptions field, and RunKeywords must list the same names."""
    fields = {f.name for f in dataclasses.fields(RunOptions)}
    assert set(RunConfig.model_fields) <= fields
    assert set(RunKeywords.__annotations__) == fields
    assert RunKeywords.__total__ is False


def test_run_options_are_frozen_and_keywords_win(mkplan, workspace) -> None:
    options = RunOptions(concurrency=2, workspace=workspace)
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.concurrency = 3  # type: ignore[misc]
    plan = mkplan({"id": "a"})
    assert altlas.run(plan, options).metadata["concurrency"] == 2
    assert altlas.run(plan, options, concurrency=7).metadata["concurrency"] == 7
    assert options.concurrency == 2  # the object given is not changed


def test_unknown_option_names_fail_in_one_line(mkplan) -> None:
    with pytest.raises(
        InvalidInputError, match=r"^unknown run option\(s\) concurency \(known: "
    ) as e:
        RunOptions.from_mapping({"concurency": 3})
    assert "\n" not in str(e.value)
    with pytest.raises(InvalidInputError, match="must be a RunOptions"):
        altlas.run(mkplan({"id": "a"}), {"concurrency": 3})  # type: ignore[arg-type]


def test_a_misspelt_or_mistyped_keyword_fails_type_checking(tmp_path: Path) -> None:
    """mypy sees the options: a typo or a wrong type is an error before anything runs."""
    from mypy import api as mypy_api

    snippet = tmp_path / "caller.py"
    snippet.write_text(
        "from altlas.formats.plan import Plan\n"
        "from altlas.run.api import run\n"
        "def call(plan: Plan) -> None:\n"
        "    run(plan, concurency=3)\n"
        "    run(plan, concurrency='3')\n"
        "    run(plan, concurrency=3, only=['a'])\n"
    )
    out, _, status = mypy_api.run(
        ["--strict", "--cache-dir", str(tmp_path / "cache"), "--no-error-summary", str(snippet)]
    )
    assert status == 1
    lines = [line for line in out.splitlines() if ": error:" in line]
    assert any(':4: error: Unexpected keyword argument "concurency"' in ln for ln in lines), out
    assert any(':5: error: Argument "concurrency"' in ln for ln in lines), out
    assert len(lines) == 2, out


def test_token_callbacks_fire_once_per_cancel_and_can_be_removed() -> None:
    token = CancelToken()
    calls: list[str] = []
    remove = token.add_callback(lambda: calls.append("a"))
    token.add_callback(lambda: calls.append("b"))
    remove()
    assert not token.cancelled and not token.wait(0.001)
    token.cancel()
    assert token.cancelled and token.wait(0) and calls == ["b"]
    token.add_callback(lambda: calls.append("late"))  # already cancelled: called at once
    assert calls == ["b", "late"]
    with pytest.raises(RuntimeError):
        token.clear()


def test_token_wakes_an_asyncio_waiter_from_another_thread() -> None:
    token = CancelToken()

    async def main() -> float:
        timer = threading.Timer(0.05, token.cancel)
        started = time.monotonic()
        timer.start()
        await asyncio.wait_for(token.wait_async(), timeout=5)
        return time.monotonic() - started

    assert asyncio.run(main()) < 1.0


def test_cancel_token_stops_a_running_plan_promptly(mkplan, workspace) -> None:
    """cancel() from another thread ends a 30 s task within the grace period, and the tasks
    that had not started never start."""
    plan = mkplan(
        {"id": "slow", "type": "delay", "parameters": {"seconds": 30}},
        {"id": "after", "dependencies": ["slow"]},
    )
    token = CancelToken()
    started = threading.Event()

    def on_event(event: RunEvent) -> None:
        if event.type is EventType.TASK_STARTED:
            started.set()

    def cancel_when_started() -> None:
        if started.wait(10):
            cancelled_at.append(time.monotonic())
            token.cancel()

    cancelled_at: list[float] = []
    canceller = threading.Thread(target=cancel_when_started)
    canceller.start()
    result = altlas.run(
        plan, workspace=workspace, cancel=token, events=on_event, handle_signals=False
    )
    finished = time.monotonic()
    canceller.join(5)
    assert result.status.value == "cancelled"
    assert {t.task_id: t.status.value for t in result.tasks} == {
        "slow": "cancelled",
        "after": "cancelled",
    }
    latency = finished - cancelled_at[0]
    assert latency < 1.0  # the default grace period is 2 s; a delay task stops at once


def test_an_already_cancelled_token_runs_nothing(mkplan, workspace) -> None:
    token = CancelToken()
    token.cancel()
    result = altlas.run(mkplan({"id": "a"}, {"id": "b"}), workspace=workspace, cancel=token)
    assert result.status.value == "cancelled"
    assert all(t.status.value == "cancelled" and t.started_at is None for t in result.tasks)


_SOME_OPTIONS = st.fixed_dictionaries(
    {},
    optional={
        "concurrency": st.integers(1, 100),
        "retries": st.integers(0, 255),
        "cache": st.booleans(),
        "timeout_seconds": st.floats(0.001, 1e6),
        "only": st.lists(st.text(min_size=1, max_size=5), max_size=3),
        "from_task": st.text(min_size=1, max_size=5),
        "routing": st.dictionaries(st.text(min_size=1, max_size=5), st.text(max_size=5)),
        "run_id": st.text(min_size=1, max_size=8),
    },
)


@given(_SOME_OPTIONS)
def test_given_options_round_trip(values: dict[str, object]) -> None:
    """What was set comes back out, and only that; config keys are told apart from the rest."""
    options = RunOptions.from_mapping(values)
    assert options.given() == values
    assert RunOptions.from_mapping(options.given()) == options
    assert set(options.config_overrides()) == set(values) & set(RunConfig.model_fields)
