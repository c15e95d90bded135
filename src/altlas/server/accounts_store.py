"""The account database's repository: every SQL statement on ``auth.db``, behind a Protocol.

:class:`~altlas.server.accounts.AccountStore` (validation, argon2, key secrets, the refresh
rules) talks to an :class:`AccountRepository`; :class:`SqliteAccountRepository` is the one
implementation, and a Postgres one would sit behind the same Protocol. Callers get it from
:func:`open_account_repository`.

The schema is a sqlite-utils ``Migrations`` set applied by
:func:`altlas.storage.migrations.apply`; an ``auth.db`` made by the old hand-written runner
(``PRAGMA user_version`` 1) is adopted in place. A failing statement raises the storage
layer's one-line errors (damaged file, busy, disk full), never a bare ``sqlite3.Error``.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from sqlite_utils.migrations import Migrations

__all__ = [
    "LEGACY_STEPS",
    "MIGRATIONS",
    "AccountRepository",
    "KeyRow",
    "SpendOutcome",
    "SqliteAccountRepository",
    "UserRow",
    "open_account_repository",
]

MIGRATIONS = Migrations("altlas.accounts")
_WHAT = "the account database"

_SCHEMA_V1 = (
    """
    CREATE TABLE users (
        name TEXT PRIMARY KEY,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )
    """,
    """
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
    )
    """,
    """
    CREATE TABLE refresh_tokens (
        jti TEXT PRIMARY KEY,
        family TEXT NOT NULL,
        user_name TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
        issued_at TEXT NOT NULL,
        expires_at REAL NOT NULL,
        spent_at TEXT,
        revoked_at TEXT
    )
    """,
    "CREATE INDEX refresh_by_family ON refresh_tokens (family)",
)


@MIGRATIONS(name="m001_accounts")
def _m001_accounts(db: Any) -> None:
    for statement in _SCHEMA_V1:
        db.execute(statement)


LEGACY_STEPS = ("m001_accounts",)
"""What ``PRAGMA user_version`` 1 meant under the old runner (the former events/_sqlite.py)."""

_LIST_KEYS = (
    "SELECT id, name, role, created_at, created_by, expires_at, last_used_at, revoked_at "
    "FROM api_keys ORDER BY created_at, id"
)
_GET_KEY = (
    "SELECT id, name, role, created_at, created_by, expires_at, last_used_at, revoked_at "
    "FROM api_keys WHERE id = ?"
)

UserRow = tuple[str, str, str, str]
"""name, role, created_at, updated_at"""
KeyRow = tuple[str, str, str, str, str | None, float | None, str | None, str | None]
"""id, name, role, created_at, created_by, expires_at, last_used_at, revoked_at"""


@dataclass(frozen=True, slots=True)
class SpendOutcome:
    """What spending a refresh token found: ``ok`` (now spent), ``reused`` (it was spent
    before; its family is now revoked), ``dead`` (revoked or expired), ``unknown``."""

    status: Literal["ok", "reused", "dead", "unknown"]
    family: str | None = None


class AccountRepository(Protocol):
    """What the account logic needs from its database. Times are RFC 3339 text, expiries
    epoch seconds; hashes are computed by the caller."""

    path: Path

    def insert_user(self, name: str, password_hash: str, role: str, stamp: str) -> bool: ...
    def user(self, name: str) -> UserRow | None: ...
    def all_users(self) -> list[UserRow]: ...
    def delete_user(self, name: str) -> bool: ...
    def password_hash(self, name: str) -> str | None: ...
    def set_password_hash(self, name: str, password_hash: str) -> None: ...
    def insert_key(
        self,
        key_id: str,
        name: str,
        role: str,
        secret_sha256: str,
        stamp: str,
        created_by: str | None,
        expires_at: float | None,
    ) -> None: ...
    def all_keys(self) -> list[KeyRow]: ...
    def key(self, key_id: str) -> KeyRow | None: ...
    def key_secret_sha256(self, key_id: str) -> str | None: ...
    def revoke_key(self, key_id: str, stamp: str) -> None: ...
    def touch_key(self, key_id: str, stamp: str) -> None: ...
    def insert_refresh(
        self, jti: str, family: str, user: str, stamp: str, expires_at: float
    ) -> None: ...
    def spend_refresh(self, jti: str, user: str, stamp: str, now: float) -> SpendOutcome: ...
    def revoke_family_of(self, jti: str, stamp: str) -> str | None: ...
    def family_revoked(self, family: str) -> bool: ...
    def close(self) -> None: ...


def open_account_repository(home: Path) -> AccountRepository:
    """The account database of ``home``, created and migrated as needed."""
    return SqliteAccountRepository(home / "auth.db")


class SqliteAccountRepository:
    """``auth.db`` in WAL mode, autocommit; shared by the server's threads.

    Two connections, each behind its own lock: a write may wait up to the busy timeout for
    another process (the CLI, another server worker), and the reads that check credentials
    on every request must not queue behind it (WAL lets them read meanwhile).
    """

    def __init__(self, path: Path) -> None:
        from altlas.storage.pair import ConnectionPair

        self.path = Path(path)
        self._pair = ConnectionPair(
            self.path, what=_WHAT, migrations=MIGRATIONS, adopt_user_version=LEGACY_STEPS
        )

    def close(self) -> None:
        self._pair.close()

    # -- users ---------------------------------------------------------------------------

    def insert_user(self, name: str, password_hash: str, role: str, stamp: str) -> bool:
        """False when the name is taken."""
        with self._pair.writing() as conn:
            try:
                conn.execute(
                    "INSERT INTO users (name, password_hash, role, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (name, password_hash, role, stamp, stamp),
                )
            except sqlite3.IntegrityError:
                return False
        return True

    def user(self, name: str) -> UserRow | None:
        with self._pair.reading() as conn:
            row = conn.execute(
                "SELECT name, role, created_at, updated_at FROM users WHERE name = ?", (name,)
            ).fetchone()
        return tuple(row) if row else None

    def all_users(self) -> list[UserRow]:
        with self._pair.reading() as conn:
            rows = conn.execute(
                "SELECT name, role, created_at, updated_at FROM users ORDER BY name"
            ).fetchall()
        return [tuple(row) for row in rows]

    def delete_user(self, name: str) -> bool:
        with self._pair.writing() as conn:
            return conn.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount > 0

    def password_hash(self, name: str) -> str | None:
        with self._pair.reading() as conn:
            row = conn.execute("SELECT password_hash FROM users WHERE name = ?", (name,)).fetchone()
        return str(row[0]) if row else None

    def set_password_hash(self, name: str, password_hash: str) -> None:
        with self._pair.writing() as conn:
            conn.execute("UPDATE users SET password_hash = ? WHERE name = ?", (password_hash, name))

    # -- API keys ------------------------------------------------------------------------

    def insert_key(
        self,
        key_id: str,
        name: str,
        role: str,
        secret_sha256: str,
        stamp: str,
        created_by: str | None,
        expires_at: float | None,
    ) -> None:
        with self._pair.writing() as conn:
            conn.execute(
                "INSERT INTO api_keys (id, name, role, secret_sha256, created_at, created_by, "
                "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (key_id, name, role, secret_sha256, stamp, created_by, expires_at),
            )

    def all_keys(self) -> list[KeyRow]:
        with self._pair.reading() as conn:
            rows = conn.execute(_LIST_KEYS).fetchall()
        return [tuple(row) for row in rows]

    def key(self, key_id: str) -> KeyRow | None:
        with self._pair.reading() as conn:
            row = conn.execute(_GET_KEY, (key_id,)).fetchone()
        return tuple(row) if row else None

    def key_secret_sha256(self, key_id: str) -> str | None:
        with self._pair.reading() as conn:
            row = conn.execute(
                "SELECT secret_sha256 FROM api_keys WHERE id = ?", (key_id,)
            ).fetchone()
        return str(row[0]) if row else None

    def revoke_key(self, key_id: str, stamp: str) -> None:
        with self._pair.writing() as conn:
            conn.execute(
                "UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?",
                (stamp, key_id),
            )

    def touch_key(self, key_id: str, stamp: str) -> None:
        with self._pair.writing() as conn:
            conn.execute("UPDATE api_keys SET last_used_at = ? WHERE id = ?", (stamp, key_id))

    # -- refresh tokens ------------------------------------------------------------------

    def insert_refresh(
        self, jti: str, family: str, user: str, stamp: str, expires_at: float
    ) -> None:
        with self._pair.writing() as conn:
            conn.execute(
                "INSERT INTO refresh_tokens (jti, family, user_name, issued_at, expires_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (jti, family, user, stamp, expires_at),
            )

    def spend_refresh(self, jti: str, user: str, stamp: str, now: float) -> SpendOutcome:
        """Spend ``jti`` if it is live; a second spend revokes its whole family.

        One read and one write under the lock, so two refreshes racing with the same token
        cannot both succeed.
        """
        with self._pair.writing() as conn:
            row = conn.execute(
                "SELECT family, user_name, spent_at, revoked_at, expires_at "
                "FROM refresh_tokens WHERE jti = ?",
                (jti,),
            ).fetchone()
            if row is None or row[1] != user:
                return SpendOutcome("unknown")
            family, _, spent, revoked, expires = row
            if spent is not None:
                conn.execute(
                    "UPDATE refresh_tokens SET revoked_at = coalesce(revoked_at, ?) "
                    "WHERE family = ?",
                    (stamp, family),
                )
                return SpendOutcome("reused", str(family))
            if revoked is not None or expires < now:
                return SpendOutcome("dead", str(family))
            conn.execute("UPDATE refresh_tokens SET spent_at = ? WHERE jti = ?", (stamp, jti))
        return SpendOutcome("ok", str(family))

    def revoke_family_of(self, jti: str, stamp: str) -> str | None:
        with self._pair.writing() as conn:
            row = conn.execute(
                "UPDATE refresh_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE family = "
                "(SELECT family FROM refresh_tokens WHERE jti = ?) RETURNING family",
                (stamp, jti),
            ).fetchone()
        return str(row[0]) if row else None

    def family_revoked(self, family: str) -> bool:
        """True when any token of ``family`` is revoked, or none is known at all."""
        with self._pair.reading() as conn:
            row = conn.execute(
                "SELECT count(*), count(revoked_at) FROM refresh_tokens WHERE family = ?",
                (family,),
            ).fetchone()
        return bool(row[0] == 0 or row[1] > 0)
