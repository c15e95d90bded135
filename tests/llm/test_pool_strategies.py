"""The four strategies and the budgets, through real HTTP servers on loopback."""

from __future__ import annotations

from collections import Counter

import pytest

from altlas.llm import CallContext, ChatRequest, LlmError


def _ask(text: str = "hello", **params: object) -> ChatRequest:
    return ChatRequest([{"role": "user", "content": text}], params=dict(params))


def test_fallback_keeps_the_configured_order(servers, make_pool) -> None:
    a, b = servers("a"), servers("b")
    pool = make_pool([a.backend(), b.backend()], cache=False)
    assert {pool.chat_sync(_ask()).backend for _ in range(4)} == {"a"}


def test_round_robin_is_weighted_and_smooth(servers, make_pool) -> None:
    a, b, spare = servers("a"), servers("b"), servers("spare")
    pool = make_pool(
        [a.backend(weight=3), b.backend(weight=1), spare.backend(weight=0)],
        strategy="round-robin",
        cache=False,
    )
    picks = [pool.chat_sync(_ask()).backend for _ in range(8)]
    assert Counter(picks) == {"a": 6, "b": 2}
    assert "b" in picks[:4] and "b" in picks[4:]  # smooth: b is not bunched at one end
    assert spare.seen == []


def test_round_robin_falls_back_to_the_others(servers, make_pool) -> None:
    a, b = servers("a", "fail"), servers("b")
    pool = make_pool(
        [a.backend(weight=1), b.backend(weight=1)],
        strategy="round-robin",
        retries=0,
        breaker_failures=100,
        cache=False,
    )
    assert {pool.chat_sync(_ask()).backend for _ in range(4)} == {"b"}


def test_least_latency_prefers_the_fast_backend(servers, make_pool) -> None:
    slow, fast = servers("slow", "slow", delay=0.12), servers("fast")
    pool = make_pool([slow.backend(), fast.backend()], strategy="least-latency", cache=False)
    picks = [pool.chat_sync(_ask()).backend for _ in range(6)]
    assert picks[:2] == ["slow", "fast"]  # each untried backend is measured once
    assert picks[2:] == ["fast"] * 4
    ewma = {s["name"]: s["ewma_ms"] for s in pool.status()}
    assert ewma["slow"] > ewma["fast"]


def test_least_latency_sinks_a_failing_backend(servers, make_pool) -> None:
    bad, good = servers("bad", "fail"), servers("good")
    pool = make_pool(
        [bad.backend(timeout=5), good.backend()],
        strategy="least-latency",
        retries=0,
        breaker_failures=100,
        cache=False,
    )
    for _ in range(4):
        pool.chat_sync(_ask())
    assert len(bad.seen) == 1


def test_cheapest_picks_the_lowest_expected_cost(servers, make_pool) -> None:
    dear, cheap = servers("dear"), servers("cheap")
    pool = make_pool(
        [
            dear.backend(cost_per_1k_input=1.0, cost_per_1k_output=2.0),
            cheap.backend(cost_per_1k_input=0.1, cost_per_1k_output=0.2),
        ],
        strategy="cheapest",
        cache=False,
    )
    answer = pool.chat_sync(_ask(max_tokens=50))
    assert answer.backend == "cheap"
    assert answer.cost_usd == pytest.approx(
        (answer.prompt_tokens * 0.1 + answer.completion_tokens * 0.2) / 1000
    )


def test_cheapest_under_budget_skips_a_backend_whose_budget_is_spent(servers, make_pool) -> None:
    dear, cheap = servers("dear"), servers("cheap")
    pool = make_pool(
        [
            dear.backend(cost_per_1k_output=2.0),
            cheap.backend(cost_per_1k_output=0.5, budget_usd=0.01),
        ],
        strategy="cheapest",
        cache=False,
    )
    # max_tokens=10 reserves 0.005 on cheap: the first call fits, the rest go to dear
    picks = [pool.chat_sync(_ask(max_tokens=10)).backend for _ in range(4)]
    assert picks[0] == "cheap"
    assert "dear" in picks
    spent = pool.ledger.spent[("backend", "cheap")]
    assert spent <= 0.01


def test_a_call_over_the_run_budget_fails_before_any_request(servers, make_pool) -> None:
    paid = servers("paid")
    pool = make_pool([paid.backend(cost_per_1k_output=1.0)], budget_usd_per_run=0.001, cache=False)
    with pytest.raises(LlmError) as caught:
        pool.chat_sync(_ask(max_tokens=100), CallContext(run_id="run_9"))
    assert caught.value.kind == "budget"
    assert "run budget of run_9" in caught.value.message
    assert paid.seen == []


def test_budgets_settle_from_usage_until_spent(servers, make_pool) -> None:
    """Reserved up to max_tokens, charged what usage says: calls go on until the limit."""
    paid = servers("paid")
    pool = make_pool(
        [paid.backend(cost_per_1k_input=1.0, cost_per_1k_output=1.0)],
        budget_usd_per_run=0.2,
        cache=False,
    )
    ctx = CallContext(run_id="r")
    reserved = (len("x" * 40) // 4 + 4 + 1 + 20) / 1000  # what one call holds before it is sent
    answered = 0
    with pytest.raises(LlmError, match="run budget"):
        for _ in range(50):
            pool.chat_sync(_ask("x" * 40, max_tokens=20), ctx)
            answered += 1
    # settling from usage (cheaper than the reservation) let more calls through
    assert answered == len(paid.seen) > int(0.2 / reserved)
    spent = pool.ledger.spent[("run", "r")]
    assert 0.2 - reserved < spent <= 0.2
    assert pool.ledger.held[("run", "r")] == 0
    # another run has its own budget
    assert pool.chat_sync(_ask(max_tokens=20), CallContext(run_id="other")).text


def test_per_key_budgets_are_separate(servers, make_pool) -> None:
    paid = servers("paid")
    pool = make_pool([paid.backend(cost_per_1k_output=1.0)], budget_usd_per_key=0.03, cache=False)
    pool.chat_sync(_ask(max_tokens=20), CallContext(key_id="k1"))
    with pytest.raises(LlmError, match="key budget of k1"):
        for _ in range(10):
            pool.chat_sync(_ask(max_tokens=20), CallContext(key_id="k1"))
    assert pool.chat_sync(_ask(max_tokens=20), CallContext(key_id="k2")).backend == "paid"


def test_concurrent_calls_cannot_overrun_a_budget(servers, make_pool) -> None:
    """Reservations are taken before the requests: 20 calls at once, only what fits is sent."""
    import asyncio

    paid = servers("paid", "slow", delay=0.05)
    pool = make_pool(
        [paid.backend(cost_per_1k_output=1.0, max_concurrency=8)],
        budget_usd_per_run=0.1,
        cache=False,
    )

    async def many() -> list[object]:
        async with pool.connected():
            calls = (pool.chat(_ask(max_tokens=20), CallContext(run_id="r")) for _ in range(20))
            return await asyncio.gather(*calls, return_exceptions=True)

    results = asyncio.run(many())
    answered = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, LlmError)]
    assert len(answered) == 5  # 0.1 / 0.02 reserved per call
    assert len(refused) == 15 and {r.kind for r in refused} == {"budget"}
    assert len(paid.seen) == 5
    assert pool.ledger.spent[("run", "r")] <= 0.1
