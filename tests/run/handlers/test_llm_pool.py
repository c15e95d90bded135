"""The llm handler through the pool, against real OpenAI-compatible servers on loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.llm.fakes import OpenAIServer

import altlas
from altlas.llm import reset_pools
from altlas.llm.calllog import read_calls


@pytest.fixture
def servers() -> Iterator[Callable[..., OpenAIServer]]:
    started: list[OpenAIServer] = []

    def start(name: str, mode: str = "ok", **kwargs: Any) -> OpenAIServer:
        server = OpenAIServer(name, mode, **kwargs).start()
        started.append(server)
        return server

    yield start
    reset_pools()
    for server in started:
        server.stop()


def _configure(home: Path, *backends: OpenAIServer, extra: str = "", **fields: str) -> None:
    lines = ["[llm]", 'strategy = "fallback"', "retries = 0", extra]
    for server in backends:
        lines += [
            "[[llm.backends]]",
            f'name = "{server.name}"',
            f'base_url = "{server.base_url}"',
            f'model = "{server.model}"',
            *(f"{k} = {v}" for k, v in fields.items()),
        ]
    (home / "config.toml").write_text("\n".join(lines) + "\n")


def _task(mkplan, workspace: Path, params: dict[str, Any]) -> Any:
    plan = mkplan({"id": "ai", "type": "llm", "handler": "llm", "parameters": params})
    return altlas.run(plan, workspace=workspace).task("ai")


def test_the_handler_falls_back_and_says_so(servers, mkplan, workspace, altlas_home) -> None:
    bad, good = servers("bad", "fail"), servers("good")
    _configure(altlas_home, bad, good)
    task = _task(mkplan, workspace, {"prompt": "Say hi"})
    assert task.status == "completed"
    assert task.output["text"] == "[good] echo: Say hi"
    assert task.output["backend"] == "good"
    assert task.output["fallbacks"] == 1
    logged = read_calls(altlas_home)[0]
    assert (logged["caller"], logged["task_id"], logged["backend"]) == ("llm handler", "ai", "good")
    assert logged["run_id"].startswith("run_")


def test_a_file_in_an_answer_out_through_the_overwrite_rule(
    servers, mkplan, workspace, altlas_home
) -> None:
    good = servers("good")
    good.reply = lambda body: body["messages"][-1]["content"].upper()
    _configure(altlas_home, good)
    (workspace / "notes.md").write_text("hello notes\n")
    params = {"prompt": "Translate into German", "path": "notes.md", "output": "out/notes_de.md"}
    task = _task(mkplan, workspace, params)
    assert task.status == "completed", task.error
    written = (workspace / "out" / "notes_de.md").read_text()
    assert "HELLO NOTES" in written
    assert written.startswith("TRANSLATE INTO GERMAN")
    assert task.output["written"] == "out/notes_de.md"
    # a different answer would replace the file: refused without overwrite
    good.reply = lambda body: "something else"
    again = _task(mkplan, workspace, params)
    assert again.status == "failed"
    assert again.error.type == "WouldOverwrite"
    assert "HELLO NOTES" in (workspace / "out" / "notes_de.md").read_text()


def test_a_path_outside_the_workspace_is_refused(servers, mkplan, workspace, altlas_home) -> None:
    good = servers("good")
    _configure(altlas_home, good)
    task = _task(mkplan, workspace, {"prompt": "x", "path": "../../etc/passwd"})
    assert task.error.type == "PathOutsideWorkspace"
    assert good.seen == []


def test_over_budget_fails_before_any_request(servers, mkplan, workspace, altlas_home) -> None:
    paid = servers("paid")
    _configure(altlas_home, paid, extra="budget_usd_per_run = 0.0001", cost_per_1k_output="1.0")
    task = _task(mkplan, workspace, {"prompt": "x", "max_tokens": 100})
    assert task.status == "failed"
    assert task.error.type == "BudgetExceeded"
    assert "run budget" in task.error.message
    assert paid.seen == []


def test_a_deterministic_prompt_is_cached_across_runs(
    servers, mkplan, workspace, altlas_home
) -> None:
    good = servers("good")
    _configure(altlas_home, good)
    first = _task(mkplan, workspace, {"prompt": "x", "temperature": 0})
    second = _task(mkplan, workspace, {"prompt": "x", "temperature": 0})
    assert (first.output["cached"], second.output["cached"]) == (False, True)
    no_cache = _task(mkplan, workspace, {"prompt": "x", "temperature": 0, "cache": False})
    assert no_cache.output["cached"] is False
    assert len(good.seen) == 2


def test_every_backend_down_is_transient_and_retried(
    servers, mkplan, workspace, altlas_home
) -> None:
    bad = servers("bad", "fail", status=503)
    _configure(altlas_home, bad)
    plan = mkplan(
        {
            "id": "ai",
            "type": "llm",
            "handler": "llm",
            "retry_count": 1,
            "parameters": {"prompt": "x"},
        }
    )
    task = altlas.run(plan, workspace=workspace, backoff_initial=0.001, backoff_max=0.01).task("ai")
    assert task.status == "failed"
    assert task.attempts == 2
    assert "no LLM backend answered (bad: HTTP 503" in task.error.message
