"""Damaged legacy documents: diagnostics, never an exception; what loads converts losslessly."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from altlas.formats import io
from altlas.testing import json_values

GOLDEN = Path(__file__).parent / "golden"
DOCUMENTS = [
    json.loads(json.dumps(yaml.safe_load(path.read_bytes()), default=str))
    for path in sorted(GOLDEN.iterdir())
    if not path.name.endswith((".gz", ".zip"))
]
TARGETS = {
    "alt": ("segmentation-v1", "segmentation-v2", "runner-alt", "canonical"),
    "last": ("runner-last", "canonical"),
    "atlas": ("canonical",),
}


def _paths(obj: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            yield from _paths(value, (*prefix, i))


@st.composite
def damaged(draw: st.DrawFn) -> dict[str, Any]:
    """A golden document with a few values replaced by odd ones, or keys removed."""
    doc = json.loads(json.dumps(draw(st.sampled_from(DOCUMENTS))))
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from([p for p in _paths(doc) if p]))
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        if isinstance(parent, dict) and draw(st.booleans()):
            del parent[path[-1]]
        else:
            odd = st.sampled_from([None, [], {}, "", "x", 1.5, -1, True, "2025-13-40"])
            parent[path[-1]] = draw(json_values(4) | odd)
    return doc


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged(), st.booleans())
def test_damaged_legacy_documents_never_raise(doc: dict[str, Any], as_yaml: bool) -> None:
    raw = yaml.safe_dump(doc).encode() if as_yaml else json.dumps(doc).encode()
    report = io.check_bytes(raw)
    assert report.loaded is not None or any(d.severity == "error" for d in report.diagnostics)
    assert all(d.message for d in report.diagnostics)
    if report.loaded is None or not io.check_bytes(io.to_bytes(report.loaded.document)).ok:
        return
    for dialect in TARGETS[report.loaded.kind]:
        again = io.read_bytes(io.to_bytes(report.loaded.document, dialect=dialect))
        assert again.document == report.loaded.document, dialect
