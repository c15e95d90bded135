"""What the route modules share: route options, documented errors, raw-body bodies."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from litestar import Request
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, Operation, RequestBody, Schema
from litestar.openapi.spec.enums import OpenAPIType
from pydantic import BaseModel

from altlas.server.bodies import JSON_BODY_OPT, SMALL_BODY, TEXT_BODY
from altlas.server.roles import Permission, Role

if TYPE_CHECKING:
    from altlas.events.queue import Job
    from altlas.server.accounts import Principal
    from altlas.server.context import ServerContext

__all__ = [
    "JSON_BODY_OPT",
    "SMALL_BODY",
    "TEXT_BODY",
    "ErrorEnvelope",
    "PublicOperation",
    "RawBodyOperation",
    "audience",
    "errors",
    "model_body_operation",
    "ok",
    "read_body",
    "route_opt",
    "visible_job",
]


class ErrorDetail(BaseModel):
    message: str
    path: str | None = None
    severity: str | None = None
    code: str | None = None
    ids: list[str] | None = None
    source: str | None = None


class ErrorBody(BaseModel):
    status: int
    type: str
    message: str
    details: list[ErrorDetail] | None = None


class ErrorEnvelope(BaseModel):
    """The body of every error response."""

    error: ErrorBody
    request_id: str | None = None


_DESCRIPTIONS = {
    400: "Malformed request (unreadable body or document)",
    401: "Missing, invalid or expired credentials",
    403: "The principal's role may not use this route",
    404: "No such resource",
    409: "Conflicts with the resource's current state",
    413: "Request body larger than the server accepts",
    422: "The request parsed but breaks the rules",
    429: "Rate limit exceeded (see Retry-After)",
    500: "A bug or a damaged store; the message names nothing internal",
    503: "Busy, locked or not ready: retry after Retry-After seconds",
}


def errors(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the error statuses a route can answer."""
    return {
        status: ResponseSpec(
            data_container=ErrorEnvelope,
            description=_DESCRIPTIONS.get(status, "Error"),
            generate_examples=False,
        )
        for status in statuses
    }


def ok(
    container: Any,
    description: str = "OK",
    *,
    media_type: str = "application/json",
    status: int = 200,
) -> dict[int, ResponseSpec]:
    """The OpenAPI entry of a success answer whose handler returns prepared bytes: the
    model it holds (so clients are typed even though the route builds its own JSON)."""
    return {
        status: ResponseSpec(
            data_container=container,
            description=description,
            media_type=media_type,
            generate_examples=False,
        )
    }


PROTECTED = (400, 401, 403, 413, 422, 429, 500, 503)
"""What any authenticated route can answer, besides its own statuses (500 and 503 because
every request reads the account store, which can be damaged or busy)."""


def route_opt(permission: Permission | str | None, group: str | None) -> dict[str, Any]:
    """``permission`` None means public (no authentication)."""
    opt: dict[str, Any] = {"rate_group": group}
    if permission is None:
        opt["exclude_from_auth"] = True
    else:
        opt["permission"] = str(permission)
    return opt


_RAW_TYPES = ("application/json", "application/yaml", "application/octet-stream")


@dataclass
class RawBodyOperation(Operation):
    """Documents a body read as bytes: any altlas document, in any dialect or container."""

    def __post_init__(self) -> None:
        schema = Schema(type=OpenAPIType.STRING, format="binary")  # type: ignore[arg-type]
        self.request_body = RequestBody(
            content={name: OpenAPIMediaType(schema=schema) for name in _RAW_TYPES},
            description="An altlas document: JSON or YAML, optionally zstd, gzip or zip.",
            required=True,
        )


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


def schema_of(node: Any, defs: dict[str, Any]) -> Any:
    """A pydantic JSON schema (dict) as Litestar's OpenAPI :class:`Schema`, refs inlined."""
    if isinstance(node, list):
        return [schema_of(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return schema_of(defs[node["$ref"].rsplit("/", 1)[-1]], defs)
    fields: dict[str, Any] = {}
    for key, value in node.items():
        name = _snake(key)
        if name == "type":
            fields[name] = OpenAPIType(value)
        elif name in ("properties", "pattern_properties"):
            fields[name] = {k: schema_of(v, defs) for k, v in value.items()}
        elif name in _SCHEMA_FIELDS and name != "title":
            fields[name] = schema_of(value, defs) if isinstance(value, dict | list) else value
    return Schema(**fields)


_SCHEMA_FIELDS = frozenset(f.name for f in dataclasses.fields(Schema))


def model_body_operation(model: type[BaseModel]) -> type[Operation]:
    """An Operation documenting ``model`` as the JSON body of a route that reads raw bytes
    (to parse them off the event loop) instead of letting Litestar decode them."""
    doc = model.model_json_schema()
    schema = schema_of({k: v for k, v in doc.items() if k != "$defs"}, doc.get("$defs", {}))

    @dataclass
    class ModelBodyOperation(Operation):
        def __post_init__(self) -> None:
            self.request_body = RequestBody(
                content={"application/json": OpenAPIMediaType(schema=schema)},
                description=model.__doc__,
                required=True,
            )

    return ModelBodyOperation


@dataclass
class PublicOperation(Operation):
    """An operation that needs no credentials (``security: []`` overrides the global one)."""

    def __post_init__(self) -> None:
        self.security = []


async def read_body(request: Request[Any, Any, Any]) -> bytes:
    return await request.body()


def audience(ctx: ServerContext, user: Principal) -> list[str] | None:
    """The names the caller is known by for ownership (None for an admin, who sees everything)."""
    if user.role is Role.ADMIN:
        return None
    return ctx.config.audience_of(user.key, user.role.value)


def visible_job(ctx: ServerContext, user: Principal, job_id: str, kind: str, missing: str) -> Job:
    """The job ``job_id`` of ``kind`` if the caller may see it. Another's job is answered exactly
    like a missing one (``missing``, a 404), so ids cannot be probed."""
    from altlas.events.queue import JobNotFoundError

    try:
        job = ctx.queue.get(job_id)
    except JobNotFoundError:
        job = None
    if job is None or job.kind != kind or not job.visible_to(audience(ctx, user)):
        raise JobNotFoundError(missing)
    return job
