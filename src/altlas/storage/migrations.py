"""THE migration runner: sqlite-utils ``Migrations``, applied in one write transaction.

Every store lists its schema as a ``Migrations`` set (the archive, the run journal, the job
queue, accounts, analytics, the llm call log and cache) and opens through :func:`apply`:

* the pending steps run inside one ``BEGIN IMMEDIATE`` transaction, so two processes
  opening a new database at once never both run a step (the second waits for the write
  lock, then finds nothing pending) and a crash never leaves half a schema (a step
  registered ``transactional=False``, such as a VACUUM, makes that upgrade step by step);
* a database written by a newer altlas (it records steps this one does not know) is
  refused with one line rather than used under a schema it does not understand;
* ``adopt_user_version`` takes over a database made by the old hand-written runner, which
  kept the number of applied steps in ``PRAGMA user_version`` and a ``schema_migrations``
  table: the first N steps of the set are recorded as applied, the old bookkeeping goes,
  and the file ends up with exactly the schema a fresh one has.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from altlas.storage._errors import SchemaConflict, Unavailable

if TYPE_CHECKING:
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

__all__ = ["apply", "pending", "schema"]

_LEGACY_TABLE = "schema_migrations"


def _database(target: sqlite3.Connection | Database) -> Database:
    from sqlite_utils import Database

    if isinstance(target, Database):
        return target
    return Database(target, execute_plugins=False)


def _file_of(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("PRAGMA database_list").fetchone()
    return str(row[2]) if row and row[2] else None


def _user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _legacy_steps(db: Database, migrations: Migrations, adopt: Sequence[str]) -> int:
    """How many old-runner steps wait to be adopted (0: none, or already adopted)."""
    if not adopt or migrations.applied(db):
        return 0
    return _user_version(db.conn)


def pending(target: sqlite3.Connection | Database, migrations: Migrations) -> list[str]:
    """Names of the steps ``target`` has not had yet (read-only)."""
    return [m.name for m in migrations.pending(_database(target))]


def _refuse_newer(db: Database, migrations: Migrations) -> None:
    # ``_migrations`` and ``_record_applied`` are sqlite-utils internals, pinned by the
    # upgrade tests (tests/storage); the public API has no way to list or record steps.
    known = {m.name for m in migrations._migrations}
    unknown = [m.name for m in migrations.applied(db) if m.name not in known]
    if unknown:
        raise SchemaConflict(
            f"the database was written by a newer altlas (schema step {unknown[-1]!r} of "
            f"{migrations.name!r} is unknown here); upgrade altlas",
            file=_file_of(db.conn),
        )


def _adopt(db: Database, migrations: Migrations, adopt: Sequence[str], steps: int) -> None:
    """Record the old runner's first ``steps`` steps as applied; drop its bookkeeping."""
    if steps > len(adopt):
        raise SchemaConflict(
            f"the database schema version {steps} is newer than this altlas knows "
            f"({len(adopt)}); upgrade altlas",
            file=_file_of(db.conn),
        )
    migrations.ensure_migrations_table(db)
    for name in adopt[:steps]:
        migrations._record_applied(db, name)
    db.conn.execute(f"DROP TABLE IF EXISTS {_LEGACY_TABLE}")
    db.conn.execute("PRAGMA user_version = 0")


def apply(
    target: sqlite3.Connection | Database,
    migrations: Migrations,
    *,
    adopt_user_version: Sequence[str] = (),
) -> list[str]:
    """Apply the pending steps of ``migrations``; return their names ([] when up to date).

    ``adopt_user_version`` names the steps that ``PRAGMA user_version`` 1, 2, ... stood for
    under the old hand-written runner (see the module docstring).
    """
    db = _database(target)
    conn = db.conn
    _refuse_newer(db, migrations)
    if not migrations.pending(db) and not _legacy_steps(db, migrations, adopt_user_version):
        return []
    if int(conn.execute("PRAGMA query_only").fetchone()[0]):
        raise _needs_writing(conn)
    # A step that cannot run in a transaction (VACUUM) makes the whole upgrade step-by-step:
    # each transactional step is still atomic on its own (sqlite-utils wraps it).
    whole = all(m.transactional for m in migrations.pending(db))
    outer = whole and not conn.in_transaction
    try:
        if outer:
            conn.execute("BEGIN IMMEDIATE")
        # Read again under the write lock: another process may have upgraded meanwhile.
        steps = _legacy_steps(db, migrations, adopt_user_version)
        if steps:
            _adopt(db, migrations, adopt_user_version, steps)
        _refuse_newer(db, migrations)
        names = pending(db, migrations)
        migrations.apply(db)
        if outer:
            conn.execute("COMMIT")
    except BaseException as exc:
        if outer and conn.in_transaction:
            conn.execute("ROLLBACK")
        if isinstance(exc, sqlite3.OperationalError) and "readonly" in str(exc):
            raise _needs_writing(conn) from None
        raise
    return names


def _needs_writing(conn: sqlite3.Connection) -> Exception:
    return Unavailable(
        "the database needs a schema upgrade, which a read-only connection cannot do: "
        "open it once where it is writable",
        file=_file_of(conn),
    )


def schema(target: sqlite3.Connection | Database | Path) -> list[tuple[str, str, str, str]]:
    """``sqlite_master`` as sorted ``(type, name, table, sql)``: to compare two databases.

    Whitespace in the SQL is normalised, since ``ALTER TABLE`` rewrites a table's SQL with
    different spacing from ``CREATE TABLE``; the migration bookkeeping tables are left out.
    """
    if isinstance(target, Path):
        conn = sqlite3.connect(f"{target.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return schema(conn)
        finally:
            conn.close()
    conn = target.conn if not isinstance(target, sqlite3.Connection) else target
    rows = conn.execute(
        "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master "
        "WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
    ).fetchall()
    skip = {"_sqlite_migrations", _LEGACY_TABLE}
    return [
        (str(t), str(n), str(tbl), _normalise(str(sql)))
        for t, n, tbl, sql in rows
        if tbl not in skip
    ]


def _normalise(sql: str) -> str:
    text = " ".join(sql.replace("(", " ( ").replace(")", " ) ").replace(",", " , ").split())
    return text.replace('"', "").replace("[", "").replace("]", "")
