"""Files: a listing of a folder, by pattern, as the answer; only when nothing else is asked."""

from __future__ import annotations

import re

from altlas.do.accounted import unaccounted
from altlas.do.context import GroundContext
from altlas.do.folders import EXT, KIND_WORDS, folder_after_preposition, folder_named
from altlas.do.operations import Operation
from altlas.do.words import existing, folded, has_any, mentions

__all__ = ["list_files"]

_LIST = (
    r"\blist\b",
    r"\bhow many\b.*\bfiles\b",
    r"\bkac\b.*\bdosya",
    r"\bwhich\b.*\bfiles?\b",
    r"\bwhat\b.*\bfiles?\b",
    r"\bshow\b.*\bfiles\b",
    r"\bwhat('s| is)\b.*\b(in|inside)\b.*\b(folder|directory)\b",
    r"\blistele\w*",
    r"\bhangi\b.*\bdosya",
    r"\b(ne|neler) var\b",
    r"\b(ne|neler)\b.*\b(oldugunu|bulundugunu|var)\b",
)
_LIST_WORDS = (
    r"list\w*|show|display|files?|dosya\w*|folders?|klasor\w*|director(y|ies)|dir|"
    r"many|kac|tane|ne|neler|hangi\w*|icinde\w*|icindeki\w*|calisma|alan\w*|workspace|"
    r"names?|isim\w*|isim|adlar\w*|contents?|stored|kept|exists?|oldugunu|bulundugunu|"
    r"soyle|goster\w*|type|kind|whats|inside|lie|sit|live|number|count",
)


def list_files(text: str, ctx: GroundContext) -> Operation | None:
    if not has_any(text, *_LIST) or [m for m in mentions(text, ctx) if existing(m, ctx)]:
        return None
    about_files = has_any(text, r"\bfiles?\b", r"\bdosya", r"\bfolder\b", r"\bklasor", r"\bdir")
    if not about_files and not EXT.search(text) and not has_any(text, r"\blistele"):
        return None
    folder = folder_named(text, ctx) or folder_after_preposition(text, ctx)
    ext = EXT.search(text)
    kind = re.search(r"\b(\w+)\s+(?:files|dosya)", folded(text))
    suffix = ext.group(1) if ext else KIND_WORDS.get(kind.group(1)) if kind else None
    pattern = f"*.{suffix}" if suffix else "*"
    allowed = (*_LIST_WORDS, *KIND_WORDS, *([re.escape(suffix)] if suffix else []))
    if unaccounted(text, allowed, [folder or ""]):
        return None  # "list the ERROR lines of the log": more is asked than a listing
    params: dict[str, object] = {"operation": "list", "path": folder or ".", "pattern": pattern}
    params["recursive"] = folder is None and pattern != "*"
    where = f"in {folder}/" if folder else "in the workspace"
    return Operation("files", params, f"list files {pattern} {where}", "files")
