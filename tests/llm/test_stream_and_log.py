"""Streaming (no fallback after the first token) and the call log (no secrets, no prompts)."""

from __future__ import annotations

import asyncio

import pytest

from altlas.config import Settings
from altlas.errors import ConfigError
from altlas.llm import ChatRequest, LlmError
from altlas.llm.calllog import read_calls
from altlas.llm.config import LlmSettings


def _ask(text: str = "one two three four", **params: object) -> ChatRequest:
    return ChatRequest([{"role": "user", "content": text}], params=dict(params))


def _collect(pool, request) -> tuple[list[str], object]:
    async def go() -> tuple[list[str], object]:
        stream = pool.stream(request)
        chunks = [chunk async for chunk in stream]
        return chunks, stream.response

    return asyncio.run(go())


def test_a_stream_arrives_in_chunks_and_ends_cleanly(servers, make_pool, altlas_home) -> None:
    good = servers("good")
    pool = make_pool([good.backend()])
    chunks, response = _collect(pool, _ask())
    assert len(chunks) > 3
    assert "".join(chunks) == "[good] echo: one two three four"
    assert response.finish_reason == "stop"
    assert good.seen[0]["body"]["stream"] is True
    assert read_calls(altlas_home)[0]["stream"] is True


def test_a_cut_off_stream_is_an_error_and_never_falls_back(servers, make_pool, altlas_home) -> None:
    cut, good = servers("cut", "cutoff"), servers("good")
    pool = make_pool([cut.backend(), good.backend()], retries=2)
    received: list[str] = []

    async def go() -> None:
        async for chunk in pool.stream(_ask()):
            received.append(chunk)

    with pytest.raises(LlmError) as caught:
        asyncio.run(go())
    assert caught.value.kind == "stream_cut"
    assert "cut off after 2 chunk(s)" in caught.value.message
    assert len(received) == 2
    assert good.seen == []
    assert len(cut.seen) == 1  # nothing retried either: part of an answer was shown
    assert read_calls(altlas_home)[0]["status"] == "stream_cut"


def test_a_stream_falls_back_before_its_first_token(servers, make_pool) -> None:
    bad, good = servers("bad", "fail", status=503), servers("good")
    pool = make_pool([bad.backend(), good.backend()], retries=1)
    chunks, response = _collect(pool, _ask())
    assert "".join(chunks).startswith("[good]")
    assert [f["backend"] for f in response.fallbacks] == ["bad", "bad"]


def test_a_deterministic_stream_is_cached(servers, make_pool) -> None:
    good = servers("good")
    pool = make_pool([good.backend()])
    first, _ = _collect(pool, _ask(temperature=0))
    again, response = _collect(pool, _ask(temperature=0))
    assert "".join(again) == "".join(first)
    assert response.cached
    assert len(good.seen) == 1


def test_the_log_keeps_no_key_and_no_prompt(servers, make_pool, altlas_home, monkeypatch) -> None:
    monkeypatch.setenv("LOCAL_LLM_KEY", "sk-very-secret-42")
    good = servers("good")
    pool = make_pool([good.backend(api_key="env:LOCAL_LLM_KEY")])
    pool.chat_sync(_ask("my private question"))
    assert good.seen[0]["headers"]["Authorization"] == "Bearer sk-very-secret-42"
    pool.close()
    raw = (altlas_home / "runs.db").read_bytes()
    assert b"sk-very-secret-42" not in raw
    assert b"my private question" not in raw
    row = read_calls(altlas_home)[0]
    assert row["prompt"] is None and row["response"] is None
    assert row["model"] == good.model
    assert row["total_tokens"] == row["prompt_tokens"] + row["completion_tokens"] > 0
    assert row["latency_ms"] > 0


def test_log_prompts_keeps_them_when_asked(servers, make_pool, altlas_home) -> None:
    good = servers("good")
    pool = make_pool([good.backend()], log_prompts=True)
    pool.chat_sync(_ask("keep me"))
    row = read_calls(altlas_home)[0]
    assert row["prompt"] == "keep me"
    assert row["response"] == "[good] echo: keep me"


def test_the_log_lives_beside_the_runs(servers, make_pool, altlas_home) -> None:
    """The journal opens the same file and keeps working with the new table in it."""
    from altlas.run.journal import Journal

    good = servers("good")
    make_pool([good.backend()]).chat_sync(_ask())
    with Journal.open(altlas_home) as journal:
        assert journal.list_runs() == []
    assert len(read_calls(altlas_home)) == 1


def test_the_single_form_is_a_pool_of_one(altlas_home) -> None:
    settings = Settings(
        altlas_home,
        {"llm": {"base_url": "http://127.0.0.1:9/v1", "model": "m", "api_key": "env:K"}},
    )
    pool = settings.section("llm", LlmSettings).pool()
    assert [(b.name, b.model, b.api_key) for b in pool] == [("default", "m", "env:K")]


@pytest.mark.parametrize(
    ("section", "message"),
    [
        (
            {"backends": [{"name": "a", "base_url": "http://x", "model": "m", "api_key": "sk-1"}]},
            "backends.0.api_key: Value error, must be a secret reference",
        ),
        ({"strategy": "random"}, "strategy: Input should be"),
        (
            {
                "backends": [
                    {"name": "a", "base_url": "http://x", "model": "m"},
                    {"name": "a", "base_url": "http://y", "model": "m"},
                ]
            },
            "backend name 'a' is used twice",
        ),
    ],
)
def test_bad_config_is_one_line_naming_the_field(altlas_home, section, message) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings(altlas_home, {"llm": section}).section("llm", LlmSettings)
    assert message in caught.value.message
    assert "sk-1" not in caught.value.message


def test_config_show_masks_a_literal_backend_key(altlas_home) -> None:
    from altlas.cli.config import config_rows

    section = {"backends": [{"name": "a", "base_url": "http://x", "model": "m",
                             "api_key": "literal:sk-abc-123"}]}  # fmt: skip
    rows = config_rows(Settings(altlas_home, {"llm": section}))
    shown = repr([r for r in rows if r["section"] == "llm"])
    assert "literal:***" in shown
    assert "sk-abc-123" not in shown
