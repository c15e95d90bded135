"""What the document workers do (see :mod:`altlas.server.offload`): each function takes the
request's bytes and returns something small and cheap to hand back (bytes, plain dicts).

They run in worker processes, so they import what they need themselves and never touch the
server's state.
"""

from __future__ import annotations

from typing import Any

from altlas.formats.limits import ReadLimits

__all__ = ["check_result", "convert_document", "prepare_run", "validate_document"]


def validate_document(raw: bytes, name: str | None, limits: ReadLimits) -> dict[str, Any]:
    """The report ``POST /v1/plans/validate`` answers with."""
    from altlas.formats.io import check_bytes

    report = check_bytes(raw, name=name, limits=limits)
    loaded = report.loaded
    return {
        "valid": report.ok,
        "kind": loaded.kind if loaded else None,
        "dialect": loaded.dialect if loaded else None,
        "container": loaded.container if loaded else None,
        "errors": [d.as_dict() for d in report.diagnostics if d.severity == "error"],
        "warnings": [d.as_dict() for d in report.diagnostics if d.severity != "error"],
    }


def convert_document(raw: bytes, to: str, syntax: str | None, limits: ReadLimits) -> bytes:
    """``raw`` (any dialect or container) written in dialect ``to``."""
    from altlas.formats.io import read_bytes, to_bytes

    loaded = read_bytes(raw, limits=limits)
    return to_bytes(loaded.document, dialect=to, syntax=syntax)  # type: ignore[arg-type]


def prepare_run(raw: bytes, max_json_depth: int, limits: ReadLimits) -> dict[str, Any]:
    """A ``POST /v1/runs`` body checked and prepared for the queue.

    The answer's ``plan`` is the canonical plan as JSON bytes: the server stores it as it
    is, without decoding it again.
    """
    import orjson
    import pydantic

    from altlas.errors import DecodeError, Diagnostic, ValidationError
    from altlas.formats.io import read_bytes
    from altlas.run.planning import check_graph
    from altlas.server.bodies import check_json_depth
    from altlas.server.models import RunRequest

    check_json_depth(raw, max_json_depth)
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise DecodeError(f"the request body is not JSON: {exc}") from None
    try:
        request = RunRequest.model_validate(body)
    except pydantic.ValidationError as exc:
        raise ValidationError(
            [
                Diagnostic(str(e["msg"]), path=".".join(str(p) for p in e["loc"]))
                for e in exc.errors(include_url=False)
            ],
        ) from None
    try:
        plan_bytes = orjson.dumps(request.plan)
    except (TypeError, orjson.JSONEncodeError) as exc:
        # JSON allows numbers no plan can hold (beyond 64 bits); refuse them here.
        raise ValidationError([Diagnostic(f"not a storable plan: {exc}", path="plan")]) from None
    plan = read_bytes(plan_bytes, kind="alt", limits=limits).document
    check_graph(plan)
    return {
        "plan": orjson.dumps(plan.model_dump(mode="json", exclude_none=True)),
        "options": request.options.model_dump(exclude_none=True),
        "archive": request.archive,
        "share": list(request.share),
        "workspace": request.workspace,
    }


def check_result(raw: bytes, limits: ReadLimits) -> None:
    """Raise if ``raw`` is not a result the archive can take within the limits."""
    from altlas.formats.io import load_result

    load_result(raw, limits=limits)
