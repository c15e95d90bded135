"""Opt-in result caching (``--cache``).

The key is the sha256 of the handler's name and version, the task's parameters after
templating, the outputs of its dependencies, and a stamp (size, mtime) of any workspace file
the handler reads. A hit is recorded as ``cached: true`` with
zero attempts. A cached result that listed files is used only if every file is still there
with the same sha256; otherwise the task runs again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from altlas.formats.result import Artifact
from altlas.run.artifacts import sha256_file

__all__ = ["cache_key", "usable_artifacts"]


def cache_key(
    handler: str,
    version: str,
    params: Mapping[str, Any],
    inputs: Mapping[str, Any],
    salt: Any = None,
) -> str | None:
    """The cache key, or None when the parameters are not plain JSON data.

    ``salt`` is outside state the handler reads (see :meth:`Handler.cache_salt`).
    """
    try:
        blob = orjson.dumps(
            {
                "handler": handler,
                "version": version,
                "params": params,
                "inputs": inputs,
                "salt": salt,
            },
            option=orjson.OPT_SORT_KEYS,
        )
    except TypeError:
        return None
    return hashlib.sha256(blob).hexdigest()


def usable_artifacts(records: list[dict[str, Any]]) -> list[Artifact] | None:
    """The cached artifacts if every file is unchanged, else None (a miss)."""
    found = []
    for record in records:
        art = Artifact.model_validate(record)
        path = Path(art.path)
        if not path.is_file() or (art.sha256 and sha256_file(path) != art.sha256):
            return None
        found.append(art)
    return found
