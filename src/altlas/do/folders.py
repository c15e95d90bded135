"""Folders in a command's words: which folder, a new file's folder, many files by kind."""

from __future__ import annotations

import re

from altlas.do.context import GroundContext
from altlas.do.operations import Operation
from altlas.do.words import folded, has_any, mentions

__all__ = ["EXT", "KIND_WORDS", "folder_after_preposition", "folder_named", "join_folder", "many"]

KIND_WORDS = {
    "markdown": "md",
    "text": "txt",
    "csv": "csv",
    "json": "json",
    "log": "log",
    "python": "py",
    "parquet": "parquet",
    "metin": "txt",
}
EXT = re.compile(r"(?<![\w/])\*?\.([A-Za-z][A-Za-z0-9]{0,7})\b")
_FOLDER_EN = re.compile(r"\b(?:the\s+)?([\w][\w./-]*)\s+(?:folder|directory|dir)\b", re.IGNORECASE)
_FOLDER_TR = re.compile(r"\b([\w][\w./-]*)\s+(?:klasor|dizin)\w*", re.IGNORECASE)


_NOT_FOLDER = {"the", "a", "an", "this", "that", "new", "same", "bu", "su", "o", "bir", "yeni"}


def folder_named(text: str, ctx: GroundContext, *, may_be_new: bool = False) -> str | None:
    """A folder the text names ("the out folder", "docs klasöründe", "out/"); one that does
    not exist yet counts only where a copy or move may create it."""
    low = folded(text)
    for pattern in (_FOLDER_EN, _FOLDER_TR):
        for match in pattern.finditer(low):
            name = match.group(1).strip("/")
            if not name or name in _NOT_FOLDER or "." in name:
                continue
            if (ctx.workspace / name).is_dir() or may_be_new:
                return name
    for token in mentions(text):
        if token.endswith("/") and (ctx.workspace / token).is_dir():
            return token.strip("/")
    return None


def folder_after_preposition(text: str, ctx: GroundContext) -> str | None:
    """ "in docs", "under logs", "docs içinde", "docs'taki": an existing folder named bare."""
    low = folded(text)
    candidates = re.findall(r"\b(?:in|inside|under|within|from)\s+(?:the\s+)?([\w./-]+)", low)
    candidates += re.findall(
        r"\b([\w./-]+?)(?:'?(?:da|de|ta|te)ki|\s+(?:icinde\w*|altinda\w*))\b", low
    )
    for candidate in candidates:
        name = str(candidate).strip("/")
        if name and (ctx.workspace / name).is_dir():
            return name
    return None


def join_folder(folder: str | None, name: str) -> str:
    return f"{folder}/{name}" if folder else name


_FOLDER_REFS = (
    re.compile(r"\b(?:from|in|inside|to|into)\s+(?:the\s+)?([\w][\w./-]*)"),
    re.compile(r"\b([\w][\w./-]*)\s+(?:folder|directory|klasor\w*|dizin\w*)"),
    re.compile(r"\b([\w][\w.-]*)'?(?:daki|deki|taki|teki)\b"),
    re.compile(r"(?<![\w/])([\w][\w.-]*/)(?!\w)"),
)


def _folders_in_order(text: str, ctx: GroundContext) -> list[str]:
    """Folders the words name, in the order they are named; only the last may be new."""
    low = folded(text)
    found: dict[str, int] = {}
    for pattern in _FOLDER_REFS:
        for match in pattern.finditer(low):
            name = match.group(1).strip("/")
            if name and name not in _NOT_FOLDER and "." not in name:
                found.setdefault(name, match.start(1))
    ordered = sorted(found, key=lambda n: found[n])
    existing_dirs = [n for n in ordered if (ctx.workspace / n).is_dir()]
    if ordered and ordered[-1] not in existing_dirs and _FOLDER_NEW.search(low):
        existing_dirs.append(ordered[-1])  # "into archive/", "arsiv klasörüne": may be new
    return existing_dirs


_FOLDER_NEW = re.compile(r"\b(?:to|into)\s+(?:the\s+)?[\w./-]+|\w+\s+klasorune\b|/\s*$")


def many(text: str, ctx: GroundContext, op: str) -> Operation | None:
    """ "copy all .md files from docs to out": every matching file, by pattern."""
    ext = EXT.search(text)
    kind = re.search(r"\b(\w+)\s+(?:files|dosya)", folded(text))
    suffix = ext.group(1) if ext else KIND_WORDS.get(kind.group(1)) if kind else None
    if suffix is None or not has_any(text, r"\b(files|all|every|dosyalar\w*|tum|butun|hepsi)\b"):
        return None
    folders = _folders_in_order(text, ctx)
    if not folders:
        return None
    dest = folders[-1]
    source = folders[0] if len(folders) > 1 else "."
    params: dict[str, object] = {
        "operation": op,
        "source": source,
        "pattern": f"*.{suffix}",
        "dest": dest + "/",
    }
    if source == ".":
        params["recursive"] = True  # "the .log files": wherever they are in the workspace
    where = "the workspace" if source == "." else f"{source}/"
    return Operation("files", params, f"{op} every *.{suffix} in {where} to {dest}/", "files")
