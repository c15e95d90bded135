"""A search's answer: the index's hits, their database rows and their snippets."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from altlas.errors import AltlasError
from altlas.index.blobs import BlobDamaged, BlobMissing
from altlas.index.filters import Filters, SearchSort
from altlas.index.models import SearchHit, SearchResults

if TYPE_CHECKING:
    from altlas.index.parts import ArchiveParts

__all__ = ["find"]

_HIT_COLUMNS = ("id", "result_id", "title", "command", "status", "success_rate", "started_at")
Snippet = tuple[str | None, str, list[tuple[int, int]]]
"""``(field, fragment, highlighted ranges)``."""


def find(
    archive: ArchiveParts,
    query: str,
    filters: Filters,
    *,
    sort: SearchSort,
    ascending: bool,
    limit: int,
    offset: int,
    snippets: bool,
) -> SearchResults:
    """Search the (open, existing) index; rows pruned since it was read are left out."""
    from altlas.index.search import snippet_generators

    parsed, warnings = archive.index.parse(query)
    searcher, total, pairs = archive.index.search(
        parsed, filters, sort=sort, ascending=ascending, limit=limit, offset=offset
    )
    rows = archive.store.hit_rows([rid for _, rid in pairs])
    want_snippets = snippets and query.strip() not in ("", "*")
    gens = snippet_generators(searcher, parsed, archive.index.schema) if want_snippets else {}
    hits: list[SearchHit] = []
    for score, rid in pairs:
        row = rows.get(rid)
        if row is None:
            continue
        hit = SearchHit(**{k: row[k] for k in _HIT_COLUMNS}, score=score)
        if want_snippets:
            hit.snippet_field, hit.fragment, hit.highlights = _snippet(archive, row, gens)
        hits.append(hit)
    return SearchResults(
        query=query,
        total=total,
        offset=offset,
        limit=limit,
        sort=sort.value,
        hits=hits,
        warnings=warnings,
    )


def _snippet(archive: ArchiveParts, row: Any, gens: dict[str, Any]) -> Snippet:
    import orjson

    from altlas.index.extract import IndexText, index_text, index_text_from_data, prepare
    from altlas.index.search import best_snippet

    try:
        raw = archive.blobs.get(row["sha256"])
    except (BlobMissing, BlobDamaged):
        return None, "(the original is missing or damaged: run 'altlas archive verify')", []
    text: IndexText | None = None
    if raw[:1] == b"{":
        # Canonical JSON was validated when it was added: skip validating it again.
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError:
            data = None
        if isinstance(data, dict) and data.get("format") == "altlas.last":
            text = index_text_from_data(data)
    if text is None:
        try:
            text = index_text(
                prepare(raw, display=row["id"], source=None, sha=row["sha256"]).result
            )
        except AltlasError:
            return None, "", []
    field, fragment, ranges = best_snippet(gens, text)
    return field, fragment, ranges
