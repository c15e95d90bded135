"""The data expression language (altlas.run.expr) evaluated on real polars frames."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from altlas.run.expr import FUNCTIONS, MAX_DEPTH, MAX_LENGTH, ExprError, compile_expr

SALES = pl.DataFrame(
    {
        "date": ["2024-01-03", "2024-02-05", "2024-03-01", "2024-03-20"],
        "region": ["North", "South", "North", None],
        "units": [12, 7, 30, 4],
        "price": [12.5, 25.0, 8.75, 40.0],
        "unit price": [1.0, 2.0, 3.0, 4.0],
    }
)


def values(text: str, frame: pl.DataFrame = SALES) -> list[Any]:
    return frame.with_columns(compile_expr(text, frame.schema).alias("v"))["v"].to_list()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("units > 10", [True, False, True, False]),
        ("`units` >= 12", [True, False, True, False]),
        ("units = 7", [False, True, False, False]),
        ("units == 7", [False, True, False, False]),
        ("units != 7", [True, False, True, True]),
        ("units <> 7", [True, False, True, True]),
        ("units < 7", [False, False, False, True]),
        ("units <= 7", [False, True, False, True]),
        ("region == 'North'", [True, False, True, None]),
        ('region = "South"', [False, True, False, None]),
        ("`region` == 'North' and `units` > 20", [False, False, True, False]),
        ("region == 'South' or units < 5", [False, True, False, True]),
        ("not units > 10", [False, True, False, True]),
        ("NOT (units > 10 AND units < 20)", [False, True, True, True]),
        ("region in ('North', 'East')", [True, False, True, None]),
        ("units in (-1, 7, 30)", [False, True, True, False]),
        ("units not in (7, 30)", [True, False, False, True]),
        ("units between 7 and 12", [True, True, False, False]),
        ("units not between 7 and 12", [False, False, True, True]),
        ("region is null", [False, False, False, True]),
        ("region is not null", [True, True, True, False]),
        ("region == null", [False, False, False, True]),
        ("is_null(region)", [False, False, False, True]),
        ("true", [True, True, True, True]),
        ("units > '10'", [True, False, True, False]),
    ],
)
def test_conditions(text: str, expected: list[Any]) -> None:
    assert values(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("units * price", [150.0, 175.0, 262.5, 160.0]),
        ("units + 1", [13, 8, 31, 5]),
        ("units - 2 * 3", [6, 1, 24, -2]),
        ("(units - 2) * 3", [30, 15, 84, 6]),
        ("units / 4", [3.0, 1.75, 7.5, 1.0]),
        ("units % 5", [2, 2, 0, 4]),
        ("-units", [-12, -7, -30, -4]),
        ("abs(-units)", [12, 7, 30, 4]),
        ("round(price / 3, 2)", [4.17, 8.33, 2.92, 13.33]),
        ("round(price / 3)", [4.0, 8.0, 3.0, 13.0]),
        ("`unit price` * 2", [2.0, 4.0, 6.0, 8.0]),
        ("lower(region)", ["north", "south", "north", None]),
        ("upper(region)", ["NORTH", "SOUTH", "NORTH", None]),
        ("length(region)", [5, 5, 5, None]),
        ("contains(region, 'ort')", [True, False, True, None]),
        ("starts_with(region, 'S')", [False, True, False, None]),
        ("ends_with(region, 'th')", [True, True, True, None]),
        ("year(date)", [2024, 2024, 2024, 2024]),
        ("month(date)", [1, 2, 3, 3]),
        ("day(date)", [3, 5, 1, 20]),
        ("year_month(date)", ["2024-01", "2024-02", "2024-03", "2024-03"]),
        ("date >= '2024-03-01'", [False, False, True, True]),
    ],
)
def test_values(text: str, expected: list[Any]) -> None:
    assert values(text) == expected


def test_column_words_resolve_like_steps() -> None:
    """Bare names go through resolve_column: Turkish role words and any case work."""
    assert values("Birim * fiyat") == values("units * price")
    assert values("BÖLGE == 'North'") == values("region == 'North'")


def test_dates_as_real_dates() -> None:
    """A Date column compares with text dates and gives its parts."""
    frame = SALES.with_columns(pl.col("date").str.to_date())
    assert values("date >= '2024-03-01'", frame) == [False, False, True, True]
    assert values("date between '2024-02-01' and '2024-03-01'", frame) == [
        False,
        True,
        True,
        False,
    ]
    assert values("year_month(date)", frame)[0] == "2024-01"
    assert values("month(date) = 3", frame) == [False, False, True, True]


def test_keywords_are_case_insensitive_and_words_stay_columns() -> None:
    frame = pl.DataFrame({"year": [2023, 2024], "android": [1, 2], "order_in": [3, 4]})
    assert values("year > 2023 AND android >= 1 Or order_in = 0", frame) == [False, True]


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        ("read_csv('/etc/passwd')", "unsupported function 'read_csv'", 1),
        ("units > 1 and read_parquet('http://x')", "unsupported function 'read_parquet'", 15),
        ("city IN (SELECT 1)", "unexpected 'SELECT'", 10),
        ("city IN (1)", "no column matches 'city'", 1),
        ("units IN (SELECT * FROM t)", "unexpected 'SELECT'", 11),
        ("units > ", "the expression ends too early", 9),
        ("units >> 3", "unexpected '>'", 8),
        ("units ; drop", "unexpected character ';'", 7),
        ("1 + $x", "unexpected character '$'", 5),
        ("colour = 'red'", "no column matches 'colour'", 1),
        ("units < 3 < 4", "unexpected '<'", 11),
        ("round(units, 1.5)", "whole number", 14),
        ("lower(region, 'x')", "lower takes 1 argument(s), not 2", 1),
        ("units in (units)", "unexpected 'units'", 11),
        ("units in (1, 'a')", "mixes texts, numbers", 11),
        ("99999999999999999999 > units", "too large", 1),
        ("__import__('os')", "unsupported function '__import__'", 1),
    ],
)
def test_errors_are_one_line_and_point_at_the_token(text: str, message: str, column: int) -> None:
    with pytest.raises(ExprError) as caught:
        compile_expr(text, SALES.schema, what="steps[0].where")
    error = caught.value
    assert "\n" not in str(error)
    assert str(error).startswith("steps[0].where: ")
    assert message in str(error)
    assert f"at column {column}" in str(error)
    assert error.details is not None
    assert error.details["caret"] == " " * (column - 1) + "^"
    assert error.error_type == "ExprError"


@pytest.mark.parametrize(
    "text",
    ["", "   ", "x" * (MAX_LENGTH + 1), "units\x00", "not " * (MAX_DEPTH + 1) + "true"],
)
def test_limits(text: str) -> None:
    with pytest.raises(ExprError):
        compile_expr(text, SALES.schema)


def test_deep_but_allowed_nesting_works() -> None:
    assert values("(" * 40 + "units" + ")" * 40) == [12, 7, 30, 4]


def test_the_function_list_is_fixed() -> None:
    assert set(FUNCTIONS) == {
        "contains",
        "starts_with",
        "ends_with",
        "lower",
        "upper",
        "length",
        "abs",
        "round",
        "year",
        "month",
        "day",
        "year_month",
        "is_null",
    }


_COLUMNS = {"units": "units", "price": "price", "`unit price`": "unit price"}
_OPS = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b}


@st.composite
def arithmetic(draw: st.DrawFn, depth: int = 3) -> tuple[str, Any]:
    """Generated arithmetic text and the Python function of a row it should compute."""
    if depth == 0 or draw(st.booleans()):
        if draw(st.booleans()):
            name = draw(st.sampled_from(sorted(_COLUMNS)))
            return name, lambda row, c=_COLUMNS[name]: row[c]
        number = draw(st.integers(0, 1000) | st.floats(0, 1e6, allow_nan=False))
        text = str(number) if isinstance(number, int) else f"{number:.3f}"
        value = float(text) if "." in text else int(text)
        return text, lambda row, v=value: v
    op = draw(st.sampled_from(sorted(_OPS)))
    (left, f), (right, g) = draw(arithmetic(depth - 1)), draw(arithmetic(depth - 1))
    return f"({left} {op} {right})", lambda row: _OPS[op](f(row), g(row))


@settings(max_examples=150, deadline=None)
@given(arithmetic())
def test_arithmetic_matches_python(case: tuple[str, Any]) -> None:
    """Generated arithmetic gives the same numbers as Python on each row."""
    text, oracle = case
    got = values(text)
    for i, row in enumerate(SALES.iter_rows(named=True)):
        assert got[i] == pytest.approx(oracle(row), rel=1e-9, abs=1e-6)


def test_lark_and_rapidfuzz_load_only_when_an_expression_is_compiled() -> None:
    """`import altlas`, the CLI and the handler registry stay light: lark, rapidfuzz and polars
    load when a data task runs, not before."""
    import subprocess
    import sys

    code = (
        "import altlas, altlas.cli.main, altlas.run.handlers.data, altlas.run.columns\n"
        "from altlas.run.handlers import HandlerRegistry\n"
        "HandlerRegistry.builtin()\n"
        "import sys\nprint(' '.join(sorted(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    loaded = {name.split(".")[0] for name in out.split()}
    assert not loaded & {"lark", "rapidfuzz", "polars"}


@pytest.mark.parametrize(
    "module",
    [
        "altlas.run.columns",
        "altlas.run.expr",
        "altlas.run.handlers.data",
        "altlas.run.handlers.data_io",
        "altlas.run.handlers.data_query",
        "altlas.run.handlers.data_answer",
        "altlas.run.handlers.archive",
    ],
)
def test_each_module_imports_first(module: str) -> None:
    """No import cycle: any of these can be the first altlas module a process imports."""
    import subprocess
    import sys

    subprocess.run([sys.executable, "-c", f"import {module}"], check=True, capture_output=True)


def test_integer_literals_do_not_wrap_at_32_bits() -> None:
    """Literal-only products past 2**31 keep their value (polars would type them Int32)."""
    assert values("(346 * (346 * (130 * 138)))")[0] == 346 * 346 * 130 * 138
