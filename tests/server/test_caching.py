"""ETag and Last-Modified on resource GETs, 304 answers, and the event-driven search cache."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

from altlas.events.bus import EventBus
from altlas.server.caching import SearchCache, etag_of


def _settled_keys(client, headers) -> str:
    """The ETag of /v1/keys once it stops changing under the caller's own feet.

    The first use of a key records its ``last_used_at`` in a background thread (once a
    minute), which changes this listing once; revalidation is tested after that write.
    """
    etag = client.get("/v1/keys", headers=headers).headers["etag"]
    for _ in range(100):
        time.sleep(0.02)
        again = client.get("/v1/keys", headers=headers).headers["etag"]
        if again == etag:
            return etag
        etag = again
    raise AssertionError("the /v1/keys listing kept changing")


def test_every_resource_get_has_etag_and_last_modified(client, auth) -> None:
    for path in ("/v1/keys", "/v1/runs", "/v1/analytics", "/v1/auth/me", "/health"):
        role = "admin"
        response = client.get(path, headers=auth[role])
        assert response.status_code == 200, path
        assert response.headers["etag"].startswith('"'), path
        parsedate_to_datetime(response.headers["last-modified"])
        assert response.headers["cache-control"] == "private, no-cache", path


def test_etag_is_the_hash_of_the_body(client, auth) -> None:
    response = client.get("/v1/keys", headers=auth["admin"])
    assert response.headers["etag"] == etag_of(response.content)


def test_if_none_match_gives_304_without_a_body(client, auth) -> None:
    etag = _settled_keys(client, auth["admin"])
    again = client.get("/v1/keys", headers={**auth["admin"], "If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert "content-type" not in again.headers
    listed = client.get(
        "/v1/keys", headers={**auth["admin"], "If-None-Match": f'"other", W/{etag}'}
    )
    assert listed.status_code == 304
    star = client.get("/v1/keys", headers={**auth["admin"], "If-None-Match": "*"})
    assert star.status_code == 304


def test_a_changed_resource_is_sent_again(client, auth) -> None:
    etag = client.get("/v1/keys", headers=auth["admin"]).headers["etag"]
    client.post("/v1/keys", json={"name": "new", "role": "viewer"}, headers=auth["admin"])
    changed = client.get("/v1/keys", headers={**auth["admin"], "If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag


def test_if_modified_since(client, auth) -> None:
    _settled_keys(client, auth["admin"])
    first = client.get("/v1/keys", headers=auth["admin"])
    modified = parsedate_to_datetime(first.headers["last-modified"])
    later = format_datetime(modified + timedelta(seconds=5), usegmt=True)
    earlier = format_datetime(modified - timedelta(days=1), usegmt=True)
    assert (
        client.get("/v1/keys", headers={**auth["admin"], "If-Modified-Since": later}).status_code
        == 304
    )
    assert (
        client.get("/v1/keys", headers={**auth["admin"], "If-Modified-Since": earlier}).status_code
        == 200
    )
    # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2).
    assert (
        client.get(
            "/v1/keys",
            headers={**auth["admin"], "If-Modified-Since": later, "If-None-Match": '"stale"'},
        ).status_code
        == 200
    )
    assert (
        client.get(
            "/v1/keys", headers={**auth["admin"], "If-Modified-Since": "not a date"}
        ).status_code
        == 200
    )


def test_get_without_handler_etag_is_hashed_by_the_middleware(client) -> None:
    first = client.get("/ready")
    assert first.headers["etag"] == etag_of(first.content)
    assert client.get("/ready", headers={"If-None-Match": first.headers["etag"]}).status_code == 304


def test_errors_and_writes_carry_no_etag(client, auth) -> None:
    assert "etag" not in client.get("/v1/keys").headers
    created = client.post("/v1/keys", json={"name": "n", "role": "viewer"}, headers=auth["admin"])
    assert "etag" not in created.headers
    assert created.headers["cache-control"] == "no-store"


def test_search_cache_generation_moves_on_archive_events() -> None:
    cache = SearchCache()
    bus = EventBus()
    bus.subscribe(cache.on_event, types=["archive."])
    before = cache.generation
    bus.publish("archive.added", {"id": "r1"})
    bus.publish("run.finished", {})
    assert cache.generation == before + 1
    assert cache.invalidations == 1


def test_http_date_round_trip() -> None:
    from altlas.server.caching import http_date

    when = datetime(2025, 5, 20, 12, 30, 15, 999, tzinfo=UTC)
    assert parsedate_to_datetime(http_date(when)) == when.replace(microsecond=0)


def test_loop_memory_store_keeps_the_store_semantics() -> None:
    import asyncio

    from altlas.server.caching import LoopMemoryStore

    async def scenario() -> None:
        store = LoopMemoryStore()
        await store.set("a", "text", expires_in=1)
        await store.set("b", b"bytes")
        assert await store.get("a") == b"text" and await store.get("b") == b"bytes"
        assert await store.get("missing") is None
        await store.delete("b")
        assert await store.get("b") is None
        time.sleep(1.1)
        assert await store.get("a") is None  # expired entries are not served
        await store.set("c", b"1", expires_in=1)
        await store.set("d", b"2")
        time.sleep(1.1)
        await store.delete_expired()
        assert await store.exists("d") and not await store.exists("c")
        await store.delete_all()
        assert not await store.exists("d")

    asyncio.run(scenario())


def test_search_answers_are_cached_per_query_and_dropped_on_archive_events(client, auth) -> None:
    ctx = client.app.state["ctx"]
    viewer = auth["viewer"]
    first = client.get("/v1/archive/search?q=alpha", headers=viewer)
    assert first.status_code == 200
    store = client.app.stores.get("response_cache")
    keys = set(store._store)
    assert len(keys) == 1
    assert client.get("/v1/archive/search?q=alpha", headers=viewer).json() == first.json()
    assert set(store._store) == keys  # a hit, not a second entry
    client.get("/v1/archive/search?q=beta", headers=viewer)
    assert len(store._store) == 2  # another query is another answer
    ctx.bus.publish("archive.added", {"id": "r1"})
    deadline = time.monotonic() + 5
    while store._store and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not store._store


def test_the_search_cache_holds_a_bounded_number_of_answers(client, auth) -> None:
    """Every distinct query string is an entry: without a bound, one caller spraying unique
    queries within the TTL grows the process without limit."""
    import asyncio

    from altlas.server.caching import LoopMemoryStore

    store = client.app.stores.get("response_cache")
    assert isinstance(store, LoopMemoryStore) and store.max_entries is not None

    async def flood() -> int:
        for n in range(store.max_entries + 50):
            await store.set(f"search:{n}", b"x", expires_in=60)
        return len(store._store)

    assert asyncio.run(flood()) <= store.max_entries
    rate_limit = client.app.stores.get("rate_limit")
    assert isinstance(rate_limit, LoopMemoryStore)
    assert rate_limit.max_entries is None  # dropping counters would lift the limits
