"""The tantivy index: derived data, rebuilt from SQLite + blobs by ``reindex``.

Text fields (tokenised, not stored): command, title, summary, tasks, outputs, errors, tags.
Keyword fields (raw, indexed): status, tag, task_type, handler, mode, persona, lang,
result_id. Fast fields: ``rid`` (the SQLite row, the document's identity), ``ts``
(microseconds since the epoch) and ``success_rate``, for filters and sorts. Nothing big is
stored in the index: snippets are cut from the original, fetched from its blob.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from altlas.errors import (
    ArchiveCorruptError,
    ArchiveInputError,
    ArchiveUnavailableError,
)
from altlas.index.extract import IndexText
from altlas.index.models import Filters
from altlas.index.timeparse import to_micros

__all__ = ["INDEX_SCHEMA_VERSION", "TEXT_FIELDS", "IndexMissing", "SearchIndex"]

INDEX_SCHEMA_VERSION = 1
TEXT_FIELDS = ("command", "title", "summary", "tasks", "errors", "outputs", "tags")
SNIPPET_FIELDS = ("command", "title", "summary", "tasks", "errors", "outputs")
_KEYWORDS = ("status", "tag", "task_type", "handler", "mode", "persona", "lang", "result_id")
_BOOSTS = {"command": 2.0, "title": 2.0, "tasks": 1.5, "summary": 1.2}
_VERSION_FILE = "altlas-index.json"
_WRITER_HEAP = 128_000_000


class IndexMissing(ArchiveCorruptError):
    """The index directory is gone or unreadable."""


def _schema() -> Any:
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_unsigned_field("rid", stored=False, indexed=True, fast=True)
    for name in TEXT_FIELDS:
        # Outputs are the bulk of the text: no positions there (phrases match the other
        # fields) halves the index, and no term frequencies (BM25 counts a term in the outputs
        # once) saves 7-9 us of the writer per document. Indexes built with "freq" keep it:
        # ``open`` takes the schema from the index itself, and both answer the same queries.
        option = "basic" if name == "outputs" else "position"
        sb.add_text_field(name, stored=False, index_option=option)
    for name in _KEYWORDS:
        sb.add_text_field(name, stored=False, tokenizer_name="raw")
    sb.add_integer_field("ts", stored=False, indexed=True, fast=True)
    sb.add_float_field("success_rate", stored=False, indexed=True, fast=True)
    return sb.build()


class SearchIndex:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._index: Any = None
        self._schema: Any = None
        self._copy: Path | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    def exists(self) -> bool:
        return (self.path / _VERSION_FILE).is_file() and (self.path / "meta.json").is_file()

    def version(self) -> int | None:
        try:
            data = orjson.loads((self.path / _VERSION_FILE).read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return None
        value = data.get("schema") if isinstance(data, dict) else None
        return value if isinstance(value, int) else None

    def create(self) -> None:
        """A new empty index (replacing whatever is at the path)."""
        import tantivy

        self.close()
        if self.path.exists():
            shutil.rmtree(self.path)
        self.path.mkdir(parents=True)
        self._schema = _schema()
        self._index = tantivy.Index(self._schema, path=str(self.path), reuse=False)
        writer = self._index.writer(heap_size=15_000_000, num_threads=1)
        writer.commit()
        writer.wait_merging_threads()
        (self.path / _VERSION_FILE).write_bytes(orjson.dumps({"schema": INDEX_SCHEMA_VERSION}))

    def open(self) -> Any:
        if self._index is not None:
            return self._index
        if not self.exists():
            raise IndexMissing(
                "the search index is missing: rebuild it with 'altlas archive reindex'",
                file=str(self.path),
            )
        if self.version() != INDEX_SCHEMA_VERSION:
            raise IndexMissing(
                "the search index was built by another version of altlas: "
                "rebuild it with 'altlas archive reindex'",
                file=str(self.path),
            )
        import tantivy

        try:
            self._index = tantivy.Index.open(str(self.path))
            self._schema = self._index.schema
        except (OSError, ValueError) as exc:
            if self._open_copy():
                return self._index
            raise IndexMissing(
                f"the search index cannot be opened ({exc}): "
                "rebuild it with 'altlas archive reindex'",
                file=str(self.path),
            ) from None
        return self._index

    def _open_copy(self) -> bool:
        """On a home that cannot be written, search a private copy of the index.

        tantivy creates a lock file even to read, which a read-only mount refuses. The index
        is derived data, so a copy in the temporary folder answers the same searches.
        """
        import tempfile

        import tantivy

        from altlas.storage.health import environment_cause

        if environment_cause(self.path) is None:
            return False
        copy = Path(tempfile.mkdtemp(prefix="altlas-index-"))
        try:
            shutil.copytree(self.path, copy / "index")
            self._index = tantivy.Index.open(str(copy / "index"))
            self._schema = self._index.schema
        except (OSError, ValueError):
            shutil.rmtree(copy, ignore_errors=True)
            return False
        self._copy = copy
        return True

    def close(self) -> None:
        self._index = None
        if self._copy is not None:
            shutil.rmtree(self._copy, ignore_errors=True)
            self._copy = None

    @property
    def schema(self) -> Any:
        self.open()
        return self._schema

    # -- writing -----------------------------------------------------------------------------
    @contextmanager
    def writer(self) -> Iterator[Any]:
        """A tantivy writer, committed by the caller; merging threads are joined on exit."""
        writer = self.raw_writer()
        try:
            yield writer
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()

    def raw_writer(self) -> Any:
        """A tantivy writer (one indexing thread: the other core parses); close it with
        ``wait_merging_threads()``."""
        index = self.open()
        try:
            return index.writer(heap_size=_WRITER_HEAP, num_threads=1)
        except ValueError as exc:
            raise ArchiveUnavailableError(
                f"cannot write the search index: {exc}", file=str(self.path)
            ) from None

    @staticmethod
    def document(
        rid: int,
        text: IndexText,
        keywords: Mapping[str, Sequence[str]],
        ts: int,
        success_rate: float,
    ) -> Any:
        import tantivy

        doc = tantivy.Document()
        doc.add_unsigned("rid", rid)
        for name, value in text.fields().items():
            if value:
                doc.add_text(name, value)
        for name, values in keywords.items():
            for value in values:
                if value:
                    doc.add_text(name, value)
        doc.add_integer("ts", ts)
        doc.add_float("success_rate", float(success_rate))
        return doc

    def delete_rids(self, writer: Any, rids: Sequence[int]) -> None:
        import tantivy

        for start in range(0, len(rids), 1000):
            chunk = list(rids[start : start + 1000])
            writer.delete_documents_by_query(
                tantivy.Query.term_set_query(self.schema, "rid", chunk)
            )

    # -- reading -----------------------------------------------------------------------------
    def searcher(self) -> Any:
        index = self.open()
        index.reload()
        return index.searcher()

    def num_docs(self) -> int:
        return int(self.searcher().num_docs)

    def all_rids(self) -> list[int]:
        import tantivy

        searcher = self.searcher()
        total = int(searcher.num_docs)
        if not total:
            return []
        hits = searcher.search(tantivy.Query.all_query(), limit=total, count=False).hits
        return [int(v) for v in searcher.fast_field_values("rid", [addr for _, addr in hits])]

    def parse(self, query: str) -> tuple[Any, list[str]]:
        """The user's query (tantivy syntax, AND by default); lenient with a warning on errors."""
        import tantivy

        index = self.open()
        text = query.strip()
        if not text or text == "*":
            return tantivy.Query.all_query(), []
        try:
            parsed = index.parse_query(
                text, list(TEXT_FIELDS), field_boosts=_BOOSTS, conjunction_by_default=True
            )
            return parsed, []
        except ValueError as exc:
            parsed, errors = index.parse_query_lenient(
                text, list(TEXT_FIELDS), field_boosts=_BOOSTS, conjunction_by_default=True
            )
            if "Query(BooleanQuery { subqueries: [(Should, AllQuery)]" in repr(parsed):
                raise ArchiveInputError(f"invalid query {query!r}: {exc}") from None
            detail = "; ".join(str(e) for e in errors) or str(exc)
            return parsed, [f"query syntax problem ({detail}); searched leniently"]

    def filter_queries(self, filters: Filters) -> list[Any]:
        import tantivy

        schema = self.schema
        out: list[Any] = []

        def any_of(field: str, values: Sequence[str]) -> None:
            if values:
                out.append(tantivy.Query.term_set_query(schema, field, list(values)))

        any_of("status", filters.status)
        any_of("mode", filters.modes)
        any_of("persona", filters.personas)
        any_of("lang", filters.languages)
        for tag in filters.tags:
            out.append(tantivy.Query.term_query(schema, "tag", tag))
        for kind in filters.task_types:
            out.append(tantivy.Query.term_query(schema, "task_type", kind))
        if filters.min_success is not None or filters.max_success is not None:
            out.append(
                tantivy.Query.range_query(
                    schema,
                    "success_rate",
                    tantivy.FieldType.Float,
                    filters.min_success,
                    filters.max_success,
                )
            )
        if filters.since is not None or filters.until is not None:
            out.append(
                tantivy.Query.range_query(
                    schema,
                    "ts",
                    tantivy.FieldType.Integer,
                    to_micros(filters.since) if filters.since else None,
                    to_micros(filters.until) if filters.until else None,
                )
            )
        return out

    def search(
        self,
        query: Any,
        filters: Filters,
        *,
        sort: str,
        ascending: bool,
        limit: int,
        offset: int,
    ) -> tuple[Any, int, list[tuple[float | None, int]]]:
        """``(searcher, total, [(score or None, rid)])``."""
        import tantivy

        searcher = self.searcher()
        extra = self.filter_queries(filters)
        full = query
        if extra:
            full = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, query)] + [(tantivy.Occur.Must, q) for q in extra]
            )
        order = tantivy.Order.Asc if ascending else tantivy.Order.Desc
        field = {"time": "ts", "success": "success_rate"}.get(sort)
        try:
            if field is None:
                found = searcher.search(full, limit=limit, offset=offset, count=True)
            else:
                found = searcher.search(
                    full, limit=limit, offset=offset, count=True, order_by_field=field, order=order
                )
        except ValueError as exc:
            raise ArchiveInputError(f"search failed: {exc}") from None
        addrs = [addr for _, addr in found.hits]
        rids = searcher.fast_field_values("rid", addrs) if addrs else []
        scores = [float(s) if field is None else None for s, _ in found.hits]
        return searcher, int(found.count or 0), list(zip(scores, map(int, rids), strict=True))


