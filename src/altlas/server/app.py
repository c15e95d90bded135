"""The application factory: ``create_app(settings)`` wires config, stores, auth and routes.

Layers, outermost first: :class:`~altlas.server.edge.EdgeMiddleware` (request id, security
and version headers, analytics), CORS when configured, routing, then per route: JWT/API-key
authentication, the rate limit, CSRF (cookie sessions only), Prometheus, conditional GET,
the permission check (``/v1`` router middleware), the response cache (search) and the
handler.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from litestar import Litestar, Router
from litestar.config.cors import CORSConfig
from litestar.config.csrf import CSRFConfig
from litestar.config.response_cache import ResponseCacheConfig
from litestar.datastructures import State
from litestar.middleware.base import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.stores.base import Store

from altlas._version import __version__
from altlas.config import Settings, load_settings
from altlas.events.bus import EventBus
from altlas.events.embedded import SqliteJobQueue
from altlas.events.queue import JobQueue
from altlas.server.accounts import AccountStore
from altlas.server.analytics import AnalyticsRecorder
from altlas.server.bodies import AltlasRequest
from altlas.server.caching import (
    CachedAnswerMiddleware,
    ConditionalGetMiddleware,
    LoopMemoryStore,
    SearchCache,
)
from altlas.server.config import ServerConfig
from altlas.server.context import ArchiveHolder, ServerContext
from altlas.server.docs_ui import assets_router, render_plugins
from altlas.server.doing import DO_JOB, make_do_executor
from altlas.server.edge import EdgeMiddleware
from altlas.server.errors import exception_handlers
from altlas.server.jobs import RUN_JOB, make_run_executor, prepare_journal, reconcile_archive
from altlas.server.limits import GroupRateLimitConfig, StoreCounter
from altlas.server.metrics import metrics_config
from altlas.server.offload import DocumentPool
from altlas.server.routes import health, v1_routes
from altlas.server.routes.llm import LLM_STATE, llm_lifespan, server_pool
from altlas.server.security import (
    CSRF_COOKIE,
    CSRF_HEADER,
    SESSION_REVOKED,
    AuthService,
    CookieCSRFMiddleware,
    PermissionMiddleware,
    make_jwt_auth,
)
from altlas.server.signing import derive, signing_key
from altlas.server.versioning import SUPPORTED, Deprecation, VersionPolicy
from altlas.server.workspaces import WorkspaceStore

__all__ = ["app_from_environment", "create_app"]

log = logging.getLogger("altlas.server")

DOCS_PATH = "/schema"
_EXPIRE_EVERY_SECONDS = 60.0
_SEARCH_CACHE_ENTRIES = 4096


def _stores(config: ServerConfig) -> tuple[dict[str, Store], Any]:
    if not config.redis:
        return {
            "rate_limit": LoopMemoryStore(),
            "response_cache": LoopMemoryStore(max_entries=_SEARCH_CACHE_ENTRIES),
        }, None
    from litestar.stores.redis import RedisStore
    from redis.asyncio import Redis

    client = Redis.from_url(config.redis)
    return {
        "rate_limit": RedisStore(client, namespace="altlas:rl"),
        "response_cache": RedisStore(client, namespace="altlas:cache"),
    }, client


def _openapi() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="altlas",
        version=__version__,
        description=(
            "Natural-language commands into task plans, plans into results, results into a "
            "searchable archive. Authenticate with a Bearer JWT from POST /v1/auth/token or "
            "an API key in X-API-Key."
        ),
        path=DOCS_PATH,
        render_plugins=render_plugins(),
        components=Components(
            security_schemes={
                "ApiKey": SecurityScheme(
                    type="apiKey",
                    name="X-API-Key",
                    security_scheme_in="header",
                    description="An API key from altlas keys create or POST /v1/keys.",
                ),
            },
        ),
        security=[{"ApiKey": []}],
    )


def _build_context(settings: Settings, config: ServerConfig) -> ServerContext:
    home = settings.home
    home.mkdir(parents=True, exist_ok=True)
    secret = signing_key(home, config.jwt_secret)
    accounts = AccountStore(home)
    bus = EventBus()
    queue: JobQueue = SqliteJobQueue(home / "queue.db", bus, workers=config.queue_workers)
    if config.nats:  # runs through NATS; the embedded queue keeps the other job kinds
        from altlas.scale.jobqueue import for_server

        queue = for_server(settings, config, bus, local=queue)
    archive = ArchiveHolder(home, bus)
    queue.register(RUN_JOB, make_run_executor(settings, config, archive, bus))
    queue.register(DO_JOB, make_do_executor(settings, config))
    recorder = None
    if config.analytics:
        recorder = AnalyticsRecorder(
            home,
            flush_seconds=config.analytics_flush_seconds,
            batch=config.analytics_batch,
            retention_days=config.analytics_retention_days,
        )
    from altlas.formats.limits import ReadLimits

    documents = DocumentPool(
        config.document_workers,
        queue=config.document_queue,
        timeout=config.document_timeout_seconds,
        memory_mb=config.document_memory_mb,
    )
    return ServerContext(
        settings=settings,
        documents=documents,
        text_threads=ThreadPoolExecutor(
            max_workers=config.document_workers, thread_name_prefix="altlas-text"
        ),
        read_limits=ReadLimits.from_settings(settings),
        config=config,
        accounts=accounts,
        auth=AuthService(accounts, config, secret, publish=bus.publish),
        bus=bus,
        queue=queue,
        archive=archive,
        search_cache=SearchCache(),
        versions=VersionPolicy(
            SUPPORTED,
            {
                name: Deprecation(spec.at, spec.sunset, spec.successor)
                for name, spec in config.deprecations.items()
            },
        ),
        recorder=recorder,
        workspaces=WorkspaceStore(
            home, max_files=config.workspace_max_files, max_bytes=config.workspace_max_bytes
        ),
    )


def _lifespan(ctx: ServerContext, stores: dict[str, Store]) -> Any:
    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        ctx.search_cache.bind(stores["response_cache"], loop)
        subs = [
            ctx.bus.subscribe(ctx.search_cache.on_event, types=["archive.", "atlas."]),
            ctx.bus.subscribe(ctx.auth.on_event, types=[SESSION_REVOKED]),
        ]
        if ctx.recorder is not None:
            ctx.recorder.start()
        await asyncio.to_thread(prepare_journal, ctx.settings)
        await asyncio.to_thread(reconcile_archive, ctx.queue, ctx.archive, ctx.bus)
        ctx.queue.start()
        expiry = asyncio.create_task(_expire_memory_stores(stores))
        # Everything built so far lives as long as the server: keep the cyclic collector
        # from re-scanning it on every full collection (shorter pauses, a flatter p99).
        gc.freeze()
        try:
            yield
        finally:
            expiry.cancel()
            for sub in subs:
                sub.close()
            await asyncio.to_thread(ctx.queue.stop, 10.0)
            close = getattr(ctx.queue, "close", None)
            if callable(close):
                close()
            if ctx.recorder is not None:
                ctx.recorder.close()
            ctx.archive.close()
            ctx.auth.close()
            ctx.accounts.close()
            ctx.documents.close()
            ctx.text_threads.shutdown(wait=False, cancel_futures=True)
            if ctx.redis is not None:
                await ctx.redis.aclose()

    return lifespan


async def _expire_memory_stores(stores: dict[str, Store]) -> None:
    """Fixed-window counters leave one key per window; drop the old ones now and then."""
    while True:
        await asyncio.sleep(_EXPIRE_EVERY_SECONDS)
        for store in stores.values():
            if isinstance(store, LoopMemoryStore):
                await store.delete_expired()


def create_app(settings: Settings | None = None, **overrides: Any) -> Litestar:
    """The altlas API for ``settings`` (default: :func:`altlas.config.load_settings`).

    ``overrides`` set ``[server]`` keys (what ``altlas serve`` flags do).
    """
    settings = settings or load_settings()
    config = settings.section("server", ServerConfig, **overrides)
    ctx = _build_context(settings, config)
    stores, redis = _stores(config)
    ctx.redis = redis
    llm_pool = server_pool(settings, config)
    jwt_auth = make_jwt_auth(ctx.auth, exclude=[f"^{DOCS_PATH}"])
    rate_limit = GroupRateLimitConfig(
        limits=config.limit_for,
        counter=StoreCounter(redis),
        enabled=config.rate_limits_enabled,
        store="rate_limit",
    )
    csrf = CSRFConfig(
        secret=derive(ctx.auth.secret, "csrf"),
        cookie_name=CSRF_COOKIE,
        header_name=CSRF_HEADER,
        cookie_secure=config.secure_cookies,
        cookie_samesite="strict",
    )
    prometheus = metrics_config()
    v1 = Router(
        path="/v1",
        route_handlers=v1_routes(ctx),
        # The permission check of every /v1 route (a guard, but without a per-request copy
        # of the handler); it runs after authentication and the rate limit. The last entry
        # is the innermost layer, right around Litestar's response cache.
        middleware=[PermissionMiddleware, CachedAnswerMiddleware],  # type: ignore[list-item]
    )
    app = Litestar(
        route_handlers=[
            health.health,
            health.ready,
            health.metrics_controller(config.metrics_public),
            assets_router({"exclude_from_auth": True, "rate_group": "ops"}),
            v1,
        ],
        middleware=[
            rate_limit.middleware,
            DefineMiddleware(CookieCSRFMiddleware, config=csrf),  # type: ignore[arg-type]
            prometheus.middleware,
            ConditionalGetMiddleware,  # type: ignore[list-item]
        ],
        on_app_init=[jwt_auth.on_app_init],
        exception_handlers=exception_handlers(),
        request_max_body_size=config.max_body_bytes,
        request_class=AltlasRequest,
        stores=stores,
        response_cache_config=ResponseCacheConfig(
            default_expiration=config.search_cache_seconds or None,
            store="response_cache",
        ),
        openapi_config=_openapi(),
        cors_config=CORSConfig(
            allow_origins=config.cors_origins,
            allow_credentials=True,
            allow_headers=["Authorization", "X-API-Key", "Content-Type", CSRF_HEADER],
            expose_headers=[
                "Location",
                "ETag",
                "Retry-After",
                "RateLimit-Limit",
                "RateLimit-Remaining",
                "RateLimit-Reset",
                "API-Version",
            ],
        )
        if config.cors_origins
        else None,
        lifespan=[_lifespan(ctx, stores), llm_lifespan(llm_pool)],
        state=State({"ctx": ctx, "auth": ctx.auth, "versions": ctx.versions, LLM_STATE: llm_pool}),
        logging_config=None,
        debug=False,
    )
    # The edge wraps routing itself, so unmatched paths are counted and get headers too.
    app.asgi_handler = EdgeMiddleware(  # type: ignore[assignment]
        app.asgi_handler,  # type: ignore[arg-type]
        recorder=ctx.recorder,
        versions=ctx.versions,
        hsts=config.tls,
        docs_prefix=DOCS_PATH,
    )
    return app


def app_from_environment() -> Litestar:
    """The factory uvicorn calls in each worker: settings from ALTLAS_HOME and ALTLAS_*."""
    return create_app(load_settings())
