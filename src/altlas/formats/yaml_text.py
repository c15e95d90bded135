"""YAML and JSON text to Python data, within :class:`~altlas.formats.limits.ReadLimits`.

YAML aliases make a document a graph: PyYAML shares one node (and one Python object) for every
use of an anchor, so a 493-byte "billion laughs" loads in a millisecond and then explodes in
whatever walks it as a tree (validation, conversion, the archive). Following the safe loaders'
advice, the composed node graph is measured before anything is constructed: the nodes aliases
add once expanded must stay within ``max_yaml_nodes``, and an alias may not contain itself.

JSON goes through orjson, except when the text holds a run of 19 or more digits: orjson turns
integers past 64 bits into floats without a word, so those documents go through pydantic-core's
parser, which keeps them exact for :func:`~altlas.formats.limits.check_tree` to refuse.
"""

from __future__ import annotations

from typing import Any

import orjson
import yaml

from altlas.errors import DecodeError
from altlas.formats.limits import ReadLimits, check_tree, clip

__all__ = ["has_long_digit_run", "load_json", "load_yaml"]

_MAX_INT_DIGITS = 4300
"""Python refuses to parse longer integers (CVE-2020-10735); say so before it raises."""

_DIGITS_ONLY = bytes(0x30 if 0x30 <= b <= 0x39 else 0x20 for b in range(256))
_LONG_RUN = b"0" * 19
_INT_TAG = "tag:yaml.org,2002:int"

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def has_long_digit_run(text: bytes) -> bool:
    """Could ``text`` hold an integer outside 64 bits? (19+ digits in a row; a C-speed test.)"""
    return _LONG_RUN in text.translate(_DIGITS_ONLY)


def load_json(text: bytes, limits: ReadLimits) -> Any:
    if has_long_digit_run(text):
        import pydantic_core

        try:
            data = pydantic_core.from_json(text)
        except ValueError as exc:
            raise DecodeError(_json_problem(str(exc), limits)) from None
    else:
        try:
            data = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            raise DecodeError(_json_problem(str(exc), limits)) from None
    check_tree(data, limits)
    return data


def _json_problem(message: str, limits: ReadLimits) -> str:
    if "recursion limit" in message or "depth limit" in message:
        return (
            f"nesting deeper than {limits.max_json_depth} levels (limit: [formats] max_json_depth)"
        )
    if "number out of range" in message:
        return f"invalid JSON: {message} (integers may have at most {_MAX_INT_DIGITS} digits)"
    return f"invalid or truncated JSON: {clip(message, 200)}"


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _where(node: yaml.Node) -> str:
    mark = node.start_mark
    return f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""


def measure_nodes(root: yaml.Node, budget: int) -> None:
    """Refuse a node graph whose aliases add more than ``budget`` nodes, or contain themselves.

    Iterative post-order walk, linear in distinct nodes: each node's expanded size is computed
    once and reused by every alias of it.
    """
    size: dict[int, int] = {}
    on_path: set[int] = set()
    distinct = 0
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            on_path.discard(key)
            size[key] = 1 + sum(size[id(child)] for child in _children(node))
            if size[key] - distinct > budget:
                raise DecodeError(
                    f"YAML aliases expand past {budget} extra nodes{_where(node)}; refusing "
                    "(limit: [formats] max_yaml_nodes)",
                )
            continue
        if key in size:
            continue
        if key in on_path:
            raise DecodeError(f"YAML alias refers to itself{_where(node)}")
        if node.tag == _INT_TAG and len(node.value) > _MAX_INT_DIGITS:
            raise DecodeError(f"integer with more than {_MAX_INT_DIGITS} digits{_where(node)}")
        distinct += 1
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node))


class _LimitedLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """The safe loader, measuring the composed graph before building Python objects."""

    node_budget: int | None = None

    def construct_document(self, node: yaml.Node) -> Any:
        if self.node_budget is not None:
            measure_nodes(node, self.node_budget)
        return super().construct_document(node)


def load_yaml(decoded: str, limits: ReadLimits) -> Any:
    # One subclass per budget would leak classes; the loader instance carries it instead.
    loader = _LimitedLoader(decoded)
    # An alias is spelled with a literal "*": without one the graph is a tree whose size the
    # byte limit already bounds, and the walk would only cost time.
    if "*" in decoded:
        loader.node_budget = limits.max_yaml_nodes
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise DecodeError(f"invalid YAML{where}: {clip(problem, 200)}") from None
    except ValueError as exc:
        # int() of a literal past Python's digit limit (the node walk names the line first)
        if "digits" in str(exc):
            raise DecodeError(f"integer with more than {_MAX_INT_DIGITS} digits") from None
        raise DecodeError(f"invalid YAML: {clip(str(exc), 200)}") from None
    finally:
        loader.dispose()
    if isinstance(data, dict | list):
        check_tree(data, limits)
    return data
