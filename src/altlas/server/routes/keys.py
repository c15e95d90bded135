"""``/v1/keys``: create (the secret is shown once), list and revoke API keys. Admins only."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, delete, get, post
from litestar.params import FromPath, JSONBody

from altlas.errors import NotFoundError
from altlas.server.accounts import Principal
from altlas.server.caching import resource_response
from altlas.server.context import ctx_of
from altlas.server.models import KeyCreate
from altlas.server.responses import KeyCreated, KeyInfo, KeyList
from altlas.server.roles import Permission
from altlas.server.routes._common import PROTECTED, errors, ok, route_opt
from altlas.server.routes._times import parse_time

__all__ = ["ROUTES"]

_OPT = route_opt(Permission.KEYS_ADMIN, "admin")


@post(
    "/keys",
    opt=_OPT,
    sync_to_thread=True,  # auth.db may be locked by another process
    tags=["keys"],
    responses={
        **ok(KeyCreated, "The key, with its secret (shown once)", status=201),
        **errors(*PROTECTED),
    },
)
def create_key(
    request: Request[Principal, Any, Any], data: JSONBody[KeyCreate]
) -> Response[dict[str, Any]]:
    """A new API key. ``key`` is the full secret: it is shown here once and never again."""
    ctx = ctx_of(request)
    record, secret = ctx.accounts.create_key(
        data.name,
        data.role,
        created_by=request.user.key,
        expires_in_days=data.expires_in_days,
    )
    return Response(
        {**record.as_dict(), "key": secret},
        status_code=201,
        headers={"Location": f"/v1/keys/{record.id}"},
    )


@get(
    "/keys",
    opt=_OPT,
    sync_to_thread=True,  # auth.db may be locked by another process
    tags=["keys"],
    responses={**ok(KeyList), **errors(*PROTECTED)},
)
def list_keys(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Every key (secrets are never shown again)."""
    keys = ctx_of(request).accounts.list_keys()
    latest = max((k.revoked_at or k.last_used_at or k.created_at for k in keys), default=None)
    return resource_response(
        {"keys": [k.as_dict() for k in keys]},
        last_modified=parse_time(latest),
    )


@get(
    "/keys/{key_id:str}",
    opt=_OPT,
    sync_to_thread=True,  # auth.db may be locked by another process
    tags=["keys"],
    responses={**ok(KeyInfo), **errors(*PROTECTED, 404)},
)
def get_key(request: Request[Any, Any, Any], key_id: FromPath[str]) -> Response[bytes]:
    key = ctx_of(request).accounts.get_key(key_id)
    if key is None:
        raise NotFoundError(f"no API key with id {key_id}")
    changed = key.revoked_at or key.last_used_at or key.created_at
    return resource_response(key.as_dict(), last_modified=parse_time(changed))


@delete(
    "/keys/{key_id:str}",
    opt=_OPT,
    status_code=200,
    sync_to_thread=True,  # auth.db may be locked by another process
    tags=["keys"],
    responses={**ok(KeyInfo), **errors(*PROTECTED, 404)},
)
def revoke_key(request: Request[Any, Any, Any], key_id: FromPath[str]) -> dict[str, Any]:
    """Revoke a key; it stops working at once in this process, within seconds elsewhere."""
    ctx = ctx_of(request)
    key = ctx.accounts.revoke_key(key_id)
    ctx.auth.invalidate()
    return key.as_dict()


ROUTES = [create_key, list_keys, get_key, revoke_key]
