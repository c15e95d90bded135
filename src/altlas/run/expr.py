"""The data expression language: plan text in, polars expressions out, never SQL.

A plan's ``where``, ``expr`` and ``expressions`` are parsed with a lark LALR grammar and
built into polars expressions from an allowlist of node kinds and functions. Nothing here
can name a table, a file, a URL or any function outside :data:`FUNCTIONS`; there is no
path from this text to ``pl.sql``, ``pl.sql_expr``, ``eval`` or an SQL string (issue 9).

The syntax, with examples, is in docs/runner.md ("Data queries and the expression language").
Column names are matched with :func:`altlas.run.columns.resolve_column`, so ``Birim`` finds
``units``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from altlas.run.columns import ColumnError, resolve_column, shown
from altlas.run.handlers.base import PermanentError

if TYPE_CHECKING:
    import lark
    import polars as pl

__all__ = ["FUNCTIONS", "MAX_DEPTH", "MAX_LENGTH", "ExprError", "compile_expr"]

MAX_LENGTH = 2000
MAX_DEPTH = 48
_I64 = (-(2**63), 2**63 - 1)

_GRAMMAR = r"""
?start: or_test
?or_test: and_test | or_test _OR and_test -> or_
?and_test: not_test | and_test _AND not_test -> and_
?not_test: _NOT not_test -> not_ | comparison
?comparison: sum
    | sum COMPARE sum -> compare
    | sum _IN "(" items ")" -> in_
    | sum _NOT _IN "(" items ")" -> not_in
    | sum _BETWEEN sum _AND sum -> between
    | sum _NOT _BETWEEN sum _AND sum -> not_between
    | sum _IS _NULL -> is_null
    | sum _IS _NOT _NULL -> is_not_null
?sum: product | sum ADD product -> arith
?product: unary | product MUL unary -> arith
?unary: atom | "-" unary -> neg | "+" unary
?atom: literal
    | NAME -> column
    | QUOTED_NAME -> column
    | NAME "(" [or_test ("," or_test)*] ")" -> call
    | "(" or_test ")"
items: item ("," item)*
?item: literal | "-" NUMBER -> negative
literal: NUMBER -> number
    | STRING -> string
    | _TRUE -> true
    | _FALSE -> false
    | _NULL -> null

