"""The ``llm`` handler: any OpenAI-compatible ``/v1/chat/completions`` endpoint.

Ollama, llama.cpp's server, vLLM and the like. The base URL, model and key come from the
``[llm]`` config section; the key is a secret reference (``env:NAME``, ``file:PATH``) resolved
at call time, and is never written to a plan, a result or the journal.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from altlas.formats.plan import Task
from altlas.run.handlers.base import Handler, HandlerContext, PermanentError, TransientError
from altlas.run.options import LlmConfig

__all__ = ["LlmHandler"]

_SECRET_PARAMS = ("api_key", "apikey", "key", "authorization", "token")


def _prompt(task: Task, params: Mapping[str, Any]) -> str:
    for key in ("prompt", "content", "text", "query"):
        value = params.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return task.description


class LlmHandler(Handler):
    name = "llm"
    description = "chat completion from an OpenAI-compatible endpoint ([llm] config)"
    breaker = True

    def check(self, task: Task, params: Mapping[str, Any]) -> str | None:
        return None if _prompt(task, params).strip() else "needs parameters.prompt"

    def target(self, params: Mapping[str, Any], ctx: HandlerContext | None = None) -> str | None:
        if ctx is None:
            return None
        return ctx.settings.section("llm", LlmConfig).base_url

    def describe(self, task: Task, params: Mapping[str, Any]) -> str:
        return f"prompt {_prompt(task, params)[:60]!r}"

    async def run(self, ctx: HandlerContext) -> Any:
        leaked = [k for k in ctx.params if k.lower() in _SECRET_PARAMS]
        if leaked:
            raise PermanentError(
                f"parameters.{leaked[0]}: secrets do not belong in a plan; set [llm] api_key "
                "to a reference such as env:OPENAI_API_KEY",
                error_type="SecretInPlan",
            )
        cfg = ctx.settings.section("llm", LlmConfig)
        model = ctx.params.get("model") or cfg.model
        if not cfg.base_url or not model:
            raise PermanentError(
                "no LLM endpoint configured: set [llm] base_url and model "
                "(e.g. http://127.0.0.1:11434/v1 and llama3.2 for Ollama)",
                error_type="NotConfigured",
            )
        from altlas.config import resolve_secret

        key = resolve_secret(cfg.api_key, what="[llm] api_key")
        prompt = _prompt(ctx.task, ctx.params)
        context = ctx.input_text() if ctx.params.get("include_inputs", True) else ""
        messages = []
        system = ctx.params.get("system") or cfg.system_prompt
        if ctx.params.get("persona") and not system:
            system = f"You are a {str(ctx.params['persona']).replace('_', ' ')}."
        if system:
            messages.append({"role": "system", "content": str(system)})
        user = f"{prompt}\n\nContext:\n{context}" if context else prompt
        messages.append({"role": "user", "content": user})
        body: dict[str, Any] = {"model": model, "messages": messages, "stream": False}
        temperature = ctx.params.get("temperature", cfg.temperature)
        max_tokens = ctx.params.get("max_tokens", cfg.max_tokens)
        if temperature is not None:
            body["temperature"] = temperature
        if max_tokens is not None:
            body["max_tokens"] = max_tokens
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        url = cfg.base_url.rstrip("/") + "/chat/completions"
        import httpx

        started = time.perf_counter()
        try:
            async with httpx.AsyncClient(timeout=cfg.timeout_seconds) as client:
                response = await client.post(url, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise TransientError(f"LLM endpoint {url}: {type(exc).__name__}: {exc}") from None
        if response.status_code >= 400:
            message = f"LLM endpoint answered {response.status_code}: {response.text[:200]}"
            if response.status_code >= 500 or response.status_code == 429:
                raise TransientError(message, error_type="LLMError")
            raise PermanentError(message, error_type="LLMError")
        try:
            data = response.json()
            choice = data["choices"][0]
            text = choice["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise TransientError(
                "LLM endpoint answered without choices[0].message.content", error_type="LLMError"
            ) from None
        usage = data.get("usage") or {}
        return {
            "text": text,
            "model_used": data.get("model", model),
            "tokens_used": usage.get("total_tokens"),
            "processing_time_ms": round((time.perf_counter() - started) * 1000, 3),
            "finish_reason": choice.get("finish_reason"),
        }
