"""With an [llm] backend set up, "translate X into Y" is done by the llm handler, not refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.llm.fakes import OpenAIServer

import altlas
from altlas.llm import reset_pools


@pytest.fixture
def backend(altlas_home: Path):
    server = OpenAIServer("local", "ok").start()
    server.reply = lambda body: "Übersetzt: " + body["messages"][-1]["content"].splitlines()[-1]
    (altlas_home / "config.toml").write_text(
        "[llm]\nretries = 0\n[[llm.backends]]\n"
        f'name = "local"\nbase_url = "{server.base_url}"\nmodel = "{server.model}"\n'
    )
    yield server
    reset_pools()
    server.stop()


def test_translation_without_a_backend_is_refused(ws: Path) -> None:
    out = altlas.do("Translate readme.txt into German and save it as out/de.txt", ws, yes=True)
    assert not out.ok and "set [llm] in config.toml" in out.answer
    assert not (ws / "out/de.txt").exists()


def test_translation_with_a_backend_runs(backend, ws: Path) -> None:
    out = altlas.do(
        "readme.txt dosyasını Almancaya çevir ve out/de.txt olarak kaydet", ws, yes=True
    )
    assert out.ok, out.answer
    [task] = out.plan.tasks
    assert task.handler == "llm" and "into German" in task.parameters["prompt"]
    assert (ws / "out/de.txt").read_text().startswith("Übersetzt: ")