COMPARE: "==" | "!=" | "<>" | "<=" | ">=" | "<" | ">" | "="
ADD: "+" | "-"
MUL: "*" | "/" | "%"
_OR.2: /or\b/i
_AND.2: /and\b/i
_NOT.2: /not\b/i
_IN.2: /in\b/i
_IS.2: /is\b/i
_BETWEEN.2: /between\b/i
_TRUE.2: /true\b/i
_FALSE.2: /false\b/i
_NULL.2: /null\b/i
NAME: /(?!\d)\w+/
QUOTED_NAME: /`[^`]+`/
STRING: /'(?:[^'\\]|\\.)*'/ | /"(?:[^"\\]|\\.)*"/
NUMBER: /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/
%ignore /\s+/
"""

FUNCTIONS: dict[str, tuple[int, int]] = {
    "contains": (2, 2),
    "starts_with": (2, 2),
    "ends_with": (2, 2),
    "lower": (1, 1),
    "upper": (1, 1),
    "length": (1, 1),
    "abs": (1, 1),
    "round": (1, 2),
    "year": (1, 1),
    "month": (1, 1),
    "day": (1, 1),
    "year_month": (1, 1),
    "is_null": (1, 1),
}
"""The only functions an expression may call: name → (fewest, most) arguments."""

_COMPARE: dict[str, Callable[[pl.Expr, Any], pl.Expr]] = {
    "==": lambda a, b: a == b,
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<>": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}
_ARITH: dict[str, Callable[[pl.Expr, pl.Expr], pl.Expr]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "%": lambda a, b: a % b,
}
_TOKEN_NAMES = {
    "RPAR": "')'",
    "LPAR": "'('",
    "COMMA": "','",
    "COMPARE": "a comparison",
    "ADD": "'+' or '-'",
    "MUL": "'*', '/' or '%'",
    "NAME": "a column or function name",
    "QUOTED_NAME": "a `column`",
    "STRING": "a 'text'",
    "NUMBER": "a number",
    "MINUS": "'-'",
    "PLUS": "'+'",
    "$END": "the end",
}


class ExprError(PermanentError):
    """An expression that is not in the language; the message points at the token."""

    default_type = "ExprError"


@lru_cache(maxsize=1)
def _parser() -> lark.Lark:
    import lark

    return lark.Lark(_GRAMMAR, parser="lalr", propagate_positions=True, maybe_placeholders=False)


def _caret(text: str, column: int) -> dict[str, Any]:
    return {"expression": text, "caret": " " * max(column - 1, 0) + "^", "column": column}


def _fail(what: str, text: str, message: str, column: int) -> ExprError:
    return ExprError(f"{what}: {message} at column {column}", details=_caret(text, column))


def _expected(names: set[str] | frozenset[str]) -> str:
    shown = sorted({_TOKEN_NAMES.get(n, n.strip("_").lower()) for n in names})
    return ", ".join(shown[:6]) + (", …" if len(shown) > 6 else "")


def _parse(text: str, what: str) -> lark.Tree[Any]:
    import lark

    try:
        return _parser().parse(text)
    except lark.UnexpectedCharacters as exc:
        bad = text[exc.pos_in_stream or 0]
        raise _fail(what, text, f"unexpected character {bad!r}", exc.column) from None
    except lark.UnexpectedEOF:
        raise _fail(what, text, "the expression ends too early", len(text) + 1) from None
    except lark.UnexpectedToken as exc:
        token = exc.token
        if token.type == "$END":
            raise _fail(what, text, "the expression ends too early", len(text) + 1) from None
        column = int(token.column or 1)
        message = f"unexpected {str(token)!r} (expected {_expected(exc.expected)})"
        raise _fail(what, text, message, column) from None


def _unknown_function(what: str, text: str, name: str, column: int) -> ExprError:
    allowed = ", ".join(FUNCTIONS)
    return _fail(what, text, f"unsupported function '{shown(name)}' (allowed: {allowed})", column)


def _depth(tree: lark.Tree[Any]) -> int:
    import lark

    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((c, depth + 1) for c in node.children if isinstance(c, lark.Tree))
    return deepest


def compile_expr(
    text: str,
    columns: Sequence[str] | Mapping[str, Any],
    *,
    what: str = "expression",
) -> pl.Expr:
    """``text`` as a polars expression over a table with ``columns`` (names or a schema).

    ``what`` names the field in errors (``steps[0].where``). Raises :class:`ExprError`
    (one line; ``details`` holds the text and a caret line) for anything not in the language.
    """
    if not isinstance(text, str) or not text.strip():
        raise ExprError(f"{what}: the expression is empty")
    if len(text) > MAX_LENGTH:
        raise ExprError(f"{what}: the expression is longer than {MAX_LENGTH} characters")
    if "\x00" in text:
        raise ExprError(f"{what}: the expression holds a NUL character")
    tree = _parse(text, what)
    if _depth(tree) > MAX_DEPTH:
        raise ExprError(f"{what}: the expression is nested more than {MAX_DEPTH} levels deep")
    return _Builder(text, columns, what).build(tree)


class _Builder:
    """Turns the parse tree into a polars expression; every node kind is listed here."""

    def __init__(self, text: str, columns: Sequence[str] | Mapping[str, Any], what: str):
        self.text = text
        self.what = what
        self.names = list(columns)
        self.schema = dict(columns) if isinstance(columns, Mapping) else None

    def fail(self, message: str, node: Any) -> ExprError:
        column = getattr(node, "column", None) or getattr(getattr(node, "meta", None), "column", 1)
        return _fail(self.what, self.text, message, int(column or 1))

    def build(self, node: Any) -> pl.Expr:
        import polars as pl

        kind = node.data
        kids = node.children
        if kind in ("number", "negative", "string", "true", "false", "null"):
            return self.literal(node)[0]
        if kind == "column":
            return pl.col(self.column(kids[0]))
        if kind == "or_":
            return self.build(kids[0]) | self.build(kids[1])
        if kind == "and_":
            return self.build(kids[0]) & self.build(kids[1])
        if kind == "not_":
            return ~self.build(kids[0])
        if kind == "neg":
            return -self.build(kids[0])
        if kind == "arith":
            return _ARITH[str(kids[1])](self.build(kids[0]), self.build(kids[2]))
        if kind == "compare":
            return self.compare(kids[0], str(kids[1]), kids[2])
        if kind in ("in_", "not_in"):
            found = self.any_equal(kids[0], kids[1])
            return ~found if kind == "not_in" else found
        if kind in ("between", "not_between"):
            low = self.coerced(kids[1], kids[0])
            high = self.coerced(kids[2], kids[0])
            inside = self.build(kids[0]).is_between(low, high, closed="both")
            return ~inside if kind == "not_between" else inside
        if kind in ("is_null", "is_not_null"):
            value = self.build(kids[0])
            return value.is_null() if kind == "is_null" else value.is_not_null()
        if kind == "call":
            return self.call(kids[0], kids[1:])
        raise self.fail(f"'{kind}' is not part of the expression language", node)

    def literal(self, node: Any) -> tuple[pl.Expr, Any]:
        import polars as pl

        kind = node.data
        if kind in ("number", "negative"):
            raw = str(node.children[0])
            value: Any = float(raw) if any(c in raw for c in ".eE") else int(raw)
            value = -value if kind == "negative" else value
            if isinstance(value, int) and not _I64[0] <= value <= _I64[1]:
                raise self.fail(f"the number {raw} is too large", node.children[0])
            if isinstance(value, int):
                # polars types a small literal as Int32, so literal-only arithmetic wrapped
                # silently (346 * 346 * 130 * 138 came out negative); Python ints are 64-bit here.
                return pl.lit(value, dtype=pl.Int64), value
            return pl.lit(value), value
        if kind == "string":
            value = _unquote(str(node.children[0]))
            return pl.lit(value, dtype=pl.String), value
        value = {"true": True, "false": False, "null": None}[kind]
        return pl.lit(value), value

    def any_equal(self, value: Any, items: Any) -> pl.Expr:
        """``value in (a, b)``: equal to any item, each compared as ``==`` would."""
        import polars as pl

        def kind(node: Any) -> str:
            return "number" if node.data in ("number", "negative") else str(node.data)

        kinds = {kind(item) for item in items.children if item.data != "null"}
        if len(kinds - {"true", "false"}) > 1 or (kinds & {"true", "false"} and len(kinds) > 2):
            raise self.fail("the list mixes texts, numbers and true/false", items)
        # == rather than is_in: it coerces like a comparison (int to float, text to date)
        return pl.any_horizontal([self.compare(value, "==", item) for item in items.children])

    def column(self, token: Any) -> str:
        word = str(token)
        if token.type == "QUOTED_NAME":
            word = word[1:-1]
        try:
            return resolve_column(word, self.names)
        except ColumnError as exc:
            raise self.fail(exc.message, token) from None

    def dtype(self, expr: pl.Expr) -> Any:
        """The dtype ``expr`` would have over the schema, or None when unknown."""
        if self.schema is None:
            return None
        import polars as pl

        try:
            schema = pl.LazyFrame(schema=self.schema).select(expr).collect_schema()
        except pl.exceptions.PolarsError:
            return None
        return next(iter(schema.values()), None)

    def coerced(self, node: Any, other: Any) -> pl.Expr:
        """``node`` built; a text literal next to a date or number column becomes one too."""
        import polars as pl

        expr = self.build(node)
        if node.data != "string":
            return expr
        kind = self.dtype(self.build(other))
        raw = _unquote(str(node.children[0]))
        if kind is not None and kind.is_temporal():
            return pl.lit(raw).str.to_datetime(strict=True).cast(kind)
        if kind is not None and kind.is_numeric():
            try:
                return pl.lit(float(raw) if any(c in raw for c in ".eE") else int(raw))
            except ValueError:
                raise self.fail(f"{shown(repr(raw))} is not a number", node.children[0]) from None
        return expr

    def compare(self, left: Any, op: str, right: Any) -> pl.Expr:
        if right.data == "null" or left.data == "null":
            value = self.build(left if right.data == "null" else right)
            return value.is_null() if op in ("==", "=") else value.is_not_null()
        return _COMPARE[op](self.coerced(left, right), self.coerced(right, left))

    def call(self, name_token: Any, args: list[Any]) -> pl.Expr:
        name = str(name_token).lower()
        if name not in FUNCTIONS:
            raise _unknown_function(self.what, self.text, str(name_token), name_token.column)
        fewest, most = FUNCTIONS[name]
        if not fewest <= len(args) <= most:
            wanted = str(fewest) if fewest == most else f"{fewest} or {most}"
            raise self.fail(f"{name} takes {wanted} argument(s), not {len(args)}", name_token)
        built = [self.build(a) for a in args]
        if name == "round":
            digits = 0
            if len(args) == 2:
                if args[1].data != "number" or "." in str(args[1].children[0]):
                    raise self.fail("round's second argument must be a whole number", args[1])
                digits = int(str(args[1].children[0]))
            return built[0].round(min(digits, 15))
        return _FUNCTION_BUILDERS[name](self, built)


def _unquote(raw: str) -> str:
    body = raw[1:-1]
    out, i = [], 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            out.append(body[i + 1])
            i += 2
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


def _text(expr: pl.Expr) -> pl.Expr:
    import polars as pl

    return expr.cast(pl.String)


def _as_date(builder: _Builder, expr: pl.Expr) -> pl.Expr:

    kind = builder.dtype(expr)
    if kind is not None and kind.is_temporal():
        return expr
    return _text(expr).str.to_datetime(strict=False)


_FUNCTION_BUILDERS: dict[str, Callable[[_Builder, list[pl.Expr]], pl.Expr]] = {
    "contains": lambda b, a: _text(a[0]).str.contains(_text(a[1]), literal=True),
    "starts_with": lambda b, a: _text(a[0]).str.starts_with(_text(a[1])),
    "ends_with": lambda b, a: _text(a[0]).str.ends_with(_text(a[1])),
    "lower": lambda b, a: _text(a[0]).str.to_lowercase(),
    "upper": lambda b, a: _text(a[0]).str.to_uppercase(),
    "length": lambda b, a: _text(a[0]).str.len_chars(),
    "abs": lambda b, a: a[0].abs(),
    "year": lambda b, a: _as_date(b, a[0]).dt.year(),
    "month": lambda b, a: _as_date(b, a[0]).dt.month(),
    "day": lambda b, a: _as_date(b, a[0]).dt.day(),
    "year_month": lambda b, a: _as_date(b, a[0]).dt.strftime("%Y-%m"),
    "is_null": lambda b, a: a[0].is_null(),
}