def snippet_generators(searcher: Any, query: Any, schema: Any) -> dict[str, Any]:
    import tantivy

    out = {}
    for name in SNIPPET_FIELDS:
        gen = tantivy.SnippetGenerator.create(searcher, query, schema, name)
        gen.set_max_num_chars(180)
        out[name] = gen
    return out


def best_snippet(
    generators: dict[str, Any], text: IndexText
) -> tuple[str | None, str, list[tuple[int, int]]]:
    """The fragment that shows the most distinct query terms: ``(field, fragment, ranges)``.

    Ties go to the earlier field (command, title, summary, tasks, errors, outputs); ranges
    are character offsets into the fragment.
    """
    import tantivy

    fields = text.fields()
    best: tuple[str | None, str, list[tuple[int, int]]] = (None, "", [])
    best_terms = 0
    for name, gen in generators.items():
        value = fields.get(name) or ""
        if not value:
            continue
        doc = tantivy.Document()
        doc.add_text(name, value)
        snip = gen.snippet_from_doc(doc)
        ranges = snip.highlighted()
        if not ranges:
            continue
        raw = snip.fragment().encode()
        terms = {raw[r.start : r.end].lower() for r in ranges}
        if len(terms) <= best_terms:
            continue
        chars = [
            (len(raw[: r.start].decode(errors="ignore")), len(raw[: r.end].decode(errors="ignore")))
            for r in ranges
        ]
        # Same length, so the offsets still hold; tables stay one line per hit.
        frag = raw.decode(errors="replace").replace("\n", " ").replace("\r", " ").replace("\t", " ")
        best, best_terms = (name, frag, chars), len(terms)
    if best[0] is None:
        first = text.command or text.title or text.summary
        return ("command" if text.command else None, first[:180], [])
    return best
