"""The committed JSON Schemas match the models, and canonical documents satisfy them."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings

from altlas.formats import io
from altlas.formats.schema import json_schema
from altlas.testing import plans, results

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"


@pytest.mark.parametrize("kind", ["alt", "last", "atlas"])
def test_committed_schema_matches_the_model(kind: str) -> None:
    """Regenerate with: altlas schema KIND > docs/schemas/KIND.schema.json."""
    committed = orjson.loads((SCHEMAS / f"{kind}.schema.json").read_bytes())
    assert committed == json_schema(kind), (
        f"docs/schemas/{kind}.schema.json is stale: run "
        f"`altlas schema {kind} > docs/schemas/{kind}.schema.json`"
    )


@pytest.mark.parametrize("kind", ["alt", "last", "atlas"])
def test_schema_names_its_format(kind: str) -> None:
    """Each schema pins the format name and version."""
    schema = json_schema(kind)
    assert schema["properties"]["format"]["const"] == f"altlas.{kind}"
    assert schema["properties"]["format_version"]["const"] == 1


jsonschema = pytest.importorskip("jsonschema")


@settings(max_examples=25, deadline=None)
@given(plans())
def test_canonical_plans_satisfy_the_schema(plan) -> None:  # type: ignore[no-untyped-def]
    """What the writer emits validates against the published schema."""
    jsonschema.validate(io.to_data(plan), json_schema("alt"))


@settings(max_examples=25, deadline=None)
@given(results())
def test_canonical_results_satisfy_the_schema(result) -> None:  # type: ignore[no-untyped-def]
    jsonschema.validate(io.to_data(result), json_schema("last"))
