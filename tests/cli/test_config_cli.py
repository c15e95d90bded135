"""`altlas paths`, `altlas config show` and shell completion (issue 11)."""

from __future__ import annotations

import orjson
import pytest


def _config(cli, *args: str) -> dict[tuple[str, str], dict]:
    res = cli("config", "show", "-f", "json", *args)
    assert res.exit_code == 0, res.stderr
    return {(r["section"], r["key"]): r for r in orjson.loads(res.stdout)}


def test_paths_names_data_config_and_logs(cli, altlas_home) -> None:
    res = cli("paths", "-f", "json")
    assert res.exit_code == 0, res.stderr
    rows = {r["name"]: r for r in orjson.loads(res.stdout)}
    assert rows["home"]["path"] == str(altlas_home)
    assert rows["config"]["path"] == str(altlas_home / "config.toml")
    assert rows["journal"]["path"] == str(altlas_home / "runs.db")
    assert rows["results"]["path"] == str(altlas_home / "results")
    assert rows["archive"]["path"] == str(altlas_home / "altlas.db")
    assert rows["analytics"]["path"] == str(altlas_home / "analytics.db")
    assert cli("config", "show", "--paths", "-f", "json").stdout == res.stdout
    table = cli("paths").stdout
    assert str(altlas_home / "runs.db") in table


def test_paths_follow_the_config(cli, altlas_home, tmp_path) -> None:
    (altlas_home / "config.toml").write_text(f'[run]\noutput_dir = "{tmp_path / "out"}"\n')
    rows = {r["name"]: r for r in orjson.loads(cli("paths", "-f", "json").stdout)}
    assert rows["results"]["path"] == str(tmp_path / "out")
    assert rows["config"]["exists"] is True


def test_config_show_names_each_source(cli, altlas_home, monkeypatch) -> None:
    (altlas_home / "config.toml").write_text("[run]\nconcurrency = 3\n")
    monkeypatch.setenv("ALTLAS_RUN__RETRIES", "2")
    rows = _config(cli)
    assert rows[("run", "concurrency")] == {
        "section": "run",
        "key": "concurrency",
        "value": 3,
        "source": "file",
    }
    assert (rows[("run", "retries")]["value"], rows[("run", "retries")]["source"]) == (2, "env")
    assert rows[("run", "timeout_seconds")]["source"] == "default"
    assert rows[("server", "port")] == {
        "section": "server",
        "key": "port",
        "value": 8000,
        "source": "default",
    }


def test_config_show_never_prints_a_secret(cli, altlas_home, monkeypatch) -> None:
    monkeypatch.setenv("LLM_KEY", "sk-very-secret")
    (altlas_home / "config.toml").write_text(
        '[llm]\napi_key = "env:LLM_KEY"\n'
        '[server]\njwt_secret = "literal:hunter2-hunter2-hunter2-hunter2"\n'
        'redis = "redis://user:pa55word@localhost:6379/0"\n'
    )
    rows = _config(cli)
    assert rows[("llm", "api_key")]["value"] == "env:LLM_KEY"
    assert rows[("server", "jwt_secret")]["value"] == "literal:***"
    assert rows[("server", "redis")]["value"] == "redis://user:***@localhost:6379/0"
    for fmt in ("table", "json", "yaml", "csv"):
        out = cli("config", "show", "-f", fmt).stdout
        assert "sk-very-secret" not in out and "hunter2" not in out and "pa55word" not in out


def test_a_bad_config_value_is_one_line(cli, altlas_home) -> None:
    (altlas_home / "config.toml").write_text("[run]\nconcurrency = 0\n")
    res = cli("config", "show")
    assert res.exit_code == 2
    (line,) = res.stderr.splitlines()
    assert "[run] concurrency" in line


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts_are_offered(shell, monkeypatch) -> None:
    from typer.testing import CliRunner

    from altlas.cli.main import app

    # Typer otherwise guesses the shell from the process tree (shellingham), which depends on
    # how the suite was started; with detection off, --show-completion takes the shell named.
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")

    res = CliRunner().invoke(app, ["--show-completion", shell], prog_name="altlas")
    assert res.exit_code == 0, res.output
    assert "_ALTLAS_COMPLETE" in res.output


def test_completion_is_listed_in_help(cli) -> None:
    out = cli("--help").stdout
    assert "--install-completion" in out and "--show-completion" in out


def test_completion_offers_commands_and_format_values(altlas_home) -> None:
    import os
    import subprocess
    import sys

    def complete(words: str, index: int) -> list[str]:
        env = {**os.environ, "COMP_WORDS": words, "COMP_CWORD": str(index)}
        env["_ALTLAS_COMPLETE"] = "complete_bash"
        done = subprocess.run(
            [sys.executable, "-m", "altlas"], env=env, capture_output=True, text=True, timeout=60
        )
        return done.stdout.split()

    assert complete("altlas ru", 1) == ["run", "runs"]
    assert complete("altlas runs list --format ", 4) == ["table", "json", "jsonl", "csv", "yaml"]
    assert complete("altlas inspect x --format ", 4) == ["table", "json", "yaml"]


def test_a_flag_wins_and_says_so(cli, altlas_home, monkeypatch) -> None:
    (altlas_home / "config.toml").write_text("[run]\nconcurrency = 3\n")
    monkeypatch.setenv("ALTLAS_SERVER__PORT", "9000")
    rows = _config(cli, "--set", "run.concurrency=8", "--set", "server.port=9100")
    assert (rows[("run", "concurrency")]["value"], rows[("run", "concurrency")]["source"]) == (
        8,
        "flag",
    )
    assert (
        rows[("server", "port")]["value"] == 9100 and rows[("server", "port")]["source"] == "flag"
    )
    bad = cli("config", "show", "--set", "nosuch")
    assert bad.exit_code == 2 and len(bad.stderr.splitlines()) == 1
