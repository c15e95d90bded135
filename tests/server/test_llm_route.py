"""``POST /v1/llm/chat`` and LLM work as queue jobs, against real OpenAI-compatible servers
on loopback (tests/llm/fakes.py): nothing in the pool or the server is replaced."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from tests.llm.fakes import OpenAIServer, serving

from altlas.config import load_settings
from altlas.llm import reset_pools
from altlas.server import create_app

from .conftest import error_of
from .test_limits import redis_url  # noqa: F401  (the fixture: a real redis-server)

HI = {"messages": [{"role": "user", "content": "hi"}]}


@pytest.fixture(autouse=True)
def _fresh_pools() -> Iterator[None]:
    yield
    reset_pools()


@pytest.fixture
def servers() -> Iterator[Callable[..., OpenAIServer]]:
    with serving() as start:
        yield start


def _toml(value: Any) -> str:
    return json.dumps(value)  # strings, numbers and booleans read the same in TOML


@pytest.fixture
def serve(altlas_home: Path) -> Iterator[Callable[..., TestClient[Any]]]:
    """``serve(backends, **llm)``: config.toml with that ``[llm]``, then a started app."""
    opened: list[TestClient[Any]] = []

    def make(
        backends: list[OpenAIServer],
        server: dict[str, Any] | None = None,
        **llm: Any,
    ) -> TestClient[Any]:
        lines = ["[llm]", "retries = 0", *(f"{k} = {_toml(v)}" for k, v in llm.items())]
        for backend in backends:
            lines.append("[[llm.backends]]")
            entry = backend.backend(**getattr(backend, "extra", {}))
            lines += [f"{k} = {_toml(v)}" for k, v in entry.items()]
        (altlas_home / "config.toml").write_text("\n".join(lines) + "\n")
        client = TestClient(
            create_app(load_settings(), **(server or {})), raise_server_exceptions=False
        )
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in reversed(opened):
        client.__exit__(None, None, None)


def _events(text: str) -> list[Any]:
    found: list[Any] = []
    for block in text.split("\n\n"):
        if block.startswith("data: "):
            data = block[len("data: ") :]
            found.append(data if data == "[DONE]" else json.loads(data))
    return found


# -- POST /v1/llm/chat --------------------------------------------------------------------


def test_plain_completion_in_openai_format(serve, servers, auth) -> None:
    good = servers("good")
    client = serve([good])
    for role in ("admin", "operator"):
        response = client.post("/v1/llm/chat", json=HI, headers=auth[role])
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["object"] == "chat.completion"
        assert body["choices"][0]["message"] == {"role": "assistant", "content": "[good] echo: hi"}
        assert body["choices"][0]["finish_reason"] == "stop"
        assert body["usage"]["total_tokens"] > 0
        assert body["model"] == "model-good" and body["altlas"]["backend"] == "good"
    assert len(good.seen) == 2
    # the upstream saw the request as sent, with the backend's own model and no secrets
    assert good.seen[0]["body"] == {"model": "model-good", **HI}


def test_sampling_parameters_pass_through_and_deterministic_answers_are_cached(
    serve, servers, auth
) -> None:
    good = servers("good")
    client = serve([good])
    asked = {**HI, "temperature": 0, "max_tokens": 20, "stop": ["\n"]}
    first = client.post("/v1/llm/chat", json=asked, headers=auth["operator"]).json()
    again = client.post("/v1/llm/chat", json=asked, headers=auth["operator"]).json()
    assert good.seen[0]["body"]["max_tokens"] == 20 and good.seen[0]["body"]["stop"] == ["\n"]
    assert len(good.seen) == 1, "the repeat came from the cache"
    assert (first["altlas"]["cached"], again["altlas"]["cached"]) == (False, True)
    assert again["choices"] == first["choices"]


def test_streamed_completion_is_openai_chunks_then_done(serve, servers, auth) -> None:
    good = servers("good")
    client = serve([good])
    response = client.post("/v1/llm/chat", json={**HI, "stream": True}, headers=auth["admin"])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    events = _events(response.text)
    assert events[-1] == "[DONE]"
    chunks = events[:-1]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert text == "[good] echo: hi"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert good.seen[0]["body"]["stream"] is True


def test_a_cut_off_stream_ends_with_an_error_event_not_done(serve, servers, auth) -> None:
    cut = servers("cut", "cutoff")
    spare = servers("spare")
    client = serve([cut, spare])
    response = client.post("/v1/llm/chat", json={**HI, "stream": True}, headers=auth["admin"])
    events = _events(response.text)
    assert "[DONE]" not in events
    assert events[-1]["error"]["type"] == "stream_cut", events[-1]
    assert "".join(e["choices"][0]["delta"].get("content", "") for e in events[:-1])
    assert spare.seen == [], "no fallback after the first token"


def test_over_the_key_budget_is_402_before_any_request(serve, servers, auth) -> None:
    priced = servers("priced")
    priced.extra = {"cost_per_1k_input": 0.0, "cost_per_1k_output": 1.0}  # type: ignore[attr-defined]
    client = serve([priced], budget_usd_per_key=0.012)
    # up to 100 output tokens may cost $0.10: refused without a request
    big = client.post("/v1/llm/chat", json={**HI, "max_tokens": 100}, headers=auth["admin"])
    assert big.status_code == 402, big.text
    assert "budget" in error_of(big)["message"]
    assert priced.seen == []
    small = {**HI, "max_tokens": 10}  # $0.01 reserved, about $0.004 spent
    assert client.post("/v1/llm/chat", json=small, headers=auth["admin"]).status_code == 200
    second = client.post("/v1/llm/chat", json=small, headers=auth["admin"])
    assert second.status_code == 402, second.text
    assert len(priced.seen) == 1
    # the budget is per key: another key still has all of its own
    assert client.post("/v1/llm/chat", json=small, headers=auth["operator"]).status_code == 200
    streamed = client.post("/v1/llm/chat", json={**small, "stream": True}, headers=auth["admin"])
    assert streamed.status_code == 402, "a stream over budget is refused before it starts"


def test_viewers_are_refused(serve, servers, auth) -> None:
    good = servers("good")
    client = serve([good])
    response = client.post("/v1/llm/chat", json=HI, headers=auth["viewer"])
    assert response.status_code == 403
    assert client.post("/v1/llm/chat", json=HI).status_code == 401
    assert good.seen == []


def test_no_pool_is_503_naming_the_setting(serve, auth) -> None:
    client = serve([])
    response = client.post("/v1/llm/chat", json=HI, headers=auth["admin"])
    assert response.status_code == 503
    assert "[llm]" in error_of(response)["message"]
    streamed = client.post("/v1/llm/chat", json={**HI, "stream": True}, headers=auth["admin"])
    assert streamed.status_code == 503


def test_upstream_refusal_is_400_and_outage_503(serve, servers, auth) -> None:
    refusing = servers("refusing", "fail", status=400)
    client = serve([refusing])
    response = client.post("/v1/llm/chat", json=HI, headers=auth["admin"])
    assert response.status_code == 400 and "refused" in error_of(response)["message"]
    reset_pools()
    down = servers("down", "fail", status=500)
    client = serve([down])
    response = client.post("/v1/llm/chat", json=HI, headers=auth["admin"])
    assert response.status_code == 503 and "down" in error_of(response)["message"]


def test_rate_limited_per_key_in_the_llm_group(serve, servers, auth) -> None:
    good = servers("good")
    # an hour window: a clock-aligned minute edge could split the burst
    client = serve([good], server={"rate_limits": {"llm": "2/hour"}})
    codes = [
        client.post("/v1/llm/chat", json=HI, headers=auth["admin"]).status_code for _ in range(3)
    ]
    assert codes == [200, 200, 429]
    assert client.post("/v1/llm/chat", json=HI, headers=auth["operator"]).status_code == 200
    assert len(good.seen) == 3


@pytest.mark.parametrize(
    "body",
    [
        {"messages": []},
        {"messages": [{"role": "wizard", "content": "hi"}]},
        {**HI, "api_key": "sk-smuggled"},
        {**HI, "base_url": "http://169.254.169.254/v1"},
        {**HI, "temperature": 9},
        {**HI, "stream": True, "n": 2},
    ],
)
def test_malformed_requests_never_reach_a_backend(serve, servers, auth, body) -> None:
    good = servers("good")
    client = serve([good])
    response = client.post("/v1/llm/chat", json=body, headers=auth["admin"])
    assert response.status_code in (400, 422), response.text
    error_of(response)
    assert good.seen == []


def test_the_callers_credentials_never_reach_the_backend(serve, servers, auth, keys) -> None:
    good = servers("good")
    client = serve([good])
    for stream in (False, True):
        body = {**HI, "stream": stream}
        assert client.post("/v1/llm/chat", json=body, headers=auth["admin"]).status_code == 200
    assert len(good.seen) == 2
    for seen in good.seen:
        sent = json.dumps(seen["headers"]) + json.dumps(seen["body"])
        assert keys["admin"] not in sent and "X-API-Key".lower() not in sent.lower()


# -- LLM work as queue jobs ---------------------------------------------------------------


def _wait(client: TestClient[Any], url: str, headers: dict[str, str]) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    body: dict[str, Any] = client.get(url, headers=headers).json()
    while body["state"] not in ("done", "failed", "cancelled") and time.monotonic() < deadline:
        time.sleep(0.05)
        body = client.get(url, headers=headers).json()
    return body


def test_a_run_with_an_llm_task_is_a_job_answered_later(serve, servers, auth) -> None:
    slow = servers("slow", "slow", delay=1.0)
    client = serve([slow])
    plan = {
        "format": "altlas.alt",
        "id": "plan_llm",
        "tasks": [{"id": "ask", "type": "llm", "parameters": {"prompt": "summarise"}}],
    }
    submitted = client.post("/v1/runs", json={"plan": plan}, headers=auth["operator"])
    assert submitted.status_code == 202
    # the model takes a second: an answer that waited for it would say done
    assert submitted.json()["state"] in ("queued", "running")
    run = _wait(client, submitted.headers["location"], auth["operator"])
    assert run["state"] == "done" and run["status"] == "success", run
    result = client.get(f"{submitted.headers['location']}/result", headers=auth["operator"])
    assert "[slow] echo: summarise" in result.text
    assert len(slow.seen) == 1


def test_do_with_llm_work_answers_202_then_the_job_finishes(serve, servers, auth) -> None:
    slow = servers("slow", "slow", delay=1.5)
    slow.reply = lambda body: "# Notizen\nGuten Morgen."
    client = serve([slow])
    op = auth["operator"]
    space = client.post("/v1/workspaces", headers=op).json()["id"]
    put = client.put(
        f"/v1/workspaces/{space}/files/notes.md", content=b"# Notes\nGood morning.\n", headers=op
    )
    assert put.status_code == 201
    command = "translate notes.md into German and save it as out/notes_de.md"
    response = client.post(
        "/v1/do", json={"command": command, "workspace": space, "wait_seconds": 0.2}, headers=op
    )
    assert response.status_code == 202, response.text
    assert response.json()["state"] in ("queued", "running")
    job = _wait(client, response.headers["location"], op)
    assert job["state"] == "done" and job["ok"] is True, job
    assert [a["path"] for a in job["artifacts"]] == ["out/notes_de.md"]
    saved = client.get(f"/v1/workspaces/{space}/files/out/notes_de.md", headers=op)
    assert saved.text == "# Notizen\nGuten Morgen.\n"
    assert len(slow.seen) == 1


def test_a_model_no_backend_serves_is_404(serve, servers, auth) -> None:
    good = servers("good")
    client = serve([good])
    response = client.post(
        "/v1/llm/chat", json={**HI, "model": "gpt-nothing"}, headers=auth["admin"]
    )
    assert response.status_code == 404
    assert "gpt-nothing" in error_of(response)["message"]
    pinned = client.post("/v1/llm/chat", json={**HI, "model": "model-good"}, headers=auth["admin"])
    assert pinned.status_code == 200 and pinned.json()["model"] == "model-good"
    assert len(good.seen) == 1


def test_with_redis_the_response_cache_is_in_redis(serve, servers, auth, redis_url) -> None:  # noqa: F811
    import redis

    good = servers("good")
    asked = {**HI, "temperature": 0}
    client = serve([good], server={"redis": redis_url})
    first = client.post("/v1/llm/chat", json=asked, headers=auth["admin"]).json()
    assert first["altlas"]["cached"] is False
    stored = redis.Redis.from_url(redis_url).keys("altlas:llm:*")
    assert len(stored) == 1
    # a second server process (a fresh pool) on the same Redis answers from it
    reset_pools()
    other = serve([good], server={"redis": redis_url})
    again = other.post("/v1/llm/chat", json=asked, headers=auth["operator"]).json()
    assert again["altlas"]["cached"] is True and len(good.seen) == 1
    from altlas.llm.cache import CACHE_NAME

    assert not (Path(load_settings().home) / CACHE_NAME).exists(), "not in SQLite"
