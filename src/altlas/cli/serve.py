"""``altlas serve``: run the HTTP API with uvicorn (needs the ``server`` extra)."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any

import typer

__all__ = ["register", "serve"]

APP_FACTORY = "altlas.server.app:app_from_environment"


@contextlib.contextmanager
def _env_overrides(values: Mapping[str, object]) -> Iterator[None]:
    """Flags reach every worker process the way config does: as ALTLAS_SERVER__* variables
    (set for the duration of the command, then restored)."""
    import orjson

    saved: dict[str, str | None] = {}
    for key, value in values.items():
        if value is None:
            continue
        name = f"ALTLAS_SERVER__{key.upper()}"
        saved[name] = os.environ.get(name)
        text = str(value) if isinstance(value, str | Path) else orjson.dumps(value).decode()
        os.environ[name] = text
    try:
        yield
    finally:
        for name, previous in saved.items():
            if previous is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = previous


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.", min=0, max=65535)] = None,
    workers: Annotated[
        int | None,
        typer.Option(help="Worker processes (share limits between them with --redis).", min=1),
    ] = None,
    redis: Annotated[
        str | None,
        typer.Option(help="redis://host:port/db: share rate limits and the search cache."),
    ] = None,
    nats: Annotated[
        str | None,
        typer.Option(
            metavar="URL",
            help="nats://host:4222: runs, their events and cache invalidation go through NATS "
            "JetStream (run them with 'altlas worker'); other settings from [nats].",
        ),
    ] = None,
    nats_workers: Annotated[
        int | None,
        typer.Option(
            metavar="N", help="With --nats: runs each server process executes itself.", min=0
        ),
    ] = None,
    tls_cert: Annotated[
        Path | None,
        typer.Option("--tls-cert", help="PEM certificate chain: serve HTTPS."),
    ] = None,
    tls_key: Annotated[Path | None, typer.Option("--tls-key", help="PEM private key.")] = None,
    tls_client_ca: Annotated[
        Path | None,
        typer.Option("--tls-client-ca", help="CA bundle: require client certificates (mTLS)."),
    ] = None,
    access_log: Annotated[
        bool,
        typer.Option(help="Log every request to stdout (analytics records them anyway)."),
    ] = False,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    """Serve the API: segment, runs, archive and atlas under /v1, plus /health, /ready,
    /metrics and the OpenAPI document at /schema."""
    try:
        import litestar  # noqa: F401  (checked here so a missing extra is named before startup)
        import uvicorn
    except ImportError as exc:
        from altlas.errors import MissingExtraError

        raise MissingExtraError("server", exc.name or "litestar") from None

    flags = {
        "host": host,
        "port": port,
        "workers": workers,
        "redis": redis,
        "nats": nats,
        "nats_workers": nats_workers,
        "tls_cert": tls_cert,
        "tls_key": tls_key,
        "tls_client_ca": tls_client_ca,
    }
    with _env_overrides(flags):
        _serve(uvicorn, access_log=access_log, log_level=log_level)


def _serve(uvicorn: Any, *, access_log: bool, log_level: str) -> None:
    from altlas.config import load_settings
    from altlas.errors import ConfigError
    from altlas.server.accounts import AccountStore
    from altlas.server.config import ServerConfig
    from altlas.server.signing import signing_key

    settings = load_settings()
    config = settings.section("server", ServerConfig)
    if (config.tls_cert is None) != (config.tls_key is None):
        raise ConfigError("--tls-cert and --tls-key go together")
    if config.tls_client_ca is not None and config.tls_cert is None:
        raise ConfigError("--tls-client-ca needs --tls-cert and --tls-key (mTLS is on top of TLS)")
    for path in (config.tls_cert, config.tls_key, config.tls_client_ca):
        if path is not None and not path.is_file():
            raise ConfigError(f"{path}: no such file")
    if config.nats:
        _check_nats(settings, config.nats, config.nats_workers)
    settings.home.mkdir(parents=True, exist_ok=True)
    # Made here, once, before any worker process starts.
    signing_key(settings.home, config.jwt_secret)
    with AccountStore(settings.home) as accounts:
        if not accounts.list_users() and not accounts.list_keys(include_revoked=False):
            typer.echo(
                "altlas serve: no users or API keys yet; create the first admin with "
                "'altlas users add NAME --role admin'",
                err=True,
            )
    _check_stores(settings, config)
    if config.workers > 1:
        # Each process counts its own metrics; this lets /metrics add them up.
        metrics_dir = settings.home / "prometheus"
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    scheme = "https" if config.tls else "http"
    base = f"{scheme}://{_url_host(config.host)}:{config.port}"
    typer.echo(
        f"altlas serve: {base} "
        f"({config.workers} worker{'s' * (config.workers > 1)}, home {settings.home})",
        err=True,
    )
    typer.echo(f"altlas serve: API docs at {base}/schema/swagger (work offline)", err=True)
    ssl_options: dict[str, object] = {}
    if config.tls:
        import ssl

        ssl_options = {
            "ssl_certfile": str(config.tls_cert),
            "ssl_keyfile": str(config.tls_key),
        }
        if config.tls_client_ca is not None:
            ssl_options["ssl_ca_certs"] = str(config.tls_client_ca)
            ssl_options["ssl_cert_reqs"] = ssl.CERT_REQUIRED
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=config.host,
        port=config.port,
        workers=config.workers,
        access_log=access_log,
        log_level=log_level,
        server_header=False,
        # uvicorn believes X-Forwarded-For from 127.0.0.1 unless told otherwise; only the
        # configured proxies may name the client (rate limits and analytics count by it).
        proxy_headers=bool(config.trusted_proxies),
        forwarded_allow_ips=list(config.trusted_proxies) or None,
        timeout_graceful_shutdown=15,
        **ssl_options,
    )


def _check_stores(settings: Any, config: Any) -> None:
    """Open the stores the app opens on start, so a damaged or locked one fails here in one
    line with its exit code; inside uvicorn's lifespan it was a traceback and exit 3."""
    from altlas.events.embedded import SqliteJobQueue
    from altlas.server.analytics_store import open_analytics_repository
    from altlas.server.jobs import prepare_journal

    prepare_journal(settings)
    SqliteJobQueue(settings.home / "queue.db").close()
    if config.analytics:
        open_analytics_repository(settings.home).close()


def _check_nats(settings: Any, url: str, workers: int) -> None:
    """Fail in one line before uvicorn starts if NATS is missing or does not answer."""
    import asyncio

    from altlas.scale.config import nats_config, require_nats

    require_nats()
    from altlas.scale.jobqueue import probe

    config = nats_config(settings, url=url)
    asyncio.run(probe(config))
    runs = (
        f"{workers} in-process worker{'s' * (workers > 1)} per server process"
        if workers
        else f"run them with 'altlas worker --nats {config.url}'"
    )
    typer.echo(f"altlas serve: runs go through NATS at {config.url} ({runs})", err=True)


def _url_host(host: str) -> str:
    """The host as it goes in a URL: a wildcard bind is reached on loopback, IPv6 bracketed."""
    if host in ("0.0.0.0", ""):  # noqa: S104 - a wildcard is shown, never bound here
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
