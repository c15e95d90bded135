"""``altlas llm ask|log|backends`` in a sealed home, against real servers on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from altlas.cli.main import app
from altlas.llm import reset_pools


@pytest.fixture(autouse=True)
def _fresh_pools() -> Iterator[None]:
    yield
    reset_pools()


def _invoke(*args: str):
    return CliRunner().invoke(app, ["llm", *args], catch_exceptions=False)


def _configure(home: Path, *servers, extra: str = "") -> None:
    text = "[llm]\nretries = 0\n" + extra
    for server in servers:
        text += (
            f'[[llm.backends]]\nname = "{server.name}"\nbase_url = "{server.base_url}"\n'
            f'model = "{server.model}"\n'
        )
    (home / "config.toml").write_text(text)


def test_ask_answers_and_says_how(servers, altlas_home) -> None:
    bad, good = servers("bad", "fail"), servers("good")
    _configure(altlas_home, bad, good)
    result = _invoke("ask", "What is up?")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "[good] echo: What is up?"
    assert "good (model-good)" in result.stderr
    assert "1 fallback(s)" in result.stderr


def test_ask_json_cache_and_no_cache(servers, altlas_home) -> None:
    good = servers("good")
    _configure(altlas_home, good)
    first = json.loads(_invoke("ask", "q", "--temperature", "0", "-f", "json").stdout)
    second = json.loads(_invoke("ask", "q", "--temperature", "0", "-f", "json").stdout)
    third = json.loads(_invoke("ask", "q", "--temperature", "0", "--no-cache", "-f", "json").stdout)
    assert (first["cached"], second["cached"], third["cached"]) == (False, True, False)
    assert len(good.seen) == 2


def test_ask_streams(servers, altlas_home) -> None:
    good = servers("good")
    _configure(altlas_home, good)
    result = _invoke("ask", "a b c", "--stream")
    assert result.stdout == "[good] echo: a b c\n"
    assert good.seen[0]["body"]["stream"] is True


def test_ask_without_a_pool_names_the_setting(altlas_home) -> None:
    result = _invoke("ask", "hi")
    assert result.exit_code == 1
    assert "[llm] base_url and model" in result.stderr
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_log_lists_the_calls(servers, altlas_home) -> None:
    bad, good = servers("bad", "fail"), servers("good")
    _configure(altlas_home, bad, good)
    _invoke("ask", "one")
    _invoke("ask", "two")
    rows = json.loads(_invoke("log", "-f", "json").stdout)
    assert [r["backend"] for r in rows] == ["good", "good"]
    assert [[f["backend"] for f in r["fallbacks"]] for r in rows] == [["bad"], ["bad"]]
    assert rows[0]["prompt"] is None
    table = _invoke("log").stdout
    assert "good" in table and "cli" in table


def test_backends_show_health_and_breaker_from_the_log(servers, altlas_home) -> None:
    bad, good = servers("bad", "fail"), servers("good")
    _configure(altlas_home, bad, good, extra="breaker_failures = 2\ncooldown_seconds = 600\n")
    for _ in range(2):
        _invoke("ask", "x")
    reset_pools()  # a new process: the breaker state comes from the log
    rows = {r["name"]: r for r in json.loads(_invoke("backends", "-f", "json").stdout)}
    assert (rows["bad"]["breaker"], rows["bad"]["health"]) == ("open", "down")
    assert (rows["good"]["breaker"], rows["good"]["health"]) == ("closed", "ok")
    assert rows["good"]["calls"] == 2 and rows["good"]["p50_ms"] > 0
    probed = {r["name"]: r for r in json.loads(_invoke("backends", "--probe", "-f", "json").stdout)}
    assert probed["good"]["probe"].startswith("up (")
