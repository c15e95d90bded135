"""Plan text in data expressions must never reach an interpreter (issue 9, item 1).

The old data handler gave ``where`` and ``expressions`` to ``pl.sql_expr``, whose table
functions read any file (the JWT key) and fetched any URL. These tests run the exploits
through the real runner and a real loopback HTTP server.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import altlas
from altlas.formats.common import TaskStatus
from altlas.formats.plan import Plan

SECRET = "jwt-signing-key-7f3a9c41d2"
CSV = "city,sales\nAnkara,10\nIzmir,5\n"


def _plan(params: dict[str, Any]) -> Plan:
    return Plan.model_validate(
        {
            "id": "plan_probe",
            "tasks": [{"id": "t", "type": "data_processing", "parameters": params}],
        }
    )


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "sales.csv").write_text(CSV)
    return workspace


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    keys = tmp_path / "home" / "keys"
    keys.mkdir(parents=True)
    path = keys / "jwt.key"
    path.write_text(f"{SECRET}\n")
    return path


# The server runs in its own process: polars fetches URLs from Rust while holding the GIL,
# so a server thread in this process would never get to answer (or to record the request).
_SERVER = r"""
import http.server, sys

class Recorder(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with open(sys.argv[1], "a") as log:
            log.write(self.command + " " + self.path + "\n")
        body = b"city\nAnkara\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(body)

    do_HEAD = do_GET

    def log_message(self, *args):
        pass

httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
print(httpd.server_address[1], flush=True)
httpd.serve_forever()
"""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A real HTTP server on loopback in a subprocess; its request log."""
    log = tmp_path / "requests.log"
    log.write_text("")
    proc = subprocess.Popen(
        [sys.executable, "-c", _SERVER, str(log)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        yield f"http://127.0.0.1:{port}", log
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


def _run_probe(ws: Path, params: dict[str, Any]) -> tuple[Any, str]:
    result = altlas.run(_plan(params), workspace=ws)
    dumped = orjson.dumps(result.model_dump(mode="json"), default=str).decode()
    return result.task("t"), dumped


def _assert_refused(task: Any, dumped: str) -> None:
    assert task.status is TaskStatus.FAILED
    assert SECRET not in dumped
    assert "\n" not in task.error.message


def test_where_cannot_read_a_file(ws: Path, key_file: Path) -> None:
    where = f"city IN (SELECT column_1 FROM read_csv('{key_file}'))"
    task, dumped = _run_probe(ws, {"operation": "filter", "source": "sales.csv", "where": where})
    _assert_refused(task, dumped)


def test_where_cannot_leak_a_file_through_an_error(ws: Path, key_file: Path) -> None:
    where = f"sales = (SELECT column_1 FROM read_csv('{key_file}'))"
    task, dumped = _run_probe(ws, {"operation": "filter", "source": "sales.csv", "where": where})
    _assert_refused(task, dumped)


def test_expressions_cannot_read_a_file(ws: Path, key_file: Path) -> None:
    expr = f"(SELECT max(column_1) FROM read_csv('{key_file}'))"
    task, dumped = _run_probe(
        ws, {"operation": "map", "source": "sales.csv", "expressions": {"leak": expr}}
    )
    _assert_refused(task, dumped)


def test_query_steps_cannot_read_a_file(ws: Path, key_file: Path) -> None:
    expr = f"(SELECT max(column_1) FROM read_csv('{key_file}'))"
    task, dumped = _run_probe(
        ws,
        {
            "operation": "query",
            "source": "sales.csv",
            "steps": [
                {"op": "derive", "column": "leak", "expr": expr},
                {"op": "filter", "where": f"city IN (SELECT * FROM read_csv('{key_file}'))"},
            ],
        },
    )
    _assert_refused(task, dumped)


@pytest.mark.parametrize("reader", ["read_csv", "read_parquet", "read_json", "read_ndjson"])
def test_where_makes_no_http_request(ws: Path, server: tuple[str, Path], reader: str) -> None:
    url, log = server
    where = f"city IN (SELECT city FROM {reader}('{url}/x'))"
    task, _ = _run_probe(ws, {"operation": "filter", "source": "sales.csv", "where": where})
    assert log.read_text() == ""
    assert task.status is TaskStatus.FAILED


def test_expressions_make_no_http_request(ws: Path, server: tuple[str, Path]) -> None:
    url, log = server
    expr = f"(SELECT max(city) FROM read_csv('{url}/y'))"
    task, _ = _run_probe(
        ws, {"operation": "map", "source": "sales.csv", "expressions": {"x": expr}}
    )
    assert log.read_text() == ""
    assert task.status is TaskStatus.FAILED


def test_error_points_at_the_offending_token(ws: Path, key_file: Path) -> None:
    """The refusal is one line naming where the bad token starts."""
    task, _ = _run_probe(
        ws,
        {"operation": "filter", "source": "sales.csv", "where": f"read_csv('{key_file}')"},
    )
    assert task.status is TaskStatus.FAILED
    assert "read_csv" in task.error.message
    assert "column 1" in task.error.message


_TOKENS = [
    "city",
    "sales",
    "`city`",
    "'x'",
    '"y"',
    "1",
    "2.5",
    "-3",
    "true",
    "null",
    "==",
    "=",
    "!=",
    "<>",
    "<",
    "<=",
    ">",
    ">=",
    "and",
    "or",
    "not",
    "in",
    "between",
    "(",
    ")",
    ",",
    "+",
    "-",
    "*",
    "/",
    "%",
    "contains",
    "lower",
    "round",
    "year",
    "is_null",
    "read_csv",
    "select",
    "from",
    "eval",
    "__import__",
    "pl",
    "'; drop table x; --",
    "\\",
    "`",
    "'",
    "1e999",
    "0x10",
    "..",
    ".",
    "$",
    "{{ x }}",
]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.one_of(
        st.text(max_size=60),
        st.lists(st.sampled_from(_TOKENS), max_size=14).map(" ".join),
    )
)
def test_fuzz_any_text_is_an_expression_or_one_clean_error(text: str) -> None:
    """Random text compiles to a polars expression or fails with one line; never SQL."""
    import polars as pl

    from altlas.run.expr import ExprError, compile_expr

    calls: list[str] = []
    frame = pl.DataFrame({"city": ["Ankara", "Izmir"], "sales": [10, 5]})
    with pytest.MonkeyPatch.context() as patch:
        for name in ("sql", "sql_expr", "SQLContext"):
            patch.setattr(pl, name, lambda *a, _n=name, **k: calls.append(_n))
        try:
            expr = compile_expr(text, frame.schema)
        except ExprError as exc:
            assert "\n" not in str(exc)
            assert str(exc).strip()
        else:
            assert isinstance(expr, pl.Expr)
            # a type clash such as 'x' + 1 is a polars error: the handler reports a DataError
            with contextlib.suppress(pl.exceptions.PolarsError):
                frame.select(expr)
    assert calls == []


def _archived(home: Path, ws: Path) -> None:
    """A real archive in ``home`` holding two real run results."""
    from altlas.index import Archive

    with Archive(home) as archive:
        for n, words in enumerate(["quarterly sales report", "weather notes"]):
            plan = Plan.model_validate(
                {
                    "id": f"plan_{n}",
                    "command": words,
                    "tasks": [{"id": "t", "type": "echo", "parameters": {"message": words}}],
                }
            )
            archive.add_result(altlas.run(plan, workspace=ws))


@pytest.mark.parametrize(
    "query",
    [
        "* OR sales",
        "status:completed",
        "weather OR sales",
        "sales -weather",
        "ts:[0 TO 99999999999999999]",
    ],
)
def test_archive_query_is_words_not_tantivy_syntax(ws: Path, altlas_home: Path, query: str) -> None:
    """A plan's query reaches the index as plain words: no operators, fields or ranges."""
    _archived(altlas_home, ws)
    plan = Plan.model_validate(
        {
            "id": "p",
            "tasks": [
                # the handler named directly: no segmentation vocabulary tidies the query first
                {"id": "t", "type": "lookup", "handler": "archive", "parameters": {"query": query}}
            ],
        }
    )
    task = altlas.run(plan, workspace=ws).task("t")
    assert task.status is TaskStatus.COMPLETED, task.error
    assert task.output["count"] <= 1
    assert not set(task.output["query"]) & set("*:[]\"'()-+^~")


def test_archive_filters_are_an_allowlist(ws: Path, altlas_home: Path) -> None:
    _archived(altlas_home, ws)
    plan = Plan.model_validate(
        {
            "id": "p",
            "tasks": [
                {"id": "t", "type": "search", "parameters": {"query": "sales", "status": 7}},
            ],
        }
    )
    task = altlas.run(plan, workspace=ws).task("t")
    assert task.status is TaskStatus.FAILED
    assert "parameters.status" in task.error.message
