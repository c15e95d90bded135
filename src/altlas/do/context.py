"""What grounding may know about the workspace: its files, table headers, the previous operation."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

from altlas.do.operations import Operation

__all__ = ["TABLE_SUFFIXES", "GroundContext", "resolve_file"]

TABLE_SUFFIXES = (".csv", ".tsv", ".json", ".ndjson", ".jsonl", ".parquet")
_MAX_FILES = 5000
_SKIPPED_DIRS = {".git", ".altlas", "__pycache__", ".venv", "node_modules"}


@dataclass(slots=True)
class GroundContext:
    """The workspace as grounding sees it; headers and the file list are read once and kept."""

    workspace: Path
    previous: Operation | None = None
    """The operation this segment refers back to with "it", "them", "bunu", "sonucu"..."""
    now: datetime | None = None
    """The moment times are resolved against (local time when None)."""
    _files: list[str] | None = field(default=None, repr=False)
    _columns: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def files(self) -> list[str]:
        """Workspace-relative paths of the files in the workspace (POSIX separators, sorted)."""
        if self._files is None:
            self._files = _walk(self.workspace)
        return list(self._files)

    def columns(self, path: str | Path) -> list[str]:
        """The header of a workspace table, or [] when it is missing, outside, or unreadable."""
        key = str(path)
        if key not in self._columns:
            self._columns[key] = _header(self.workspace, key)
        return list(self._columns[key])

    def resolve(self, reference: str) -> str | None:
        """The one workspace file ``reference`` means (see :func:`resolve_file`), or None."""
        return resolve_file(reference, self.files())

    def with_previous(self, previous: Operation | None) -> GroundContext:
        """The same workspace view (caches shared) with another previous operation."""
        return GroundContext(
            self.workspace, previous, self.now, _files=self.files(), _columns=self._columns
        )


def _fold(text: str) -> str:
    from altlas.segment.text import fold

    return fold(text).replace("ı", "i")


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[\W_]+", _fold(text)) if w]


def resolve_file(reference: str, files: list[str]) -> str | None:
    """The one file of ``files`` (workspace-relative POSIX paths) that ``reference`` means.

    In order, the first rule with exactly one match wins: the path as written; the name
    without its folder ("worker.log" for logs/worker.log); the same, ignoring case and
    accents ("musteriler.csv" for müşteriler.csv); a description whose words are the name's
    words ("the Q3 budget draft", "depo notu", "the worker log": the stem's words, the
    suffix allowed as the last word). None when nothing or more than one file fits: a guess
    between two files is never made.
    """
    ref = reference.strip().strip("'\"`“”‘’").removeprefix("./")
    if not ref:
        return None
    if ref in files:
        return ref
    name = PurePosixPath(ref).name
    rules: list[Callable[[str], bool]] = [
        lambda f: PurePosixPath(f).name == name and "/" not in ref,
        lambda f: _fold(f) == _fold(ref),
        lambda f: _fold(PurePosixPath(f).name) == _fold(name) and "/" not in ref,
    ]
    said = _words(ref)
    if said and not PurePosixPath(ref).suffix:
        rules.append(lambda f: _words(PurePosixPath(f).stem) == said)
        rules.append(
            lambda f: [*_words(PurePosixPath(f).stem), *_words(PurePosixPath(f).suffix)] == said
        )
    for rule in rules:
        found = [f for f in files if rule(f)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            return None
    return None


def _walk(workspace: Path) -> list[str]:
    root = workspace.resolve()
    found: list[str] = []
    if not root.is_dir():
        return found
    stack = [root]
    while stack and len(found) < _MAX_FILES:
        folder = stack.pop()
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            if entry.is_symlink():
                continue
            if entry.is_dir():
                if entry.name not in _SKIPPED_DIRS:
                    stack.append(entry)
            elif entry.is_file():
                found.append(entry.relative_to(root).as_posix())
    return sorted(found)


def _header(workspace: Path, relpath: str) -> list[str]:
    root = workspace.resolve()
    full = (root / relpath).resolve()
    if not full.is_relative_to(root) or not full.is_file():
        return []
    suffix = full.suffix.lower()
    try:
        if suffix in (".csv", ".tsv"):
            with full.open(newline="", encoding="utf-8-sig") as fh:
                first = fh.readline()
            row = next(csv.reader([first], delimiter=_delimiter(first, suffix)), [])
            return [cell.strip() for cell in row]
        if suffix in (".json", ".ndjson", ".jsonl", ".parquet"):
            return _polars_header(full, suffix)
    except (OSError, UnicodeDecodeError, csv.Error, ValueError):
        return []
    return []


def _delimiter(line: str, suffix: str) -> str:
    """The header's separator: the most frequent of , ; tab | (tab for .tsv on a tie)."""
    counts = {sep: line.count(sep) for sep in (",", ";", "\t", "|")}
    best = max(counts, key=lambda sep: counts[sep])
    if counts[best] == 0:
        return "\t" if suffix == ".tsv" else ","
    return best


def _polars_header(full: Path, suffix: str) -> list[str]:
    import polars as pl

    try:
        if suffix == ".parquet":
            return list(pl.read_parquet_schema(full).keys())
        if suffix in (".ndjson", ".jsonl"):
            return list(pl.scan_ndjson(full).collect_schema().names())
        return list(pl.read_json(full).columns)
    except Exception:  # polars raises many unrelated types for bad files; [] means "unreadable"
        return []
