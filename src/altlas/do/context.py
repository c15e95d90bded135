"""What grounding may know about the workspace: its files, table headers, the previous operation."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from altlas.do.operations import Operation

__all__ = ["TABLE_SUFFIXES", "GroundContext"]

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

    def with_previous(self, previous: Operation | None) -> GroundContext:
        """The same workspace view (caches shared) with another previous operation."""
        return GroundContext(
            self.workspace, previous, self.now, _files=self.files(), _columns=self._columns
        )


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
