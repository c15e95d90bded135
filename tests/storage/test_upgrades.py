"""Every store, at every schema version that ever existed, with rows in it, opened by today's code.

For each store a database is built at each earlier version -- by stepping through its
sqlite-utils migrations one at a time, or, for the stores of the old hand-written runner
(``PRAGMA user_version`` plus ``schema_migrations``), by replaying the SQL they shipped
(frozen below from git history: never edit it) -- then rows go into every table, the
store's public opening function opens it, and the rows must still be there and the schema
must equal that of a freshly created store.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations
from tests.storage._rows import (
    columns_of,
    results_rekeyed,
    still_there,
    tags_numbered,
    tasks_packed,
)

from altlas.storage.migrations import schema

# -- the old runner's SQL, as shipped (git log -p src/altlas/events/_jobrows.py, embedded.py,
#    server/accounts.py, server/analytics.py) ---------------------------------------------------

JOBS_V1 = """
    CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        payload BLOB NOT NULL,
        state TEXT NOT NULL,
        owner TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        cancel_requested INTEGER NOT NULL DEFAULT 0,
        worker TEXT,
        lease_until REAL,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        updated_at TEXT NOT NULL,
        error TEXT,
        outcome BLOB,
        result BLOB
    );
    CREATE INDEX jobs_by_state ON jobs (state);
    CREATE TABLE job_events (
        job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        type TEXT NOT NULL,
        time TEXT NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (job_id, seq)
    )
"""
JOBS_V2 = "ALTER TABLE jobs ADD COLUMN share TEXT NOT NULL DEFAULT '[]'"
ACCOUNTS_V1 = """
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
"""
ANALYTICS_V1 = """
    CREATE TABLE requests (
        id INTEGER PRIMARY KEY,
        ts REAL NOT NULL,
        route TEXT NOT NULL,
        method TEXT NOT NULL,
        status INTEGER NOT NULL,
        latency_ms REAL NOT NULL,
        principal TEXT,
        bytes_in INTEGER NOT NULL,
        bytes_out INTEGER NOT NULL
    );
    CREATE INDEX requests_by_ts ON requests (ts)
"""
LLM_CACHE_V0 = (
    "CREATE TABLE IF NOT EXISTS llm_cache (key TEXT PRIMARY KEY, value BLOB NOT NULL, "
    "created_at REAL NOT NULL, hits INTEGER NOT NULL DEFAULT 0)"
)
PACKS_V1 = "CREATE TABLE IF NOT EXISTS blobs (sha256 BLOB PRIMARY KEY, frame BLOB NOT NULL)"
PACKS_V2 = "CREATE TABLE IF NOT EXISTS names (batch INTEGER PRIMARY KEY, entries BLOB NOT NULL)"
PACKS_PRAGMAS = ("PRAGMA page_size = 65536", "PRAGMA auto_vacuum = INCREMENTAL")
"""index/packs.py kept its own numbering: these pragmas, the tables, ``user_version`` (none
in the first packs, then 1, then 2); never ``schema_migrations``."""


def old_runner(path: Path, steps: list[str]) -> None:
    """What events/_sqlite.py did: each step, its record and ``user_version``, in WAL mode."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        "version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    for number, script in enumerate(steps, start=1):
        for statement in (part.strip() for part in script.split(";")):
            if statement:
                conn.execute(statement)
        conn.execute("INSERT INTO schema_migrations VALUES (?, '2026-01-01T00:00:00Z')", (number,))
        conn.execute(f"PRAGMA user_version = {number}")
    conn.close()


def stepped(migrations: Migrations, count: int) -> Callable[[Path], None]:
    """A builder: the first ``count`` steps of a sqlite-utils set, applied one at a time."""
    names = [m.name for m in migrations._migrations]

    def build(path: Path) -> None:
        db = Database(path)
        for upto in range(1, count + 1):
            if upto < len(names):
                migrations.apply(db, stop_before=names[upto])
            else:
                migrations.apply(db)
        db.conn.close()

    return build


def plain(*statements: str, pragmas: tuple[str, ...] = ()) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        conn = sqlite3.connect(path, isolation_level=None)
        for statement in (*pragmas, *statements):
            conn.execute(statement)
        conn.close()

    return build


# -- rows in every table ---------------------------------------------------------------------

_BOOKKEEPING = {"_sqlite_migrations", "schema_migrations"}


def _tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    return [
        name
        for name, sql in rows
        if name not in _BOOKKEEPING and not str(sql).upper().startswith("CREATE VIRTUAL")
    ]


def _value(name: str, declared: str, n: int) -> Any:
    kind = declared.upper()
    if "INT" in kind:
        return n + 1
    if any(word in kind for word in ("REAL", "FLOA", "DOUB")):
        return n + 0.5
    if "BLOB" in kind:
        return f"{name}-{n}".encode()
    return f"{name}-{n}"


