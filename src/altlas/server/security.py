"""Authentication (JWT access/refresh tokens, API keys, the auth cookie), roles and CSRF.

Built on Litestar's ``JWTCookieAuth``: its middleware is subclassed only to accept API keys
(``X-API-Key: altk_...`` or ``Authorization: Bearer altk_...``) beside JWTs. The principal
of every request ends up in ``request.user``; one guard checks the permission each route
declares in its ``opt``.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.authentication import AuthenticationResult
from litestar.middleware.csrf import CSRFMiddleware
from litestar.security.jwt import JWTCookieAuth, Token
from litestar.security.jwt.middleware import JWTCookieAuthenticationMiddleware

from altlas.errors import AltlasError, AuthError
from altlas.events.bus import Event
from altlas.server._asgi import App, Receive, Scope, Send
from altlas.server.accounts import AccountStore, Principal, RefreshReuseError, User
from altlas.server.config import ServerConfig
from altlas.server.principals import TokenPair
from altlas.server.roles import PERMISSIONS, allowed
from altlas.server.ttlcache import TtlCache

__all__ = [
    "ACCESS_COOKIE",
    "AUTHENTICATED",
    "CSRF_COOKIE",
    "CSRF_HEADER",
    "AuthService",
    "CookieCSRFMiddleware",
    "PermissionMiddleware",
    "make_jwt_auth",
    "permission_guard",
]

log = logging.getLogger("altlas.server.security")

ACCESS_COOKIE = "altlas_token"
CSRF_COOKIE = "altlas_csrf"
CSRF_HEADER = "x-csrf-token"
API_KEY_HEADER = "x-api-key"
_API_KEY_NAME = API_KEY_HEADER.encode()
AUTHENTICATED = "authenticated"
"""Route permission meaning: any authenticated principal."""
ALGORITHM = "HS256"
SESSION_REVOKED = "auth.session_revoked"
"""Bus event: a login (refresh-token family) ended; ``data["family"]`` names it."""
_TOKEN_CACHE_SECONDS = 300.0
"""How long a checked access-token signature is trusted (never past the token's expiry)."""


class AuthService:
    """Issues and checks credentials for the server."""

    def __init__(
        self,
        store: AccountStore,
        config: ServerConfig,
        secret: str,
        publish: Callable[[str, dict[str, Any]], object] | None = None,
    ) -> None:
        self.store = store
        self.config = config
        self.secret = secret
        self.publish = publish
        self._users = TtlCache(config.principal_cache_seconds)
        self._keys = TtlCache(config.principal_cache_seconds)
        self._sessions = TtlCache(config.principal_cache_seconds)
        self._tokens = TtlCache(_TOKEN_CACHE_SECONDS)
        self._key_touched: dict[str, float] = {}
        self._touches: ThreadPoolExecutor | None = None

    def invalidate(self) -> None:
        self._users.clear()
        self._keys.clear()
        self._sessions.clear()

    # -- sessions --------------------------------------------------------------------------

    def session_active(self, family: str) -> bool:
        """Whether access tokens of the login ``family`` still work.

        Asked on every use of an access token. The answer is cached for
        ``principal_cache_seconds``; a revocation in this process reaches the cache at once
        through the bus (:meth:`on_event`), one in another process within the cache time.
        """
        cached = self._sessions.get(family)
        if cached is None:
            cached = not self.store.family_revoked(family)
            self._sessions.put(family, cached)
        return bool(cached)

    def on_event(self, event: Event) -> None:
        family = event.data.get("family")
        if isinstance(family, str):
            self._sessions.put(family, False)

    def _revoked(self, family: str | None) -> None:
        if family is None:
            return
        self._sessions.put(family, False)  # even without a bus (tests, the CLI)
        if self.publish is not None:
            self.publish(SESSION_REVOKED, {"family": family})

    # -- principals ------------------------------------------------------------------------

    def principal_for_user(self, name: str) -> Principal | None:
        cached = self._users.get(name)
        if cached is not None:
            return cached if isinstance(cached, Principal) else None
        user = self.store.get_user(name)
        principal = Principal("user", user.name, user.role) if user else None
        self._users.put(name, principal or False)
        return principal

    def principal_for_key(self, text: str) -> Principal:
        digest = hashlib.sha256(text.encode()).hexdigest()
        cached = self._keys.get(digest)
        if cached is None:
            try:
                key = self.store.verify_key(text)
            except AuthError as exc:
                cached = str(exc)
            else:
                cached = Principal("key", key.id, key.role)
            self._keys.put(digest, cached)
        if isinstance(cached, str):
            raise AuthError(cached)
        self._touch(cached.id)
        return cached  # type: ignore[no-any-return]

    def _touch(self, key_id: str) -> None:
        # last_used_at is informative: once a minute per key, and never on the event loop,
        # where a write waiting for another process's lock on auth.db would stall every
        # request in flight.
        now = time.monotonic()
        if now - self._key_touched.get(key_id, -1e9) > 60:
            self._key_touched[key_id] = now
            self._writer().submit(self._touch_now, key_id)

    def _touch_now(self, key_id: str) -> None:
        try:
            self.store.touch_key(key_id)
        except AltlasError as exc:  # informative only: a busy or closed store is no failure
            log.debug("last_used_at of key %s not recorded: %s", key_id, exc)

    def _writer(self) -> ThreadPoolExecutor:
        if self._touches is None:
            self._touches = ThreadPoolExecutor(1, thread_name_prefix="altlas-key-touch")
        return self._touches

    def close(self) -> None:
        """Finish the pending ``last_used_at`` writes (before the store closes)."""
        if self._touches is not None:
            self._touches.shutdown(wait=True)
            self._touches = None

    # -- tokens ----------------------------------------------------------------------------

    def _encode(self, sub: str, lifetime: timedelta, typ: str, **extras: Any) -> str:
        # Flat, registered claims plus ours (Litestar's Token.encode would nest them under
        # "extras"); Token.decode reads both shapes.
        import jwt

        now = datetime.now(UTC)
        claims = {
            "sub": sub,
            "iat": int(now.timestamp()),
            "exp": int((now + lifetime).timestamp()),
            "iss": self.config.jwt_issuer,
            "aud": self.config.jwt_audience,
            "jti": uuid.uuid4().hex,
            "typ": typ,
            **extras,
        }
        return jwt.encode(claims, self.secret, algorithm=ALGORITHM)

    def decode(self, encoded: str) -> Token:
        return Token.decode(
            encoded,
            self.secret,
            ALGORITHM,
            audience=[self.config.jwt_audience],
            issuer=[self.config.jwt_issuer],
        )

    def verified_access(self, encoded: str) -> Token:
        """:meth:`decode`, remembered: a token whose signature and claims checked out once is
        not re-verified until it expires (at most ``_TOKEN_CACHE_SECONDS``). Whether its
        login is still active is not part of this; :meth:`session_active` asks that."""
        digest = hashlib.sha256(encoded.encode()).hexdigest()
        token = self._tokens.get(digest)
        if token is None:
            token = self.decode(encoded)
            left = token.exp.timestamp() - time.time()
            if left > 0:
                self._tokens.put(digest, token, min(left, _TOKEN_CACHE_SECONDS))
        return token  # type: ignore[no-any-return]

    def issue(self, user: User, family: str | None = None) -> TokenPair:
        access = timedelta(minutes=self.config.access_token_minutes)
        refresh = timedelta(days=self.config.refresh_token_days)
        expires_at = (datetime.now(UTC) + refresh).timestamp()
        jti = self.store.issue_refresh(user.name, expires_at, family)
        session = family or jti
        return TokenPair(
            access_token=self._encode(
                user.name, access, "access", role=user.role.value, sid=session
            ),
            refresh_token=self._encode(user.name, refresh, "refresh", rid=jti),
            expires_in=int(access.total_seconds()),
            refresh_expires_in=int(refresh.total_seconds()),
            role=user.role,
        )

    def login(self, name: str, password: str) -> TokenPair:
        return self.issue(self.store.authenticate(name, password))

    def _refresh_claims(self, encoded: str) -> tuple[str, str]:
        try:
            token = self.decode(encoded)
        except NotAuthorizedException:
            raise AuthError("invalid or expired refresh token") from None
        rid = token.extras.get("rid")
        if token.extras.get("typ") != "refresh" or not isinstance(rid, str):
            raise AuthError("not a refresh token")
        return token.sub, rid

    def refresh(self, encoded: str) -> TokenPair:
        """A new pair for a valid refresh token, which is spent (rotation)."""
        name, rid = self._refresh_claims(encoded)
        try:
            family = self.store.spend_refresh(rid, name)
        except RefreshReuseError as exc:
            self._revoked(exc.family)
            raise
        user = self.store.get_user(name)
        if user is None:
            raise AuthError("the user no longer exists")
        return self.issue(user, family)

    def revoke(self, encoded: str) -> None:
        _, rid = self._refresh_claims(encoded)
        self._revoked(self.store.revoke_refresh_family(rid))


def _retrieve_user(service_of: Callable[[ASGIConnection[Any, Any, Any, Any]], AuthService]) -> Any:
    # Async on purpose: Litestar runs sync callbacks in a worker thread, which costs more
    # than the cached lookup itself.
    async def retrieve(
        token: Token,
        connection: ASGIConnection[Any, Any, Any, Any],
    ) -> Principal | None:
        if token.extras.get("typ") != "access":
            return None
        service = service_of(connection)
        session = token.extras.get("sid")
        if not isinstance(session, str) or not service.session_active(session):
            raise NotAuthorizedException(
                "this token's login was revoked (logged out, or a refresh token was reused); "
                "log in again",
            )
        return service.principal_for_user(token.sub)

    return retrieve


class AltlasAuthMiddleware(JWTCookieAuthenticationMiddleware):
    """Litestar's JWT (header or cookie) authentication, plus API keys."""

    async def authenticate_request(
        self,
        connection: ASGIConnection[Any, Any, Any, Any],
    ) -> AuthenticationResult:
        # Read from the raw header list: building Litestar's Headers costs more than this.
        key = authorization = None
        for name, value in connection.scope["headers"]:
            if name == _API_KEY_NAME and key is None:
                key = value.decode("latin-1")
            elif name == b"authorization" and authorization is None:
                authorization = value.decode("latin-1")
        if key is None and authorization is not None:
            scheme, _, credential = authorization.partition(" ")
            if scheme.lower() == "bearer" and credential.startswith("altk_"):
                key = credential
        if key is not None:
            service: AuthService = connection.app.state["auth"]
            try:
                principal = service.principal_for_key(key)
            except AuthError as exc:
                raise NotAuthorizedException(exc.message) from None
            return AuthenticationResult(user=principal, auth=None)
        encoded = authorization.partition(" ")[-1] if authorization else ""
        if encoded:  # as Litestar reads it: the header's token first, then the cookie
            return await self.authenticate_token(encoded, connection)
        return await super().authenticate_request(connection)

    async def authenticate_token(
        self,
        encoded_token: str,
        connection: ASGIConnection[Any, Any, Any, Any],
    ) -> AuthenticationResult:
        # Litestar's own version verifies the signature on every request; ours remembers it.
        service: AuthService = connection.app.state["auth"]
        token = service.verified_access(encoded_token)
        user = await self.retrieve_user_handler(token, connection)
        if not user:
            raise NotAuthorizedException()
        return AuthenticationResult(user=user, auth=token)


def make_jwt_auth(service: AuthService, *, exclude: list[str]) -> JWTCookieAuth[Any, Token]:
    config = service.config
    secure = config.secure_cookies
    return JWTCookieAuth[Any, Token](
        token_secret=service.secret,
        retrieve_user_handler=_retrieve_user(lambda c: c.app.state["auth"]),
        algorithm=ALGORITHM,
        key=ACCESS_COOKIE,
        secure=secure,
        samesite="strict",
        exclude=exclude,
        default_token_expiration=timedelta(minutes=config.access_token_minutes),
        accepted_audiences=[config.jwt_audience],
        accepted_issuers=[config.jwt_issuer],
        authentication_middleware_class=AltlasAuthMiddleware,
        openapi_security_scheme_name="BearerToken",
        description="A JWT access token from POST /v1/auth/token, or an API key (altk_...).",
    )


def _check_permission(user: object, handler: BaseRouteHandler) -> None:
    if handler.opt.get("exclude_from_auth"):
        return
    permission = handler.opt.get("permission")
    if not isinstance(user, Principal):
        raise NotAuthorizedException("authentication required")
    if permission == AUTHENTICATED:
        return
    if permission is None or not (
        permission in PERMISSIONS.get(user.role, ()) or allowed(user.role, permission)
    ):
        raise PermissionDeniedException(
            f"role {user.role.value} may not use this route (needs {permission or 'a permission'})",
        )


async def permission_guard(
    connection: ASGIConnection[Any, Any, Any, Any],
    handler: BaseRouteHandler,
) -> None:
    """Every route states its permission in ``opt``; a route that states none is refused.

    Async because Litestar runs a sync guard in a worker thread, on every request.
    """
    _check_permission(connection.scope.get("user"), handler)


class PermissionMiddleware:
    """:func:`permission_guard` for every route of a router, as middleware.

    Same check, same place in the chain (after authentication and the rate limit, before
    the handler), but without Litestar's guard call, which copies the whole handler object
    on every request.
    """

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        _check_permission(scope.get("user"), scope["route_handler"])
        await self.app(scope, receive, send)


class CookieCSRFMiddleware(CSRFMiddleware):
    """Litestar's CSRF check, applied where CSRF is possible: unsafe requests that a browser
    authenticates with the auth cookie. A request carrying its own Authorization or API-key
    header cannot be forged cross-site, so it is not asked for a CSRF token."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # type: ignore[override]
        if scope["type"] == "http" and scope["method"] not in self.config.safe_methods:
            headers = dict(scope["headers"])
            cookie = headers.get(b"cookie", b"")
            explicit = b"authorization" in headers or API_KEY_HEADER.encode() in headers
            if ACCESS_COOKIE.encode() + b"=" in cookie and not explicit:
                await super().__call__(scope, receive, send)  # type: ignore[arg-type]
                return
        await self.app(scope, receive, send)  # type: ignore[arg-type]
