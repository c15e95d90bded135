"""The ``archive`` handler: search the local archive (``altlas.index``).

The archive is another part of altlas. Until it is installed and has been created under
``ALTLAS_HOME``, this handler fails with a clear ``NoArchive`` error instead of pretending.

A plan's query is never handed to tantivy's query parser as syntax: only its words reach the
index (operators, field names, ranges, wildcards and quotes are dropped), and the filters a
plan may set are an allowlist of structured parameters (:data:`FILTERS`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from altlas.errors import AltlasError
from altlas.formats.plan import Task
from altlas.run.handlers.base import Handler, HandlerContext, PermanentError

__all__ = ["ArchiveHandler"]

ARCHIVE_DB = "altlas.db"
FILTERS = ("status", "tag", "task_type", "lang", "since", "until")
"""Structured search filters a plan may give as parameters; nothing else reaches the index."""
MAX_WORDS = 32
MAX_LIMIT = 100
_WORD = re.compile(r"[^\W_]+(?:[_'’-][^\W_]+)*")
# tantivy's query parser reads these words as operators; lower case they are plain terms
_OPERATORS = {"AND", "OR", "NOT", "IN", "TO"}


def search_words(text: str) -> str:
    """The words of ``text`` as a plain tantivy query: no syntax can pass through."""
    words = []
    for match in _WORD.finditer(text):
        for word in re.split(r"[_'’-]", match.group()):
            if word:
                words.append(word.lower() if word.upper() in _OPERATORS else word)
    return " ".join(words[:MAX_WORDS])


def _filters(params: Mapping[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name in FILTERS:
        value = params.get(name)
        if value is None:
            continue
        values = value if isinstance(value, list) else [value]
        if not values or not all(isinstance(v, str) and v.strip() for v in values):
            raise PermanentError(f"parameters.{name} must be a text or a list of texts")
        if name in ("since", "until") and len(values) != 1:
            raise PermanentError(f"parameters.{name} must be one time")
        found[name] = values[0] if name in ("since", "until") else values
    return found


def _limit(params: Mapping[str, Any]) -> int:
    value = params.get("limit", 10)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_LIMIT:
        raise PermanentError(f"parameters.limit must be a whole number from 1 to {MAX_LIMIT}")
    return value


def _query(task: Task, params: Mapping[str, Any]) -> str:
    for key in ("query", "q", "content", "text"):
        value = params.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return task.description.strip()


def _plain(hit: Any) -> Any:
    if hasattr(hit, "model_dump"):
        return hit.model_dump(mode="json")
    if dataclasses.is_dataclass(hit) and not isinstance(hit, type):
        return dataclasses.asdict(hit)
    if isinstance(hit, Mapping):
        return dict(hit)
    return str(hit)


def _search(home: Path, query: str, limit: int, filters: Mapping[str, Any]) -> list[Any]:
    try:
        # looked up by name so this module type-checks before and after altlas.index exists
        Archive = getattr(importlib.import_module("altlas.index"), "Archive")  # noqa: B009
    except (ImportError, AttributeError):
        raise PermanentError(
            "no archive: the archive component (altlas.index) is not available",
            error_type="NoArchive",
        ) from None
    if not (home / ARCHIVE_DB).exists():
        raise PermanentError(
            f"no archive: archive not found in {home} (add results with 'altlas archive add')",
            error_type="NoArchive",
        )
    try:
        archive = Archive(home)
        try:
            found = archive.search(query, filters, limit=limit)
        finally:
            close = getattr(archive, "close", None)
            if callable(close):
                close()
    except AltlasError as exc:
        raise PermanentError(
            f"archive search failed: {exc.message}", error_type="ArchiveError"
        ) from None
    hits = getattr(found, "hits", found)
    return [_plain(h) for h in hits]


class ArchiveHandler(Handler):
    name = "archive"
    description = "search the local archive of results (parameters.query)"
    breaker = True

    def check(self, task: Task, params: Mapping[str, Any]) -> str | None:
        return None if _query(task, params) else "needs parameters.query"

    def target(self, params: Mapping[str, Any], ctx: HandlerContext | None = None) -> str | None:
        return str(ctx.settings.home) if ctx is not None else None

    def describe(self, task: Task, params: Mapping[str, Any]) -> str:
        return f"search {_query(task, params)!r}"

    async def run(self, ctx: HandlerContext) -> Any:
        query = search_words(_query(ctx.task, ctx.params))
        if not query:
            raise PermanentError("parameters.query needs at least one word to search for")
        limit = _limit(ctx.params)
        filters = _filters(ctx.params)
        hits = await asyncio.to_thread(_search, ctx.settings.home, query, limit, filters)
        lines = []
        for hit in hits:
            if isinstance(hit, dict):
                head = str(hit.get("title") or hit.get("command") or hit.get("id") or "")
                snippet = hit.get("snippet") or hit.get("fragment")
                lines.append(f"{head}: {snippet}" if snippet else head)
            else:
                lines.append(str(hit))
        return {"query": query, "count": len(hits), "hits": hits, "text": "\n".join(lines)}
