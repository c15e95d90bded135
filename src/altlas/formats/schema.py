"""JSON Schema of the canonical formats (committed under ``docs/schemas/``)."""

from __future__ import annotations

from typing import Any

__all__ = ["SCHEMA_IDS", "json_schema"]

SCHEMA_IDS = {
    "alt": "https://altlas.dev/schemas/alt-1.json",
    "last": "https://altlas.dev/schemas/last-1.json",
    "atlas": "https://altlas.dev/schemas/atlas-1.json",
}


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that a canonical ``kind`` document satisfies."""
    from altlas.formats.io import MODELS

    model = MODELS[kind]
    schema = model.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_IDS[kind],
        **schema,
    }
