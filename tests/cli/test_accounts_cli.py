"""``altlas users`` and ``altlas keys`` (through a Typer app holding only these groups)."""

from __future__ import annotations

import orjson
import pytest
import typer
from typer.testing import CliRunner

from altlas.cli import keys as keys_cli
from altlas.cli import users as users_cli
from altlas.cli._common import AltlasGroup
from altlas.config import load_settings
from altlas.server.accounts import AccountStore


@pytest.fixture
def run():
    app = typer.Typer(cls=AltlasGroup)
    users_cli.register(app)
    keys_cli.register(app)
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    return invoke


def test_users_add_list_remove(run) -> None:
    added = run(
        "users", "add", "ada", "--role", "admin", "--password-stdin", input="long password!\n"
    )
    assert added.exit_code == 0, added.output
    assert "added user ada (admin)" in added.output
    with AccountStore(load_settings().home) as store:
        assert store.authenticate("ada", "long password!").name == "ada"
    listed = run("users", "list", "--format", "json")
    assert [u["name"] for u in orjson.loads(listed.stdout)] == ["ada"]
    assert run("users", "remove", "ada").exit_code == 0
    missing = run("users", "remove", "ada")
    assert missing.exit_code == 3 and "error: no user named ada" in missing.output


def test_users_add_prompts_twice_and_checks_rules(run) -> None:
    ok = run("users", "add", "bob", "--role", "viewer", input="long password!\nlong password!\n")
    assert ok.exit_code == 0, ok.output
    short = run("users", "add", "cy", "--role", "viewer", "--password-stdin", input="short\n")
    assert short.exit_code == 2 and "8 to 1024 characters" in short.output
    dup = run("users", "add", "bob", "--role", "viewer", "--password-stdin", input="another pass\n")
    assert dup.exit_code == 4 and "already exists" in dup.output
    bad_role = run("users", "add", "dee", "--role", "root", "--password-stdin", input="x" * 10)
    assert bad_role.exit_code == 2


def test_keys_create_shows_the_secret_once(run) -> None:
    created = run("keys", "create", "--role", "operator", "--name", "ci")
    assert created.exit_code == 0
    secret = created.stdout.strip()
    assert secret.startswith("altk_")
    assert "shown once" in created.stderr
    with AccountStore(load_settings().home) as store:
        key = store.verify_key(secret)
    assert key.role.value == "operator"
    listed = orjson.loads(run("keys", "list", "--format", "json").stdout)
    assert [k["id"] for k in listed] == [key.id]
    assert secret not in run("keys", "list").stdout
    assert run("keys", "revoke", key.id).exit_code == 0
    assert orjson.loads(run("keys", "list", "--format", "json").stdout) == []
    every = orjson.loads(run("keys", "list", "--all", "--format", "json").stdout)
    assert every[0]["revoked_at"] is not None


def test_keys_create_json(run) -> None:
    out = orjson.loads(run("keys", "create", "--role", "viewer", "--format", "json").stdout)
    assert out["key"].startswith(out["prefix"]) and out["role"] == "viewer"
    assert run("keys", "revoke", "nosuchkey0").exit_code == 3
