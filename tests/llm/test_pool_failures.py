"""Fallback, retries, breakers and cooldowns through real HTTP servers on loopback."""

from __future__ import annotations

import socket

import pytest

from altlas.llm import CallContext, ChatRequest, LlmError
from altlas.llm.calllog import read_calls


def _ask(text: str = "hello", **params: object) -> ChatRequest:
    return ChatRequest([{"role": "user", "content": text}], params=dict(params))


def test_500_falls_back_to_the_next_backend(servers, make_pool, altlas_home) -> None:
    """A 5xx is retried on its backend (retries=1: two requests), then the next one answers."""
    bad, good = servers("bad", "fail"), servers("good")
    pool = make_pool([bad.backend(), good.backend()], retries=1)
    answer = pool.chat_sync(_ask())
    assert answer.text == "[good] echo: hello"
    assert answer.backend == "good"
    assert len(bad.seen) == 2
    assert [a["backend"] for a in answer.fallbacks] == ["bad", "bad"]
    assert answer.fallbacks[0]["status"] == 500
    logged = read_calls(altlas_home)[0]
    assert logged["backend"] == "good"
    assert logged["status"] == "ok"
    assert [f["backend"] for f in logged["fallbacks"]] == ["bad", "bad"]


def test_a_request_error_is_not_sent_to_the_next_backend(servers, make_pool) -> None:
    """400 means the request is wrong: no retry, no fallback, one clear error."""
    bad, good = servers("bad", "fail", status=400), servers("good")
    pool = make_pool([bad.backend(), good.backend()], retries=2)
    with pytest.raises(LlmError) as caught:
        pool.chat_sync(_ask())
    assert caught.value.kind == "refused"
    assert caught.value.status == 400
    assert "no other backend was tried" in caught.value.message
    assert len(bad.seen) == 1
    assert good.seen == []


@pytest.mark.parametrize("status", [401, 403, 404, 429, 503])
def test_backend_specific_statuses_fall_back(servers, make_pool, status) -> None:
    """A key, a model or a rate limit of one backend: the next one is asked."""
    bad, good = servers("bad", "fail", status=status), servers("good")
    pool = make_pool([bad.backend(), good.backend()], retries=1)
    assert pool.chat_sync(_ask()).backend == "good"
    retried = status in (429, 503)
    assert len(bad.seen) == (2 if retried else 1)


def test_timeout_and_connection_errors_fall_back(servers, make_pool) -> None:
    slow, good = servers("slow", "slow", delay=1.0), servers("good")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    dead = {"name": "dead", "base_url": f"http://127.0.0.1:{port}/v1", "model": "m"}
    pool = make_pool([dead, slow.backend(timeout=0.2), good.backend()], retries=0)
    answer = pool.chat_sync(_ask())
    assert answer.backend == "good"
    errors = [a["error"] for a in answer.fallbacks]
    assert errors[0].startswith("request failed: ConnectError")
    assert errors[1] == "timeout after 0.2 s"


def test_retry_on_the_same_backend_before_any_fallback(servers, make_pool) -> None:
    flaky, good = servers("flaky"), servers("good")
    flaky.fail_first = 1
    pool = make_pool([flaky.backend(), good.backend()], retries=1)
    answer = pool.chat_sync(_ask())
    assert answer.backend == "flaky"
    assert len(answer.fallbacks) == 1
    assert good.seen == []


def test_a_fallback_does_not_restart_the_retry_cycle(servers, make_pool) -> None:
    """Each backend gets its own retries once per call; none is asked again after falling back."""
    a, b = servers("a", "fail"), servers("b", "fail")
    pool = make_pool([a.backend(), b.backend()], retries=2, breaker_failures=10)
    with pytest.raises(LlmError) as caught:
        pool.chat_sync(_ask())
    assert caught.value.kind == "unavailable"
    assert (len(a.seen), len(b.seen)) == (3, 3)
    assert "a: HTTP 500" in caught.value.message or "b: HTTP 500" in caught.value.message


def test_the_breaker_cooldown_also_applies_during_fallback(servers, make_pool, clock) -> None:
    """An open breaker skips its backend without a request, until the cooldown has passed."""
    bad, good = servers("bad", "fail"), servers("good")
    pool = make_pool(
        [bad.backend(), good.backend()],
        clock=clock,
        retries=1,
        breaker_failures=2,
        cooldown_seconds=30,
        cache=False,
    )
    pool.chat_sync(_ask())
    assert len(bad.seen) == 2
    second = pool.chat_sync(_ask())
    assert len(bad.seen) == 2  # cooling down: not asked at all
    assert second.fallbacks == [
        {"backend": "bad", "skipped": "cooldown", "error": second.fallbacks[0]["error"]}
    ]
    assert "circuit open for llm:bad" in second.fallbacks[0]["error"]
    assert {s["name"]: s["breaker"] for s in pool.status()} == {"bad": "open", "good": "closed"}
    clock.now += 31
    pool.chat_sync(_ask())
    assert len(bad.seen) == 3  # one half-open trial, which fails and re-opens
    assert pool.status()[0]["breaker"] == "open"
    bad.mode = "ok"
    clock.now += 31
    assert pool.chat_sync(_ask()).backend == "bad"
    assert pool.status()[0]["breaker"] == "closed"


def test_every_backend_down_is_one_error_that_names_them(servers, make_pool, altlas_home) -> None:
    a = servers("a", "fail", status=502)
    pool = make_pool([a.backend()], retries=0)
    with pytest.raises(LlmError, match=r"no LLM backend answered \(a: HTTP 502"):
        pool.chat_sync(_ask(), CallContext("test", run_id="run_1"))
    logged = read_calls(altlas_home)[0]
    assert (logged["status"], logged["run_id"], logged["caller"]) == (
        "unavailable",
        "run_1",
        "test",
    )


def test_max_concurrency_per_backend(servers, make_pool) -> None:
    import asyncio

    slow = servers("slow", "slow", delay=0.15)
    pool = make_pool([slow.backend(max_concurrency=2)], cache=False)

    async def many() -> list[str]:
        async with pool.connected():
            answers = await asyncio.gather(*(pool.chat(_ask(f"q{i}")) for i in range(6)))
        return [a.text for a in answers]

    texts = asyncio.run(many())
    assert len(texts) == 6
    assert slow.max_active == 2


def test_nothing_configured_names_the_setting(make_pool) -> None:
    pool = make_pool([])
    with pytest.raises(LlmError, match=r"set \[llm\] base_url and model") as caught:
        pool.chat_sync(_ask())
    assert caught.value.kind == "not_configured"


def test_pinning_a_backend_or_a_model(servers, make_pool) -> None:
    a, b = servers("a"), servers("b")
    pool = make_pool([a.backend(), b.backend()])
    pinned = ChatRequest([{"role": "user", "content": "x"}], backend="b")
    assert pool.chat_sync(pinned).backend == "b"
    by_model = ChatRequest([{"role": "user", "content": "x"}], model=b.model)
    assert pool.chat_sync(by_model).backend == "b"
    with pytest.raises(LlmError, match="no LLM backend named 'c'"):
        pool.chat_sync(ChatRequest([{"role": "user", "content": "x"}], backend="c"))