def seed(
    path: Path, rows: int = 3, skip: frozenset[str] = frozenset()
) -> dict[str, set[tuple[Any, ...]]]:
    """``rows`` rows in every table (typed by declaration); what was written, per table."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = OFF")
    written: dict[str, set[tuple[Any, ...]]] = {}
    for table in _tables(conn):
        if table in skip:
            continue
        columns = [(str(r[1]), str(r[2])) for r in conn.execute(f'PRAGMA table_info("{table}")')]
        names = ", ".join(f'"{c}"' for c, _ in columns)
        marks = ", ".join("?" for _ in columns)
        values = [tuple(_value(c, t, n) for c, t in columns) for n in range(rows)]
        conn.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', values)
        written[table] = set(values)
    conn.commit()
    conn.close()
    return written


# -- the stores --------------------------------------------------------------------------------


def _open_archive(home: Path) -> None:
    from altlas.index import Archive

    with Archive(home) as archive:
        archive.open()


def _open_journal(home: Path) -> None:
    from altlas.run.journal import Journal

    Journal.open(home).close()


def _open_jobs(home: Path) -> None:
    from altlas.events.embedded import SqliteJobQueue

    SqliteJobQueue(home / "queue.db").close()


def _open_accounts(home: Path) -> None:
    from altlas.server.accounts import AccountStore

    AccountStore(home).close()


def _open_analytics(home: Path) -> None:
    from altlas.server.analytics import AnalyticsRecorder

    AnalyticsRecorder(home).close()


def _open_llm_calls(home: Path) -> None:
    from altlas.llm.calllog import CallLog

    log = CallLog(home)
    log.record({"caller": "upgrade-test", "backend": "none", "model": "m", "status": "ok"})
    log.close()


def _open_llm_cache(home: Path) -> None:
    from altlas.llm.cache import CACHE_NAME, SqliteCache

    cache = SqliteCache(home / CACHE_NAME)
    cache.put("k", {"v": 1})
    cache.close()


def _open_packs(home: Path) -> None:
    from altlas.index.packs import PackedBlobs

    packs = PackedBlobs(home / "blobs", fsync=False)
    packs.put([("ab" * 32, b"frame")])
    packs.close()


@dataclass(frozen=True)
class Store:
    name: str
    file: str
    open: Callable[[Path], None]
    versions: dict[str, Callable[[Path], None]]
    unseeded: frozenset[str] = frozenset()
    """Tables whose rows point at files (a zstd dictionary): a made-up row would be damage."""
    converted: dict[str, Callable[[Path, set[tuple[Any, ...]], list[str]], None]] = field(
        default_factory=dict
    )
    """Tables a later version changes or folds into another: a check, given the rows written
    and the table's columns then, that the rows are there in their new form."""


def _stores() -> list[Store]:
    from altlas.index.migrations import MIGRATIONS as ARCHIVE
    from altlas.llm.calllog import LLM_MIGRATIONS
    from altlas.run.journal_schema import MIGRATIONS as JOURNAL

    return [
        Store(
            "archive",
            "altlas.db",
            _open_archive,
            {f"v{n}": stepped(ARCHIVE, n) for n in range(1, len(ARCHIVE._migrations) + 1)},
            unseeded=frozenset({"dictionaries"}),
            converted={
                "tasks": tasks_packed,
                "results": results_rekeyed,
                "tags": tags_numbered,
            },
        ),
        Store(
            "journal",
            "runs.db",
            _open_journal,
            {f"v{n}": stepped(JOURNAL, n) for n in range(1, len(JOURNAL._migrations) + 1)},
        ),
        Store(
            "jobs",
            "queue.db",
            _open_jobs,
            {
                "user_version 1": lambda p: old_runner(p, [JOBS_V1]),
                "user_version 2": lambda p: old_runner(p, [JOBS_V1, JOBS_V2]),
            },
        ),
        Store(
            "accounts",
            "auth.db",
            _open_accounts,
            {"user_version 1": lambda p: old_runner(p, [ACCOUNTS_V1])},
        ),
        Store(
            "analytics",
            "analytics.db",
            _open_analytics,
            {"user_version 1": lambda p: old_runner(p, [ANALYTICS_V1])},
        ),
        Store(
            "llm calls",
            "runs.db",
            _open_llm_calls,
            {
                f"v{n}": stepped(LLM_MIGRATIONS, n)
                for n in range(1, len(LLM_MIGRATIONS._migrations) + 1)
            },
        ),
        Store("llm cache", "llm_cache.db", _open_llm_cache, {"v0": plain(LLM_CACHE_V0)}),
        Store(
            "blob packs",
            "blobs/blobs.db",
            _open_packs,
            {
                "no user_version": plain(PACKS_V1, pragmas=PACKS_PRAGMAS),
                "user_version 1": plain(PACKS_V1, "PRAGMA user_version = 1", pragmas=PACKS_PRAGMAS),
                "user_version 2": plain(
                    PACKS_V1, PACKS_V2, "PRAGMA user_version = 2", pragmas=PACKS_PRAGMAS
                ),
            },
        ),
    ]


