"""``/v1/auth``: password login, token refresh (rotating), logout, and who am I."""

from __future__ import annotations

import functools
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.middleware.csrf import generate_csrf_token
from litestar.params import JSONBody

from altlas.server.accounts import Principal
from altlas.server.context import ctx_of
from altlas.server.models import RefreshRequest, TokenRequest, TokenResponse
from altlas.server.routes._common import PublicOperation, errors, route_opt
from altlas.server.security import ACCESS_COOKIE, AUTHENTICATED, CSRF_COOKIE
from altlas.server.signing import derive

__all__ = ["ROUTES"]

_PUBLIC = route_opt(None, "auth")
# the token routes: no credentials needed, the same refusals documented. Each writes auth.db,
# which another process (the CLI, another worker) may hold for up to its busy timeout: in a
# worker thread, never on the event loop, where that wait stopped every request.
_public_post = functools.partial(
    post,
    opt=_PUBLIC,
    tags=["auth"],
    responses=errors(400, 401, 413, 422, 429),
    operation_class=PublicOperation,
)


@_public_post("/auth/token", status_code=200, sync_to_thread=True)
def token(request: Request[Any, Any, Any], data: JSONBody[TokenRequest]) -> Response[TokenResponse]:
    """Exchange a user name and password for an access token and a refresh token."""
    ctx = ctx_of(request)
    pair = ctx.auth.login(data.username, data.password)
    body = pair.as_dict()
    cookies: list[Cookie] = []
    if data.cookie:
        secure = ctx.config.secure_cookies
        csrf = generate_csrf_token(derive(ctx.auth.secret, "csrf"))
        body["csrf_token"] = csrf
        cookies = [
            Cookie(
                key=ACCESS_COOKIE,
                value=pair.access_token,
                max_age=pair.expires_in,
                httponly=True,
                secure=secure,
                samesite="strict",
                path="/",
            ),
            # Readable by the page's script, which echoes it in X-CSRF-Token.
            Cookie(key=CSRF_COOKIE, value=csrf, secure=secure, samesite="strict", path="/"),
        ]
    return Response(TokenResponse(**body), cookies=cookies)


@_public_post("/auth/refresh", status_code=200, sync_to_thread=True)
def refresh(request: Request[Any, Any, Any], data: JSONBody[RefreshRequest]) -> TokenResponse:
    """Spend a refresh token for a new pair. A refresh token works once; reusing one
    revokes every token descended from the same login."""
    pair = ctx_of(request).auth.refresh(data.refresh_token)
    return TokenResponse(**pair.as_dict())


@_public_post("/auth/logout", status_code=204, sync_to_thread=True)
def logout(request: Request[Any, Any, Any], data: JSONBody[RefreshRequest]) -> Response[None]:
    """Revoke the login the refresh token belongs to, and clear the auth cookie."""
    ctx_of(request).auth.revoke(data.refresh_token)
    return Response(
        None,
        status_code=204,
        cookies=[Cookie(key=ACCESS_COOKIE, value="", max_age=0, path="/", httponly=True)],
    )


@get(
    "/auth/me",
    opt=route_opt(AUTHENTICATED, "auth"),
    sync_to_thread=False,
    tags=["auth"],
    responses=errors(401, 429),
)
def me(request: Request[Principal, Any, Any]) -> dict[str, Any]:
    """The calling principal and its role."""
    user = request.user
    return {"principal": user.key, "kind": user.kind, "id": user.id, "role": user.role.value}


ROUTES = [token, refresh, logout, me]
