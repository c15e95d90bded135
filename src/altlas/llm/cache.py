"""The exact-match response cache: SQLite under ALTLAS_HOME by default, Redis when asked.

Both keep the completion as JSON under the request's SHA-256 key
(:meth:`altlas.llm.request.ChatRequest.cache_key`); only deterministic requests reach them.
"""

from __future__ import annotations

import threading
import time
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import orjson
from sqlite_utils.migrations import Migrations

if TYPE_CHECKING:
    from altlas.llm.config import LlmSettings

__all__ = ["CACHE_MIGRATIONS", "CACHE_NAME", "Cache", "RedisCache", "SqliteCache", "open_cache"]

CACHE_NAME = "llm_cache.db"


class Cache(Protocol):
    def get(self, key: str) -> dict[str, Any] | None: ...

    def put(self, key: str, value: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


CACHE_MIGRATIONS = Migrations("altlas.llm_cache")
_WHAT = "the llm cache"


@CACHE_MIGRATIONS(name="m001_llm_cache")
def _m001_llm_cache(db: Any) -> None:
    # IF NOT EXISTS: files made before the migration set existed hold this very table and
    # are adopted by recording the step (tests/storage/test_upgrades.py).
    db.execute(
        "CREATE TABLE IF NOT EXISTS llm_cache (key TEXT PRIMARY KEY, value BLOB NOT NULL, "
        "created_at REAL NOT NULL, hits INTEGER NOT NULL DEFAULT 0)"
    )


class SqliteCache:
    """One table, one row per key; safe across threads (one connection, one lock)."""

    def __init__(self, path: Path) -> None:
        from altlas.config import ensure_home
        from altlas.storage.migrations import apply
        from altlas.storage.sqlite import connect, guard

        ensure_home(path.parent)
        self.path = path
        self._lock = threading.Lock()
        self._conn = connect(path, what=_WHAT)
        try:
            with guard(path, what=_WHAT, doing="set up"):
                apply(self._conn, CACHE_MIGRATIONS)
        except BaseException:
            self._conn.close()
            raise

    def _guard(self, doing: str) -> AbstractContextManager[None]:
        from altlas.storage.sqlite import guard

        return guard(self.path, what=_WHAT, doing=doing)

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock, self._guard("read"):
            row = self._conn.execute("SELECT value FROM llm_cache WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        value = orjson.loads(row[0])
        return value if isinstance(value, dict) else None

    def put(self, key: str, value: dict[str, Any]) -> None:
        with self._lock, self._guard("write"):
            self._conn.execute(
                "INSERT OR REPLACE INTO llm_cache (key, value, created_at) VALUES (?, ?, ?)",
                (key, orjson.dumps(value), time.time()),
            )
            self._conn.commit()

    def clear(self) -> int:
        with self._lock, self._guard("write"):
            count = self._conn.execute("DELETE FROM llm_cache").rowcount
            self._conn.commit()
        return int(count)

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class RedisCache:
    """The same interface on a Redis server, shared by every process that points at it."""

    def __init__(self, url: str, *, prefix: str = "altlas:llm:") -> None:
        try:
            import redis
        except ImportError:
            from altlas.errors import MissingExtraError

            raise MissingExtraError("redis", "redis") from None
        self.prefix = prefix
        self._client = redis.Redis.from_url(url, socket_timeout=5.0)

    def get(self, key: str) -> dict[str, Any] | None:
        raw = self._client.get(self.prefix + key)
        if raw is None:
            return None
        value = orjson.loads(raw)  # type: ignore[arg-type]
        return value if isinstance(value, dict) else None

    def put(self, key: str, value: dict[str, Any]) -> None:
        self._client.set(self.prefix + key, orjson.dumps(value))

    def close(self) -> None:
        self._client.close()  # type: ignore[no-untyped-call]


def open_cache(settings: LlmSettings, home: Path) -> Cache | None:
    """The configured cache, or None when ``[llm] cache = false``."""
    if not settings.cache:
        return None
    if settings.cache_backend == "redis":
        from altlas.config import resolve_secret
        from altlas.errors import ConfigError

        url = settings.cache_url
        if url and url.partition(":")[0] in ("env", "file"):
            url = resolve_secret(url, what="[llm] cache_url")
        if not url:
            raise ConfigError("[llm] cache_backend = 'redis' needs [llm] cache_url (redis://...)")
        return RedisCache(url)
    return SqliteCache(home / CACHE_NAME)
