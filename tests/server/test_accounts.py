"""The account store: users with argon2 hashes, API keys, refresh-token rotation."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from altlas.errors import AuthError, NotFoundError, ValidationError
from altlas.server.accounts import AccountStore, ConflictError, parse_api_key
from altlas.server.roles import Role


@pytest.fixture
def store(tmp_path: Path):
    with AccountStore(tmp_path) as s:
        yield s


def test_there_are_no_default_accounts(store: AccountStore) -> None:
    assert store.list_users() == []
    assert store.list_keys() == []
    with pytest.raises(AuthError):
        store.authenticate("admin", "admin")


def test_passwords_are_argon2_hashed_and_checked(store: AccountStore, tmp_path: Path) -> None:
    store.add_user("alice", "s3cret-password", "operator")
    user = store.authenticate("alice", "s3cret-password")
    assert user.role is Role.OPERATOR
    with pytest.raises(AuthError, match="wrong user name or password"):
        store.authenticate("alice", "wrong-password")
    with pytest.raises(AuthError, match="wrong user name or password"):
        store.authenticate("bob", "s3cret-password")
    conn = sqlite3.connect(tmp_path / "auth.db")
    (stored,) = conn.execute("SELECT password_hash FROM users").fetchone()
    conn.close()
    assert stored.startswith("$argon2id$")
    assert "s3cret-password" not in stored


def test_user_rules(store: AccountStore) -> None:
    with pytest.raises(ValidationError):
        store.add_user("bad name", "long enough password", "viewer")
    with pytest.raises(ValidationError):
        store.add_user("alice", "short", "viewer")
    with pytest.raises(ValueError):
        store.add_user("alice", "long enough password", "superuser")
    store.add_user("alice", "long enough password", "viewer")
    with pytest.raises(ConflictError):
        store.add_user("alice", "another password", "admin")
    store.remove_user("alice")
    with pytest.raises(NotFoundError):
        store.remove_user("alice")


def test_api_key_is_prefix_plus_secret_and_only_its_hash_is_stored(
    store: AccountStore,
    tmp_path: Path,
) -> None:
    record, secret = store.create_key("ci", "viewer", created_by="user:alice")
    parsed = parse_api_key(secret)
    assert parsed is not None and parsed[0] == record.id
    assert secret.startswith(record.prefix)
    assert store.verify_key(secret).id == record.id
    conn = sqlite3.connect(tmp_path / "auth.db")
    rows = conn.execute("SELECT * FROM api_keys").fetchall()
    conn.close()
    assert parsed[1] not in repr(rows)
    listed = store.list_keys()[0].as_dict()
    assert "key" not in listed and listed["prefix"] == record.prefix


def test_api_key_rejections(store: AccountStore) -> None:
    record, secret = store.create_key("ci", "operator")
    _, body = parse_api_key(secret)  # type: ignore[misc]
    with pytest.raises(AuthError, match="malformed"):
        store.verify_key("not-a-key")
    tampered = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    with pytest.raises(AuthError, match="unknown"):
        store.verify_key(tampered)
    with pytest.raises(AuthError, match="unknown"):
        store.verify_key(f"altk_zzzzzzzzzz_{body}")
    store.revoke_key(record.id)
    with pytest.raises(AuthError, match="revoked"):
        store.verify_key(secret)
    with pytest.raises(NotFoundError):
        store.revoke_key("nosuchkey0")


def test_expired_key_is_refused(store: AccountStore) -> None:
    record, secret = store.create_key("short", "viewer", expires_in_days=0.00001)
    time.sleep(1.0)
    assert not store.get_key(record.id).active  # type: ignore[union-attr]
    with pytest.raises(AuthError, match="expired"):
        store.verify_key(secret)


def test_refresh_rotation_and_reuse_detection(store: AccountStore) -> None:
    store.add_user("alice", "long enough password", "viewer")
    first = store.issue_refresh("alice", time.time() + 60)
    family = store.spend_refresh(first, "alice")
    second = store.issue_refresh("alice", time.time() + 60, family)
    # Presenting the spent token again means it leaked: the whole family dies.
    with pytest.raises(AuthError, match="already used"):
        store.spend_refresh(first, "alice")
    with pytest.raises(AuthError, match="revoked"):
        store.spend_refresh(second, "alice")


def test_refresh_token_of_another_user_or_expired_is_refused(store: AccountStore) -> None:
    store.add_user("alice", "long enough password", "viewer")
    store.add_user("bob", "long enough password", "viewer")
    jti = store.issue_refresh("alice", time.time() + 60)
    with pytest.raises(AuthError):
        store.spend_refresh(jti, "bob")
    old = store.issue_refresh("alice", time.time() - 1)
    with pytest.raises(AuthError, match="expired"):
        store.spend_refresh(old, "alice")


def test_removing_a_user_removes_their_refresh_tokens(store: AccountStore) -> None:
    store.add_user("alice", "long enough password", "viewer")
    jti = store.issue_refresh("alice", time.time() + 60)
    store.remove_user("alice")
    with pytest.raises(AuthError):
        store.spend_refresh(jti, "alice")
