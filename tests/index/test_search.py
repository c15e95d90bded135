"""Search: tantivy syntax, every filter, sorts, paging, snippets, errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from altlas.errors import AltlasError, ArchiveError
from altlas.index import Archive, FilterError, Filters


@pytest.fixture
def filled(archive: Archive, mkresult) -> Archive:
    day = datetime(2025, 3, 1, tzinfo=UTC)
    docs = [
        mkresult(
            "r_ok",
            ["completed", "completed"],
            types=["search", "summarize"],
            started=day,
            command="find the quarterly invoice report",
            tags=["finance"],
            language="en",
            mode="normal",
            persona="researcher",
        ),
        mkresult(
            "r_half",
            ["completed", "failed"],
            types=["execute", "create"],
            started=day + timedelta(days=1),
            command="deploy the invoice service",
            tags=["ops", "finance"],
            language="en",
            mode="dream",
            persona="technical_expert",
            errors=[("TimeoutError", "deploy timed out after 30 s")],
        ),
        mkresult(
            "r_bad",
            ["failed"],
            types=["execute"],
            started=day + timedelta(days=2),
            command="fatura raporunu bul",
            tags=["ops"],
            language="tr",
            mode="chaos",
            persona=None,
            errors=[("HTTPError", "GET /invoices returned 503")],
        ),
        mkresult(
            "r_most",
            ["completed", "completed", "completed", "failed"],
            types=["search", "search", "analyze", "open"],
            started=day + timedelta(days=3),
            command="analyze churn in the invoice data",
            tags=["finance"],
            language="en",
            mode="explore",
            persona="data_analyst",
        ),
    ]
    for doc in docs:
        archive.add_result(doc)
    return archive


def _ids(found) -> list[str]:
    return [h.result_id for h in found]


def test_term_query_finds_all_fields(filled: Archive) -> None:
    assert set(_ids(filled.search("invoice"))) == {"r_ok", "r_half", "r_most"}
    assert _ids(filled.search("fatura")) == ["r_bad"]
    assert _ids(filled.search("timed")) == ["r_half"]  # error messages are indexed
    assert _ids(filled.search("503")) == ["r_bad"]


def test_words_must_all_match_and_syntax_works(filled: Archive) -> None:
    assert _ids(filled.search("invoice deploy")) == ["r_half"]
    assert set(_ids(filled.search("deploy OR fatura"))) == {"r_half", "r_bad"}
    assert _ids(filled.search('"quarterly invoice"')) == ["r_ok"]
    assert set(_ids(filled.search("invoice -churn"))) == {"r_ok", "r_half"}
    assert _ids(filled.search("command:churn")) == ["r_most"]


_FILTER_CASES = [
    ({"status": "failure"}, {"r_bad"}),
    ({"status": ["success", "failure"]}, {"r_ok", "r_bad"}),
    ({"min_success": 0.5, "max_success": 0.8}, {"r_half", "r_most"}),
    ({"tag": "finance"}, {"r_ok", "r_half", "r_most"}),
    ({"tag": ["finance", "ops"]}, {"r_half"}),
    ({"task_type": "execute"}, {"r_half", "r_bad"}),
    ({"task_type": ["search", "open"]}, {"r_most"}),
    ({"mode": "Chaos"}, {"r_bad"}),
    ({"persona": "data_analyst"}, {"r_most"}),
    ({"lang": "tr"}, {"r_bad"}),
    ({"since": "2025-03-02", "until": "2025-03-03T12:00:00Z"}, {"r_half", "r_bad"}),
]


@pytest.mark.parametrize(("given", "expected"), _FILTER_CASES)
def test_every_filter_narrows_search_records_and_stats_alike(
    filled: Archive, given: dict[str, object], expected: set[str]
) -> None:
    """One Filters, three ways in: the full-text index and the database agree."""
    filters = Filters(**given)
    assert set(_ids(filled.search("*", filters))) == expected
    assert set(_ids(filled.search("*", given))) == expected  # a mapping of public names
    assert {r.result_id for r in filled.records(filters)} == expected
    assert filled.stats(filters).results == len(expected)


def test_filters_combine_with_a_query(filled: Archive) -> None:
    found = filled.search("invoice", Filters(status="partial_success", mode="explore"))
    assert _ids(found) == ["r_most"]


def test_field_names_and_public_names_are_the_same_filter() -> None:
    assert Filters(tag="a", lang="EN", task_type="x") == Filters(
        tags=["a"], languages=["en"], task_types=["x"]
    )
    assert Filters.of(None).empty and Filters.of({"status": None}).empty


def test_sorting_and_paging(filled: Archive) -> None:
    newest = _ids(filled.search("*", sort="time", limit=10))
    assert newest == ["r_most", "r_bad", "r_half", "r_ok"]
    assert _ids(filled.search("*", sort="time", ascending=True)) == newest[::-1]
    assert _ids(filled.search("*", sort="success")) == ["r_ok", "r_most", "r_half", "r_bad"]
    page = filled.search("*", sort="time", limit=2, offset=1)
    assert _ids(page) == ["r_bad", "r_half"] and page.total == 4
    scored = filled.search("invoice")
    assert all(h.score is not None for h in scored)
    assert [h.score for h in scored] == sorted((h.score for h in scored), reverse=True)


def test_snippets_highlight_the_matches(filled: Archive) -> None:
    hit = filled.search("churn").hits[0]
    assert hit.snippet_field == "command"
    assert [hit.fragment[a:b] for a, b in hit.highlights] == ["churn"]
    assert "**churn**" in hit.snippet
    tr = filled.search("raporunu").hits[0]
    assert [tr.fragment[a:b] for a, b in tr.highlights] == ["raporunu"]
    data = hit.as_dict()
    assert data["id"] == hit.id and data["snippet"] == hit.snippet
    assert {"id", "title", "command", "status", "success_rate", "snippet", "score"} <= set(data)


def test_bad_queries(filled: Archive) -> None:
    found = filled.search("invoice AND (")
    assert found.warnings and "leniently" in found.warnings[0]
    with pytest.raises(AltlasError, match="unknown sort"):
        filled.search("x", sort="size")
    with pytest.raises(FilterError, match=r"^status: unknown status 'great'"):
        filled.search("x", {"status": "great"})
    with pytest.raises(FilterError, match=r"^since: invalid time"):
        filled.search("x", Filters(since="yesterday"))
    with pytest.raises(FilterError, match=r"^min_success: .*less than or equal to 1"):
        filled.records({"min_success": 2})
    with pytest.raises(FilterError, match="unknown filter 'colour'"):
        filled.records({"colour": "red"})
    with pytest.raises(FilterError, match="unknown sort 'rid'"):
        filled.records(sort="rid")


def test_search_on_a_fresh_home_is_empty(archive: Archive) -> None:
    found = archive.search("anything")
    assert found.total == 0 and found.hits == []


def test_a_deleted_index_gives_a_clear_message_and_reindex_restores(filled: Archive) -> None:
    import shutil

    shutil.rmtree(filled.index.path)
    filled.close()
    with pytest.raises(ArchiveError, match=r"search index is missing.*altlas archive reindex"):
        filled.search("invoice")
    report = filled.reindex()
    assert report.documents == 4
    assert set(_ids(filled.search("invoice"))) == {"r_ok", "r_half", "r_most"}


def test_writers_rebuild_a_missing_index(filled: Archive, mkresult) -> None:
    """An add finds the index gone, rebuilds it from the rows, then adds."""
    import shutil

    shutil.rmtree(filled.index.path)
    filled.close()
    filled.add_result(mkresult("r_new", ["completed"], command="invoice follow-up"))
    assert len(filled.search("invoice").hits) == 4
    assert filled.verify().ok


@pytest.mark.parametrize(
    "hostile",
    ["finance' OR '1'='1", 'finance" OR tag:*', "finance) OR (1=1", "%", "*", "tag:finance"],
)
def test_filter_values_are_values_never_syntax(filled: Archive, hostile: str) -> None:
    """A tag, mode or persona reaches SQL and tantivy as a parameter, not as query text."""
    for given in ({"tag": hostile}, {"mode": hostile}, {"persona": hostile}):
        assert _ids(filled.search("*", given)) == []
        assert filled.records(given) == []


def test_each_public_filter_is_bound_to_exactly_one_field() -> None:
    """The spec (names the CLI and HTTP use) and the model (types) stay one to one."""
    from altlas.index.filters import field_of
    from altlas.index.filterspec import FILTER_PARAMS, FilterParam

    bound = [
        m
        for info in Filters.model_fields.values()
        for m in info.metadata
        if isinstance(m, FilterParam)
    ]
    assert bound == list(FILTER_PARAMS)
    assert len({field_of(p) for p in FILTER_PARAMS}) == len(Filters.model_fields)


def _outputs_record(index_dir) -> str:
    import json

    meta = json.loads((index_dir / "meta.json").read_text())
    field = next(f for f in meta["schema"] if f["name"] == "outputs")
    return str(field["options"]["indexing"]["record"])


def _freq_schema():
    """The schema indexes were built with before session 17: term frequencies in outputs."""
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_unsigned_field("rid", stored=False, indexed=True, fast=True)
    for name in ("command", "title", "summary", "tasks", "outputs", "errors", "tags"):
        option = "freq" if name == "outputs" else "position"
        sb.add_text_field(name, stored=False, index_option=option)
    for name in ("status", "tag", "task_type", "handler", "mode", "persona", "lang", "result_id"):
        sb.add_text_field(name, stored=False, tokenizer_name="raw")
    sb.add_integer_field("ts", stored=False, indexed=True, fast=True)
    sb.add_float_field("success_rate", stored=False, indexed=True, fast=True)
    return sb.build()


def test_an_index_with_frequencies_in_outputs_keeps_working(filled: Archive, mkresult) -> None:
    """New indexes keep no frequencies in outputs; older ones keep theirs, with no reindex."""
    import shutil
    import sqlite3

    import tantivy

    assert _outputs_record(filled.index.path) == "basic"
    before = {q: sorted(_ids(filled.search(q))) for q in ("outputs:step", "invoice")}
    path = filled.index.path
    filled.close()
    shutil.rmtree(path)
    path.mkdir()
    tantivy.Index(_freq_schema(), path=str(path))
    (path / "altlas-index.json").write_text('{"schema": 1}')
    with sqlite3.connect(filled.store.path) as conn:  # the next writer catches these up
        conn.execute("UPDATE results SET indexed = 0")
    conn.close()
    filled.add_result(mkresult("r_new", ["completed"], command="invoice follow-up"))
    assert _outputs_record(path) == "freq"
    assert sorted(_ids(filled.search("outputs:step"))) == sorted([*before["outputs:step"], "r_new"])
    assert sorted(_ids(filled.search("invoice"))) == sorted([*before["invoice"], "r_new"])
    assert _ids(filled.search('"quarterly invoice"')) == ["r_ok"]
    assert _ids(filled.search("step", Filters(tag="finance"))) != []
    assert filled.verify().ok
    filled.reindex()
    assert _outputs_record(path) == "basic"
    assert sorted(_ids(filled.search("outputs:step"))) == sorted([*before["outputs:step"], "r_new"])
