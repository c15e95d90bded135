"""Users, API keys and refresh tokens in ``ALTLAS_HOME/auth.db``.

* Passwords are hashed with argon2id (argon2-cffi); a missing user costs the same time as a
  wrong password, so names cannot be probed by timing.
* An API key is ``altk_<id>_<secret>``. The id is public (it is shown in listings and is
  how the key is found); the secret is 256 random bits, shown once at creation and stored
  only as its SHA-256 (a slow hash adds nothing for a secret that cannot be guessed).
* Refresh tokens are tracked by id: each refresh spends the old one and issues a new one in
  the same family; presenting a spent one revokes the whole family (it was stolen).

There are no default accounts: the first admin is created with ``altlas users add``.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import re
import secrets
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from altlas.errors import (
    AuthError,
    ConflictError,
    MissingExtraError,
    NotFoundError,
    ValidationError,
)
from altlas.errors import Diagnostic as _Diagnostic
from altlas.events._sqlite import connect, now_iso
from altlas.server.principals import KEY_PREFIX, ApiKey, Principal, User, parse_api_key
from altlas.server.roles import Role

__all__ = [
    "AccountStore",
    "ApiKey",
    "ConflictError",
    "Principal",
    "RefreshReuseError",
    "User",
    "parse_api_key",
]

MIGRATIONS = (
    """
    CREATE TABLE users (
        name TEXT PRIMARY KEY,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        secret_sha256 TEXT NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT,
        expires_at REAL,
        last_used_at TEXT,
        revoked_at TEXT
    );
    CREATE TABLE refresh_tokens (
        jti TEXT PRIMARY KEY,
        family TEXT NOT NULL,
        user_name TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
        issued_at TEXT NOT NULL,
        expires_at REAL NOT NULL,
        spent_at TEXT,
        revoked_at TEXT
    );
    CREATE INDEX refresh_by_family ON refresh_tokens (family)
    """,
)

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 1024


class RefreshReuseError(AuthError):
    """A spent refresh token came back: it was copied, so its whole login is revoked."""

    def __init__(self, message: str, family: str) -> None:
        super().__init__(message)
        self.family = family


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _invalid(message: str, path: str) -> ValidationError:
    return ValidationError([_Diagnostic(message, path=path)])


def _hasher() -> Any:
    try:
        from argon2 import PasswordHasher
    except ImportError:
        raise MissingExtraError("server", "argon2-cffi") from None
    return PasswordHasher()


_LIST_KEYS = (
    "SELECT id, name, role, created_at, created_by, expires_at, last_used_at, revoked_at "
    "FROM api_keys ORDER BY created_at, id"
)
_GET_KEY = (
    "SELECT id, name, role, created_at, created_by, expires_at, last_used_at, revoked_at "
    "FROM api_keys WHERE id = ?"
)


def _api_key(row: tuple[Any, ...]) -> ApiKey:
    return ApiKey(row[0], row[1], Role(row[2]), row[3], row[4], row[5], row[6], row[7])


class AccountStore:
    """The account database of one ``ALTLAS_HOME``. Safe to share between threads."""

    def __init__(self, home: Path) -> None:
        self.path = home / "auth.db"
        self._conn: sqlite3.Connection = connect(self.path, MIGRATIONS)
        self._lock = threading.Lock()
        self._dummy_hash: str | None = None

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> AccountStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- users ---------------------------------------------------------------------------

    def add_user(self, name: str, password: str, role: Role | str) -> User:
        if not _NAME.match(name):
            raise _invalid(
                "user names are 1-64 letters, digits or _.@- and start with a letter or digit",
                "name",
            )
        if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
            raise _invalid(
                f"passwords are {MIN_PASSWORD} to {MAX_PASSWORD} characters long",
                "password",
            )
        role = Role(role)
        digest = _hasher().hash(password)
        stamp = now_iso()
        with self._lock:
            try:
                self._conn.execute(
                    "INSERT INTO users (name, password_hash, role, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (name, digest, role.value, stamp, stamp),
                )
            except sqlite3.IntegrityError:
                raise ConflictError(f"user {name} already exists") from None
        return User(name, role, stamp, stamp)

    def get_user(self, name: str) -> User | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT name, role, created_at, updated_at FROM users WHERE name = ?",
                (name,),
            ).fetchone()
        return User(row[0], Role(row[1]), row[2], row[3]) if row else None

    def list_users(self) -> list[User]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT name, role, created_at, updated_at FROM users ORDER BY name",
            ).fetchall()
        return [User(r[0], Role(r[1]), r[2], r[3]) for r in rows]

    def remove_user(self, name: str) -> None:
        with self._lock:
            cur = self._conn.execute("DELETE FROM users WHERE name = ?", (name,))
        if not cur.rowcount:
            raise NotFoundError(f"no user named {name}")

    def authenticate(self, name: str, password: str) -> User:
        """The user whose password this is; AuthError otherwise (same message either way)."""
        from argon2.exceptions import InvalidHashError, VerificationError

        hasher = _hasher()
        with self._lock:
            row = self._conn.execute(
                "SELECT password_hash FROM users WHERE name = ?",
                (name,),
            ).fetchone()
        if row is None or len(password) > MAX_PASSWORD:
            # Same work as a real check, so a missing name is not faster than a wrong password.
            if self._dummy_hash is None:
                self._dummy_hash = hasher.hash(secrets.token_urlsafe(16))
            with contextlib.suppress(VerificationError, InvalidHashError):
                hasher.verify(self._dummy_hash, password[:MAX_PASSWORD])
            raise AuthError("wrong user name or password")
        stored = row[0]
        try:
            hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            raise AuthError("wrong user name or password") from None
        if hasher.check_needs_rehash(stored):
            with self._lock:
                self._conn.execute(
                    "UPDATE users SET password_hash = ? WHERE name = ?",
                    (hasher.hash(password), name),
                )
        user = self.get_user(name)
        if user is None:  # removed between the two reads
            raise AuthError("wrong user name or password")
        return user

    # -- API keys ------------------------------------------------------------------------

    def create_key(
        self,
        name: str,
        role: Role | str,
        *,
        created_by: str | None = None,
        expires_in_days: float | None = None,
    ) -> tuple[ApiKey, str]:
        """A new key and its full text, which is never available again."""
        if not name.strip() or len(name) > 200:
            raise _invalid("a key needs a name of 1-200 characters", "name")
        role = Role(role)
        key_id = "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(10))
        secret = secrets.token_urlsafe(32)
        expires = time.time() + expires_in_days * 86400 if expires_in_days else None
        stamp = now_iso()
        with self._lock:
            self._conn.execute(
                "INSERT INTO api_keys (id, name, role, secret_sha256, created_at, created_by, "
                "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (key_id, name, role.value, _sha256(secret), stamp, created_by, expires),
            )
        record = ApiKey(key_id, name, role, stamp, created_by, expires, None, None)
        return record, f"{KEY_PREFIX}_{key_id}_{secret}"

    def list_keys(self, *, include_revoked: bool = True) -> list[ApiKey]:
        with self._lock:
            rows = self._conn.execute(_LIST_KEYS).fetchall()
        keys = [_api_key(r) for r in rows]
        return keys if include_revoked else [k for k in keys if k.revoked_at is None]

    def get_key(self, key_id: str) -> ApiKey | None:
        with self._lock:
            row = self._conn.execute(_GET_KEY, (key_id,)).fetchone()
        return _api_key(row) if row else None

    def revoke_key(self, key_id: str) -> ApiKey:
        with self._lock:
            self._conn.execute(
                "UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?",
                (now_iso(), key_id),
            )
        key = self.get_key(key_id)
        if key is None:
            raise NotFoundError(f"no API key with id {key_id}")
        return key

    def verify_key(self, text: str) -> ApiKey:
        """The active key ``text`` is; AuthError for anything else."""
        parsed = parse_api_key(text)
        if parsed is None:
            raise AuthError("malformed API key")
        key_id, secret = parsed
        with self._lock:
            row = self._conn.execute(
                "SELECT secret_sha256 FROM api_keys WHERE id = ?",
                (key_id,),
            ).fetchone()
        if row is None or not hmac.compare_digest(row[0], _sha256(secret)):
            raise AuthError("unknown API key")
        key = self.get_key(key_id)
        if key is None or not key.active:
            raise AuthError("API key revoked or expired")
        return key

    def touch_key(self, key_id: str) -> None:
        with self._lock:
            self._conn.execute(
                "UPDATE api_keys SET last_used_at = ? WHERE id = ?",
                (now_iso(), key_id),
            )

    # -- refresh tokens ------------------------------------------------------------------

    def issue_refresh(self, user: str, expires_at: float, family: str | None = None) -> str:
        jti = secrets.token_urlsafe(16)
        with self._lock:
            self._conn.execute(
                "INSERT INTO refresh_tokens (jti, family, user_name, issued_at, expires_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (jti, family or jti, user, now_iso(), expires_at),
            )
        return jti

    def spend_refresh(self, jti: str, user: str) -> str:
        """Mark ``jti`` spent and return its family; a second spend revokes the family."""
        stamp = now_iso()
        with self._lock:
            row = self._conn.execute(
                "SELECT family, user_name, spent_at, revoked_at, expires_at FROM refresh_tokens "
                "WHERE jti = ?",
                (jti,),
            ).fetchone()
            if row is None or row[1] != user:
                raise AuthError("unknown refresh token")
            family, _, spent, revoked, expires = row
            if spent is not None:
                self._conn.execute(
                    "UPDATE refresh_tokens SET revoked_at = coalesce(revoked_at, ?) "
                    "WHERE family = ?",
                    (stamp, family),
                )
                raise RefreshReuseError(
                    "refresh token already used; its sessions are revoked",
                    str(family),
                )
            if revoked is not None or expires < time.time():
                raise AuthError("refresh token revoked or expired")
            self._conn.execute(
                "UPDATE refresh_tokens SET spent_at = ? WHERE jti = ?",
                (stamp, jti),
            )
        return str(family)

    def revoke_refresh_family(self, jti: str) -> str | None:
        """Revoke the login ``jti`` belongs to; its family id (None for an unknown token)."""
        with self._lock:
            row = self._conn.execute(
                "UPDATE refresh_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE family = "
                "(SELECT family FROM refresh_tokens WHERE jti = ?) RETURNING family",
                (now_iso(), jti),
            ).fetchone()
        return str(row[0]) if row else None

    def family_revoked(self, family: str) -> bool:
        """Whether the login ``family`` is over (logged out, or a refresh token replayed).

        A family none of whose tokens is known counts as revoked: its access tokens cannot
        have come from this server's logins.
        """
        with self._lock:
            row = self._conn.execute(
                "SELECT count(*), count(revoked_at) FROM refresh_tokens WHERE family = ?",
                (family,),
            ).fetchone()
        return bool(row[0] == 0 or row[1] > 0)
