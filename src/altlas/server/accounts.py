"""Users, API keys and refresh tokens in ``ALTLAS_HOME/auth.db``.

* Passwords are hashed with argon2id (argon2-cffi); a missing user costs the same time as a
  wrong password, so names cannot be probed by timing.
* An API key is ``altk_<id>_<secret>``. The id is public (it is shown in listings and is
  how the key is found); the secret is 256 random bits, shown once at creation and stored
  only as its SHA-256 (a slow hash adds nothing for a secret that cannot be guessed).
* Refresh tokens are tracked by id: each refresh spends the old one and issues a new one in
  the same family; presenting a spent one revokes the whole family (it was stolen).

There are no default accounts: the first admin is created with ``altlas users add``.
The SQL lives in the repository (:mod:`altlas.server.accounts_store`); this module holds the
rules.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import re
import secrets
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
from altlas.server.accounts_store import (
    AccountRepository,
    KeyRow,
    UserRow,
    open_account_repository,
)
from altlas.server.principals import KEY_PREFIX, ApiKey, Principal, User, parse_api_key
from altlas.server.roles import Role
from altlas.storage.sqlite import now_iso

__all__ = [
    "AccountRepository",
    "AccountStore",
    "ApiKey",
    "ConflictError",
    "Principal",
    "RefreshReuseError",
    "User",
    "parse_api_key",
]

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


def _api_key(row: KeyRow) -> ApiKey:
    return ApiKey(row[0], row[1], Role(row[2]), row[3], row[4], row[5], row[6], row[7])


def _user(row: UserRow) -> User:
    return User(row[0], Role(row[1]), row[2], row[3])


class AccountStore:
    """The accounts of one ``ALTLAS_HOME``. Safe to share between threads."""

    def __init__(self, home: Path, repository: AccountRepository | None = None) -> None:
        self._repo = repository or open_account_repository(home)
        self.path = self._repo.path
        self._dummy_hash: str | None = None

    def close(self) -> None:
        self._repo.close()

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
        if not self._repo.insert_user(name, digest, role.value, stamp):
            raise ConflictError(f"user {name} already exists")
        return User(name, role, stamp, stamp)

    def get_user(self, name: str) -> User | None:
        row = self._repo.user(name)
        return _user(row) if row else None

    def list_users(self) -> list[User]:
        return [_user(row) for row in self._repo.all_users()]

    def remove_user(self, name: str) -> None:
        if not self._repo.delete_user(name):
            raise NotFoundError(f"no user named {name}")

    def authenticate(self, name: str, password: str) -> User:
        """The user whose password this is; AuthError otherwise (same message either way)."""
        from argon2.exceptions import InvalidHashError, VerificationError

        hasher = _hasher()
        stored = self._repo.password_hash(name)
        if stored is None or len(password) > MAX_PASSWORD:
            # Same work as a real check, so a missing name is not faster than a wrong password.
            if self._dummy_hash is None:
                self._dummy_hash = hasher.hash(secrets.token_urlsafe(16))
            with contextlib.suppress(VerificationError, InvalidHashError):
                hasher.verify(self._dummy_hash, password[:MAX_PASSWORD])
            raise AuthError("wrong user name or password")
        try:
            hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            raise AuthError("wrong user name or password") from None
        if hasher.check_needs_rehash(stored):
            self._repo.set_password_hash(name, hasher.hash(password))
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
        self._repo.insert_key(key_id, name, role.value, _sha256(secret), stamp, created_by, expires)
        record = ApiKey(key_id, name, role, stamp, created_by, expires, None, None)
        return record, f"{KEY_PREFIX}_{key_id}_{secret}"

    def list_keys(self, *, include_revoked: bool = True) -> list[ApiKey]:
        keys = [_api_key(row) for row in self._repo.all_keys()]
        return keys if include_revoked else [k for k in keys if k.revoked_at is None]

    def get_key(self, key_id: str) -> ApiKey | None:
        row = self._repo.key(key_id)
        return _api_key(row) if row else None

    def revoke_key(self, key_id: str) -> ApiKey:
        self._repo.revoke_key(key_id, now_iso())
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
        stored = self._repo.key_secret_sha256(key_id)
        if stored is None or not hmac.compare_digest(stored, _sha256(secret)):
            raise AuthError("unknown API key")
        key = self.get_key(key_id)
        if key is None or not key.active:
            raise AuthError("API key revoked or expired")
        return key

    def touch_key(self, key_id: str) -> None:
        self._repo.touch_key(key_id, now_iso())

    # -- refresh tokens ------------------------------------------------------------------

    def issue_refresh(self, user: str, expires_at: float, family: str | None = None) -> str:
        jti = secrets.token_urlsafe(16)
        self._repo.insert_refresh(jti, family or jti, user, now_iso(), expires_at)
        return jti

    def spend_refresh(self, jti: str, user: str) -> str:
        """Mark ``jti`` spent and return its family; a second spend revokes the family."""
        outcome = self._repo.spend_refresh(jti, user, now_iso(), time.time())
        if outcome.status == "unknown":
            raise AuthError("unknown refresh token")
        if outcome.status == "reused":
            raise RefreshReuseError(
                "refresh token already used; its sessions are revoked",
                str(outcome.family),
            )
        if outcome.status == "dead":
            raise AuthError("refresh token revoked or expired")
        return str(outcome.family)

    def revoke_refresh_family(self, jti: str) -> str | None:
        """Revoke the login ``jti`` belongs to; its family id (None for an unknown token)."""
        return self._repo.revoke_family_of(jti, now_iso())

    def family_revoked(self, family: str) -> bool:
        """Whether the login ``family`` is over (logged out, or a refresh token replayed).

        A family none of whose tokens is known counts as revoked: its access tokens cannot
        have come from this server's logins.
        """
        return self._repo.family_revoked(family)
