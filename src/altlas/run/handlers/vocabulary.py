"""Segmentation's parameter names, translated for the handlers.

The segmenter names things the way a reader would (``target``, ``subject``, ``files``,
``target_format``); the handlers take ``path``, ``source`` and ``to``. This module adds the
handler names a segmented task implies. It never overwrites a parameter that already names a
file, so hand-written and legacy-runner plans are untouched; segmentation's free-text
``source`` ("the sales file") gives way to the file the command named.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any

from altlas.formats.plan import Task
from altlas.run.handlers.data import FORMATS

__all__ = ["handler_parameters", "search_terms"]

TABLE_SUFFIXES = tuple(FORMATS)
"""What the data handler can load; a file with one of these suffixes is a table source."""
TEXT_SUFFIXES = (".md", ".txt", ".rst", ".log", ".html", ".htm")


def _files(params: Mapping[str, Any]) -> list[str]:
    files = params.get("files")
    if isinstance(files, list):
        return [f for f in files if isinstance(f, str) and f and "://" not in f]
    return []


def _first(files: list[str], suffixes: tuple[str, ...]) -> str | None:
    for name in files:
        if PurePosixPath(name).suffix.lower() in suffixes:
            return name
    return None


_SEARCH_FILLERS = frozenset(
    [
        "search",
        "searching",
        "find",
        "look",
        "up",
        "for",
        "about",
        "on",
        "in",
        "of",
        "the",
        "a",
        "an",
        "my",
        "our",
        "all",
        "any",
        "anything",
        "everything",
        "archive",
        "archives",
        "archived",
        "results",
        "result",
        "runs",
        "please",
        "can",
        "you",
        "could",
        "me",
        "related",
        "to",
        "that",
        "mention",
        "mentions",
        "local",
        "arsiv",
        "arsivde",
        "arsivden",
        "arsivi",
        "ara",
        "arat",
        "arastir",
        "icin",
        "ile",
        "ilgili",
        "hakkinda",
        "bul",
        "lutfen",
        "sonuclarda",
        "sonuclari",
        "sonuclarini",
        "kayitlarda",
        "bana",
    ]
)


def search_terms(text: str) -> str:
    """The topic words of a search ("sales reports"), without verbs, fillers and "the archive"."""
    from altlas.segment.text import fold

    words = re.findall(r"[\w'’-]+", text)
    kept = [w for w in words if fold(w).strip("'’").split("'")[0] not in _SEARCH_FILLERS]
    return " ".join(kept)


def handler_parameters(task: Task) -> dict[str, Any]:
    """The task's parameters plus the handler-side names its segmentation parameters imply."""
    params = dict(task.parameters)
    if "task_type" in params or not isinstance(params.get("files", []), list):
        return params  # the runner's own dialect already speaks the handlers' language
    files = _files(params)
    kind = task.type
    table = _first(files, TABLE_SUFFIXES)
    text = _first(files, TEXT_SUFFIXES)
    if kind == "open" and "path" not in params and "file_path" not in params and files:
        params["path"] = files[0]
    elif kind == "analyze" and not {"source", "input_data", "input_from_dependency"} & set(params):
        if table:
            params["source"] = table
            params.setdefault("operation", "describe")
        elif text and "path" not in params:
            params["path"] = text
    elif kind == "transform":
        fmt = params.get("target_format")
        if "to" not in params and isinstance(fmt, str) and fmt.strip():
            params["to"] = fmt.strip().lower().lstrip(".")
        source = params.get("source")
        names_a_table = isinstance(source, str) and source.lower().endswith(TABLE_SUFFIXES)
        if table and not names_a_table:
            params["source"] = table
    elif kind == "summarize" and "path" not in params and "text" not in params and text:
        params["path"] = text
    elif kind == "search" and isinstance(params.get("query"), str):
        # segmentation keeps the reader's phrase ("the archive for sales reports"); the
        # archive is searched for its topic words
        params["query"] = search_terms(params["query"]) or params["query"]
    return params
