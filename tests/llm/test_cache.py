"""The exact-match cache: what goes into the key, what is stored, SQLite and a real Redis."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.redis_support import redis_server

from altlas.llm import ChatRequest
from altlas.llm.calllog import read_calls
from altlas.llm.request import SAMPLING


def _ask(text: str = "hello", **params: object) -> ChatRequest:
    return ChatRequest([{"role": "user", "content": text}], params=dict(params))


def test_a_deterministic_request_is_answered_from_the_cache(
    servers, make_pool, altlas_home
) -> None:
    good = servers("good")
    pool = make_pool([good.backend()])
    first = pool.chat_sync(_ask(temperature=0))
    second = pool.chat_sync(_ask(temperature=0))
    assert len(good.seen) == 1
    assert (first.cached, second.cached) == (False, True)
    assert second.text == first.text
    assert second.cost_usd == 0
    assert [c["cache_hit"] for c in read_calls(altlas_home)] == [True, False]
    assert (altlas_home / "llm_cache.db").is_file()


def test_a_seed_makes_a_request_deterministic(servers, make_pool) -> None:
    good = servers("good")
    pool = make_pool([good.backend()])
    pool.chat_sync(_ask(temperature=0.8, seed=7))
    assert pool.chat_sync(_ask(temperature=0.8, seed=7)).cached
    assert len(good.seen) == 1


@pytest.mark.parametrize("params", [{}, {"temperature": 0.7}])
def test_a_sampled_request_is_never_stored(servers, make_pool, params) -> None:
    good = servers("good")
    pool = make_pool([good.backend()])
    pool.chat_sync(_ask(**params))
    assert not pool.chat_sync(_ask(**params)).cached
    assert len(good.seen) == 2


@pytest.mark.parametrize(
    "change",
    [
        {"max_tokens": 5},
        {"top_p": 0.5},
        {"stop": ["\n"]},
        {"response_format": {"type": "json_object"}},
        {"tools": [{"type": "function", "function": {"name": "f"}}]},
        {"tool_choice": "none"},
        {"seed": 1},
        {"presence_penalty": 0.1},
    ],
)
def test_every_parameter_is_in_the_key(servers, make_pool, change) -> None:
    """A cache key that left one out would serve an answer to another question."""
    good = servers("good")
    pool = make_pool([good.backend()])
    pool.chat_sync(_ask(temperature=0))
    assert not pool.chat_sync(_ask(temperature=0, **change)).cached
    assert len(good.seen) == 2


def test_the_model_is_in_the_key(servers, make_pool) -> None:
    a, b = servers("a"), servers("b")
    pool = make_pool([a.backend(), b.backend()])
    pool.chat_sync(ChatRequest([{"role": "user", "content": "x"}], params={"temperature": 0}))
    pinned = ChatRequest([{"role": "user", "content": "x"}], params={"temperature": 0}, backend="b")
    assert not pool.chat_sync(pinned).cached


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(SAMPLING),
    st.one_of(st.integers(0, 5), st.floats(0, 1), st.text(max_size=5)),
    st.one_of(st.integers(0, 5), st.floats(0, 1), st.text(max_size=5)),
)
def test_keys_differ_whenever_a_parameter_differs(name: str, one: object, two: object) -> None:
    first = _ask(**{name: one}).cache_key("m")
    second = _ask(**{name: two}).cache_key("m")
    assert (first == second) == (one == two and type(one) is type(two))


def test_cache_off_in_config_and_per_request(servers, make_pool) -> None:
    good = servers("good")
    off = make_pool([good.backend()], cache=False)
    off.chat_sync(_ask(temperature=0))
    assert not off.chat_sync(_ask(temperature=0)).cached
    pool = make_pool([good.backend()])
    no_cache = ChatRequest([{"role": "user", "content": "q"}], params={"temperature": 0})
    no_cache.cache = False
    pool.chat_sync(no_cache)
    assert not pool.chat_sync(no_cache).cached
    assert len(good.seen) == 4


@pytest.fixture
def redis_url(tmp_path) -> Iterator[str]:
    pytest.importorskip("redis")
    with redis_server(tmp_path) as url:
        yield url


def test_redis_cache_behind_the_same_interface(servers, make_pool, redis_url) -> None:
    good = servers("good")
    one = make_pool([good.backend()], cache_backend="redis", cache_url=redis_url)
    one.chat_sync(_ask(temperature=0))
    # a second pool (another process, another server worker) shares the answers
    two = make_pool([good.backend()], cache_backend="redis", cache_url=redis_url)
    hit = two.chat_sync(_ask(temperature=0))
    assert hit.cached
    assert hit.text == "[good] echo: hello"
    assert len(good.seen) == 1


def test_schema_mode_json_object_rewrites_the_format_not_the_key(servers, make_pool) -> None:
    """llama-cpp-python's server knows only {"type": "json_object", "schema": ...}."""
    good = servers("good")
    pool = make_pool([good.backend(schema_mode="json_object")])
    schema = {"type": "object", "properties": {"a": {"type": "string"}}}
    wanted = {"type": "json_schema", "json_schema": {"name": "x", "schema": schema}}
    pool.chat_sync(_ask(temperature=0, response_format=wanted))
    assert good.seen[0]["body"]["response_format"] == {"type": "json_object", "schema": schema}
    assert pool.chat_sync(_ask(temperature=0, response_format=wanted)).cached


def test_a_locked_or_damaged_cache_is_one_line_naming_the_file(tmp_path) -> None:
    """get/put ran SQL unguarded: another process holding the file escaped as a bare
    sqlite3 error (a traceback in the CLI, a 500 without a cause)."""
    import sqlite3

    from altlas.errors import CorruptError, UnavailableError
    from altlas.llm.cache import SqliteCache

    path = tmp_path / "llm_cache.db"
    cache = SqliteCache(path)
    try:
        cache.put("k", {"v": 1})
        cache._conn.execute("PRAGMA busy_timeout = 50")  # not 30 s of waiting in a test
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            with pytest.raises(UnavailableError) as locked:
                cache.put("k2", {"v": 2})
        finally:
            holder.close()
        assert str(locked.value).startswith(str(path)) and "\n" not in str(locked.value)
        assert cache.get("k") == {"v": 1}
    finally:
        cache.close()
    junk = tmp_path / "damaged.db"
    junk.write_bytes(b"not a database" * 600)
    with pytest.raises(CorruptError) as damaged:
        SqliteCache(junk)
    assert str(damaged.value).startswith(str(junk))


def test_a_locked_cache_never_fails_a_paid_call(servers, make_pool) -> None:
    """The cache is written after the backend answered: a busy cache file must not turn a
    paid answer into an error, nor a read of it into a refused request."""
    import sqlite3

    good = servers("good")
    pool = make_pool([good.backend()])
    cache = pool.cache
    assert cache is not None
    cache._conn.execute("PRAGMA busy_timeout = 50")
    holder = sqlite3.connect(cache.path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        answer = pool.chat_sync(_ask(temperature=0))
    finally:
        holder.close()
    assert answer.text and not answer.cached
    assert len(good.seen) == 1