CASES = [(store, version) for store in _stores() for version in store.versions]


@pytest.mark.parametrize(("store", "version"), CASES, ids=[f"{s.name}-{v}" for s, v in CASES])
def test_every_old_version_opens_with_its_rows_and_the_current_schema(
    store: Store, version: str, tmp_path: Path
) -> None:
    old, fresh = tmp_path / "old", tmp_path / "fresh"
    (old / store.file).parent.mkdir(parents=True)
    store.versions[version](old / store.file)
    written = seed(old / store.file, skip=store.unseeded)
    assert written, "the old version has tables to fill"
    before = columns_of(old / store.file, written)
    store.open(old)
    store.open(old)  # a second open finds nothing to do and changes nothing
    for table, check in store.converted.items():
        if table in written:
            check(old / store.file, written.pop(table), before[table])
    still_there(old / store.file, written, before)
    fresh.mkdir()
    store.open(fresh)
    assert schema(old / store.file) == schema(fresh / store.file)


def test_a_queued_job_from_user_version_1_runs_after_the_upgrade(tmp_path: Path) -> None:
    """Beyond rows surviving: a job written before ``share`` existed is read and shared as []."""
    from altlas.events.embedded import SqliteJobQueue
    from altlas.events.queue import JobOutcome, JobState

    path = tmp_path / "queue.db"
    old_runner(path, [JOBS_V1])
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO jobs (id, kind, payload, state, created_at, updated_at) "
        "VALUES ('job_old', 'echo', '{\"n\": 1}', 'queued', 't0', 't0')"
    )
    conn.commit()
    conn.close()
    queue = SqliteJobQueue(path, workers=1, poll_seconds=0.02)
    queue.register("echo", lambda ctx: JobOutcome(data={"n": ctx.job.payload["n"]}))
    try:
        assert queue.get("job_old").share == ()
        queue.start()
        for _ in range(500):
            if queue.get("job_old").state.terminal:
                break
            import time

            time.sleep(0.01)
        job = queue.get("job_old")
        assert job.state is JobState.DONE and job.outcome == {"n": 1}
    finally:
        queue.close()


@pytest.mark.parametrize("version", [1, 2])
def test_a_numbered_blob_pack_is_adopted_in_place_with_every_frame(
    version: int, tmp_path: Path
) -> None:
    """The pack's own ``user_version`` becomes the runner's record; frames, names and the
    64 KB pages stay; the steps that number stood for are not run again."""
    from altlas.index.packs import LEGACY_STEPS, MIGRATIONS, PackedBlobs

    pack = tmp_path / "blobs" / "blobs.db"
    pack.parent.mkdir()
    steps = (PACKS_V1, PACKS_V2)[:version]
    plain(*steps, f"PRAGMA user_version = {version}", pragmas=PACKS_PRAGMAS)(pack)
    frames = {f"{n:02x}" * 32: f"frame {n}".encode() for n in range(200)}
    conn = sqlite3.connect(pack)
    conn.executemany(
        "INSERT INTO blobs VALUES (?, ?)", [(bytes.fromhex(k), v) for k, v in frames.items()]
    )
    if version == 2:
        conn.execute("INSERT INTO names (entries) VALUES (?)", (b"old names",))
    conn.commit()
    conn.close()

    packs = PackedBlobs(tmp_path / "blobs", fsync=False)
    packs.put([("ff" * 32, b"new frame")], names=b"new names")
    try:
        assert all(packs.frame(sha) == frame for sha, frame in frames.items())
        assert packs.frame("ff" * 32) == b"new frame"
        expected_names = [b"old names", b"new names"] if version == 2 else [b"new names"]
        assert packs.name_blocks() == expected_names
    finally:
        packs.close()
    db = Database(pack)
    try:
        assert [m.name for m in MIGRATIONS.applied(db)] == list(LEGACY_STEPS)
        assert [m["name"] for m in db["_sqlite_migrations"].rows] == list(LEGACY_STEPS)
        assert db.execute("PRAGMA user_version").fetchone()[0] == 0
        assert db.execute("PRAGMA page_size").fetchone()[0] == 65536
    finally:
        db.conn.close()


def test_a_new_blob_pack_has_its_page_size_and_incremental_vacuum(tmp_path: Path) -> None:
    """Both pragmas only hold when set before WAL mode writes the header (storage.sqlite)."""
    from altlas.index.packs import PackedBlobs

    packs = PackedBlobs(tmp_path / "blobs", fsync=True)
    packs.put([("ab" * 32, b"frame")])
    packs.close()
    conn = sqlite3.connect(tmp_path / "blobs" / "blobs.db")
    try:
        assert conn.execute("PRAGMA page_size").fetchone()[0] == 65536
        assert conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 2  # INCREMENTAL
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()
