"""The LLM planner fallback for ``altlas do``: one segment the rules could not ground.

When the rules refuse a segment as unknown, or as needing an LLM (translating), and a pool is
configured, the model picks ONE operation from :data:`CATALOGUE`, in two constrained steps:
the operation's name (``response_format`` json_schema with an enum), then its parameters
(``response_format`` json_schema = that operation's own JSON Schema). The answer is validated
against the same pydantic model, and every file it names must be named in the words: a model
cannot invent a path. Anything else is an honest refusal that says what was wrong, never a
guess. Without a pool the rules' refusal stands (it names the setting).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

import orjson
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

if TYPE_CHECKING:
    from altlas.do.context import GroundContext
    from altlas.do.operations import Operation
    from altlas.llm.pool import Pool

__all__ = ["CATALOGUE", "FALLBACK_KINDS", "llm_ground"]

FALLBACK_KINDS = ("unknown", "translate")
"""Refusals the LLM may take over; the others (e-mail, the web, buying...) stay refusals."""


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TransformText(_Params):
    """Translate, rewrite, correct or otherwise transform a text file with the language model."""

    instruction: str = Field(min_length=1, max_length=500, description="e.g. Translate into German")
    path: str = Field(min_length=1, description="the text file to work on, as named")
    output: str | None = Field(default=None, description="where to save the result, if named")


class Summarize(_Params):
    """Summarise a text file in a few sentences."""

    path: str = Field(min_length=1)
    sentences: int = Field(default=3, ge=1, le=20)
    output: str | None = None


class CountLines(_Params):
    """Count the lines of a text file, optionally only those containing a word."""

    path: str = Field(min_length=1)
    contains: str | None = None


class ReadFile(_Params):
    """Show the content of a file."""

    path: str = Field(min_length=1)


class SearchArchive(_Params):
    """Search the archive of past runs for words."""

    query: str = Field(min_length=1, max_length=200)


def _transform(p: Any) -> dict[str, Any]:
    params = {"prompt": p.instruction, "path": p.path, "temperature": 0, "include_inputs": False}
    return {**params, "output": p.output} if p.output else params


def _summarize(p: Any) -> dict[str, Any]:
    params = {"path": p.path, "sentences": p.sentences}
    return {**params, "output": p.output} if p.output else params


CATALOGUE: dict[str, tuple[type[_Params], str, Callable[[Any], dict[str, Any]]]] = {
    "transform_text": (TransformText, "llm", _transform),
    "summarize": (Summarize, "summarize", _summarize),
    "count_lines": (CountLines, "text", lambda p: {"operation": "count_lines", **_set(p)}),
    "read_file": (ReadFile, "files", lambda p: {"operation": "read", "path": p.path}),
    "search_archive": (SearchArchive, "archive", lambda p: {"query": p.query}),
}
"""name -> (parameter model, handler, the handler's parameters from the model)."""

_CHOOSE = """You turn one instruction into exactly one operation from this list:
{ops}
Answer only JSON: {{"operation": "<name>"}}, or {{"operation": "none"}} when none fits."""
_FILL = """Fill the parameters of the operation "{name}" ({doc}) for the instruction.
Use file names exactly as the instruction writes them. Answer only JSON."""


def _set(model: BaseModel) -> dict[str, Any]:
    return {k: v for k, v in model.model_dump().items() if v is not None}


def _schema_format(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "json_schema", "json_schema": {"name": name, "strict": True, "schema": schema}}


def _json(text: str) -> Any:
    body = text.strip()
    if body.startswith("```"):
        body = body.split("\n", 1)[1] if "\n" in body else ""
        body = body.rstrip().removesuffix("```")
    return orjson.loads(body)


def _ask(pool: Pool, system: str, text: str, response_format: dict[str, Any]) -> Any:
    from altlas.llm import CallContext, ChatRequest

    request = ChatRequest(
        [{"role": "system", "content": system}, {"role": "user", "content": text}],
        params={"temperature": 0, "max_tokens": 300, "response_format": response_format},
    )
    answer = pool.chat_sync(request, CallContext("planner"))
    return _json(answer.text)


def choose(pool: Pool, text: str) -> str:
    """The operation's name; ValueError when the answer is not one of the catalogue's."""
    names = [*CATALOGUE, "none"]
    ops = "\n".join(f"- {n}: {(m.__doc__ or '').strip()}" for n, (m, _, _) in CATALOGUE.items())
    schema = {
        "type": "object",
        "properties": {"operation": {"type": "string", "enum": names}},
        "required": ["operation"],
        "additionalProperties": False,
    }
    data = _ask(pool, _CHOOSE.format(ops=ops), text, _schema_format("operation", schema))
    name = data.get("operation") if isinstance(data, dict) else None
    if name not in names:
        raise ValueError(f"it named {name!r}, not an operation from the list")
    return str(name)


def fill(pool: Pool, name: str, text: str) -> BaseModel:
    """The operation's parameters, validated by its model; ValueError when they are not."""
    model = CATALOGUE[name][0]
    schema = model.model_json_schema()
    schema["additionalProperties"] = False
    system = _FILL.format(name=name, doc=(model.__doc__ or "").strip())
    data = _ask(pool, system, text, _schema_format(name, schema))
    try:
        params = model.model_validate(data)
    except PydanticValidationError as exc:
        err = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in err["loc"]) or "parameters"
        raise ValueError(f"{where}: {err['msg']}") from None
    for key in ("path", "output"):
        value = getattr(params, key, None)
        if value is not None and not _named(value, text):
            raise ValueError(f"{key} '{value}' is not a file the words name")
    return params


def _named(path: str, text: str) -> bool:
    """The words name the path itself, not merely something like it."""
    return path in text and PurePosixPath(path).name != "" and ".." not in PurePosixPath(path).parts


def llm_ground(text: str, lang: str, ctx: GroundContext, refused: Operation) -> Operation:
    """The LLM's operation for ``text``, or the rules' refusal (no pool), or an honest one."""
    from altlas.do.operations import Operation
    from altlas.llm import LlmError, get_pool

    if refused.handler != "refuse" or refused.params.get("kind") not in FALLBACK_KINDS:
        return refused
    pool = get_pool()
    if not pool.configured:
        return refused
    try:
        name = choose(pool, text)
        if name == "none":
            return _refusal(text, "the LLM planner found no operation for these words", "none")
        params = fill(pool, name, text)
    except LlmError as exc:
        return _refusal(text, f"the LLM planner could not be asked: {exc.message}", "llm_error")
    except (ValueError, orjson.JSONDecodeError) as exc:
        return _refusal(text, f"the LLM planner's answer was not valid: {exc}", "llm_invalid")
    _, handler, build = CATALOGUE[name]
    return Operation(handler, build(params), f"LLM planner: {name}", produces="text")


def _refusal(text: str, reason: str, why: str) -> Operation:
    from altlas.do.operations import Operation

    full = f"altlas could not do '{text.strip()}': {reason}"
    return Operation("refuse", {"reason": full, "kind": "llm"}, f"LLM planner: {why}")
