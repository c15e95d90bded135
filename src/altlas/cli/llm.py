"""``altlas llm ask|log|backends``: a quick call through the pool, its call log, its backends."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from altlas.cli._common import emit_json, emit_rows
from altlas.cli._output import DOCUMENT, ROWS, Format, format_option

if TYPE_CHECKING:
    from altlas.llm.pool import Pool

__all__ = ["register"]

llm_app = typer.Typer(
    name="llm",
    help="The pool of LLM backends ([llm] in config.toml): ask, the call log, the backends.",
    no_args_is_help=True,
)

_LOG_COLUMNS = [
    "id",
    "at",
    "caller",
    "backend",
    "model",
    "status",
    "total_tokens",
    "latency_ms",
    "cost_usd",
    "cache_hit",
    "fallbacks",
    "run_id",
]


def _pool(no_cache: bool) -> Pool:
    from altlas.llm import get_pool

    return get_pool(cache=not no_cache)


@llm_app.command("ask")
def ask(
    prompt: Annotated[str, typer.Argument(help="What to ask.")],
    system: Annotated[str | None, typer.Option("--system", help="A system prompt.")] = None,
    backend: Annotated[str | None, typer.Option("--backend", help="Only this backend.")] = None,
    model: Annotated[
        str | None, typer.Option("--model", help="Only backends of this model.")
    ] = None,
    temperature: Annotated[
        float | None, typer.Option("--temperature", min=0, max=2, help="0 makes it cacheable.")
    ] = None,
    max_tokens: Annotated[int | None, typer.Option("--max-tokens", min=1)] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Also makes it cacheable.")] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Neither read nor write the cache.")
    ] = False,
    stream: Annotated[bool, typer.Option("--stream", help="Print the answer as it comes.")] = False,
    fmt: Annotated[Format, format_option(DOCUMENT)] = Format.TABLE,
) -> None:
    """One call through the pool; the answer on stdout, how it went on stderr."""
    from altlas.llm import CallContext, ChatRequest

    messages = [{"role": "system", "content": system}] if system else []
    messages.append({"role": "user", "content": prompt})
    params = {"temperature": temperature, "max_tokens": max_tokens, "seed": seed}
    request = ChatRequest(
        messages,
        model=model,
        backend=backend,
        params={k: v for k, v in params.items() if v is not None},
        cache=not no_cache,
    )
    pool = _pool(no_cache)
    ctx = CallContext("cli")
    if stream and fmt is Format.TABLE:
        answer = _stream(pool, request, ctx)
    else:
        answer = pool.chat_sync(request, ctx)
        if fmt is not Format.TABLE:
            data = answer.to_dict()
            if fmt is Format.JSON:
                emit_json(data)
            else:
                from altlas.cli._output import emit_yaml

                emit_yaml(data)
            return
        typer.echo(answer.text)
    how = "from the cache" if answer.cached else f"{answer.latency_ms:.0f} ms"
    typer.echo(
        f"{answer.backend} ({answer.model}), {answer.total_tokens} tokens, {how}, "
        f"${answer.cost_usd:.6f}"
        + (f", {len(answer.fallbacks)} fallback(s)" if answer.fallbacks else ""),
        err=True,
    )


def _stream(pool: Pool, request: Any, ctx: Any) -> Any:
    import asyncio
    import sys

    async def go() -> Any:
        chat = pool.stream(request, ctx)
        async for chunk in chat:
            sys.stdout.write(chunk)
            sys.stdout.flush()
        sys.stdout.write("\n")
        return chat.response

    return asyncio.run(go())


@llm_app.command("log")
def log(
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many calls.")] = 20,
    run: Annotated[str | None, typer.Option("--run", help="Only the calls of this run.")] = None,
    backend: Annotated[str | None, typer.Option("--backend", help="Only this backend.")] = None,
    fmt: Annotated[Format, format_option(ROWS)] = Format.TABLE,
) -> None:
    """The latest calls through the pool (never keys; prompts only with log_prompts)."""
    from altlas.config import load_settings
    from altlas.llm.calllog import read_calls

    rows = read_calls(load_settings().home, limit=limit, run_id=run, backend=backend)
    if fmt is Format.TABLE:
        rows = [{**r, "fallbacks": len(r["fallbacks"])} for r in rows]
    columns = _LOG_COLUMNS + (["error"] if any(r.get("error") for r in rows) else [])
    emit_rows(rows, columns, fmt, title="LLM calls")


@llm_app.command("backends")
def backends(
    probe: Annotated[
        bool, typer.Option("--probe", help="Ask each backend for its models (GET /models).")
    ] = False,
    fmt: Annotated[Format, format_option(ROWS)] = Format.TABLE,
) -> None:
    """The pool: each backend with its health from the call log and its breaker state."""
    from altlas.llm.health import backend_rows

    pool = _pool(no_cache=True)
    rows = backend_rows(pool, probe=probe)
    columns = ["name", "model", "base_url", "weight", "breaker", "calls", "errors", "p50_ms"]
    columns += ["last_status", "health"] + (["probe"] if probe else [])
    emit_rows(rows, columns, fmt, title=f"LLM backends (strategy {pool.settings.strategy})")


def register(app: typer.Typer) -> None:
    app.add_typer(llm_app)
