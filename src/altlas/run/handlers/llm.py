"""The ``llm`` handler: a chat completion through the pool of ``[llm]`` backends.

Every call goes through :mod:`altlas.llm` (strategy, fallback, per-backend retries and
breakers, cache, budgets, the call log), so a plan never names an endpoint or a key: keys are
secret references in the config, resolved per call, and never written to a plan, a result or
the journal. ``path`` gives the model a workspace file to work on; ``output`` writes the
answer to a workspace file under the overwrite rule (``write_workspace_file``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from altlas.formats.plan import Task
from altlas.run.handlers.base import (
    Handler,
    HandlerContext,
    PermanentError,
    TransientError,
    write_workspace_file,
)

__all__ = ["LlmHandler"]

_SECRET_PARAMS = ("api_key", "apikey", "key", "authorization", "token")
_MAX_FILE_CHARS = 200_000
_ERROR_TYPES = {
    "not_configured": "NotConfigured",
    "budget": "BudgetExceeded",
    "refused": "LLMError",
    "invalid": "LLMError",
}


def _prompt(task: Task, params: Mapping[str, Any]) -> str:
    for key in ("prompt", "content", "text", "query"):
        value = params.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return task.description


def _file_text(ctx: HandlerContext, value: Any) -> str:
    path = ctx.path(value)
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            text = handle.read(_MAX_FILE_CHARS + 1)
    except FileNotFoundError:
        raise PermanentError(f"{value}: no such file", error_type="NotFound") from None
    except IsADirectoryError:
        raise PermanentError(f"{value} is a directory", error_type="IsADirectory") from None
    if len(text) > _MAX_FILE_CHARS:
        raise PermanentError(
            f"{value} is longer than {_MAX_FILE_CHARS} characters; give the model a smaller file",
            error_type="TooLarge",
        )
    return text


def _messages(ctx: HandlerContext, system: str | None) -> list[dict[str, Any]]:
    prompt = _prompt(ctx.task, ctx.params)
    messages: list[dict[str, Any]] = []
    persona = ctx.params.get("persona")
    if persona and not system:
        system = f"You are a {str(persona).replace('_', ' ')}."
    if system:
        messages.append({"role": "system", "content": str(system)})
    user = prompt
    source = ctx.params.get("path")
    if source is not None:
        user = f"{user}\n\nText ({source}):\n{_file_text(ctx, source)}"
    context = ctx.input_text() if ctx.params.get("include_inputs", True) else ""
    if context and source is None:
        user = f"{user}\n\nContext:\n{context}"
    messages.append({"role": "user", "content": user})
    return messages


def _refuse_secrets(params: Mapping[str, Any]) -> None:
    leaked = [k for k in params if k.lower() in _SECRET_PARAMS]
    if leaked:
        raise PermanentError(
            f"parameters.{leaked[0]}: secrets do not belong in a plan; set [llm] api_key "
            "(or a backend's api_key) to a reference such as env:OPENAI_API_KEY",
            error_type="SecretInPlan",
        )


class LlmHandler(Handler):
    name = "llm"
    description = "chat completion through the pool of [llm] backends"
    # each backend has its own breaker in the pool; one breaker for "llm" would close them all
    breaker = False

    def check(self, task: Task, params: Mapping[str, Any]) -> str | None:
        return None if _prompt(task, params).strip() else "needs parameters.prompt"

    def describe(self, task: Task, params: Mapping[str, Any]) -> str:
        shown = f"prompt {_prompt(task, params)[:60]!r}"
        if params.get("output"):
            shown += f" -> {params['output']}"
        return shown

    async def run(self, ctx: HandlerContext) -> Any:
        from altlas.llm import CallContext, ChatRequest, LlmError, get_pool
        from altlas.llm.config import llm_settings

        _refuse_secrets(ctx.params)
        cfg = llm_settings(ctx.settings)
        pool = get_pool(ctx.settings)
        params = {
            "temperature": ctx.params.get("temperature", cfg.temperature),
            "max_tokens": ctx.params.get("max_tokens", cfg.max_tokens),
        }
        request = ChatRequest(
            _messages(ctx, ctx.params.get("system") or cfg.system_prompt),
            model=ctx.params.get("model"),
            params={k: v for k, v in params.items() if v is not None},
            cache=bool(ctx.params.get("cache", True)),
        )
        started = time.perf_counter()
        try:
            answer = await pool.chat(request, CallContext("llm handler", ctx.run_id, ctx.task.id))
        except LlmError as exc:
            error_type = _ERROR_TYPES.get(exc.kind, "LLMError")
            if exc.retryable:
                raise TransientError(exc.message, error_type=error_type) from None
            raise PermanentError(exc.message, error_type=error_type) from None
        output: dict[str, Any] = {
            "text": answer.text,
            "model_used": answer.model,
            "backend": answer.backend,
            "tokens_used": answer.total_tokens or None,
            "cost_usd": answer.cost_usd,
            "cached": answer.cached,
            "fallbacks": len(answer.fallbacks),
            "processing_time_ms": round((time.perf_counter() - started) * 1000, 3),
            "finish_reason": answer.finish_reason,
        }
        target = ctx.params.get("output")
        if target:
            data = answer.text if answer.text.endswith("\n") else answer.text + "\n"
            write_workspace_file(ctx, target, data.encode(), bool(ctx.params.get("overwrite")))
            output["written"] = str(target)
            output["answer"] = f"wrote {target}"
        return output
