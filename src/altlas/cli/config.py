"""``altlas paths`` and ``altlas config show``: where altlas keeps things, and what it is set to.

Each value is shown with its source: ``default`` (the model's), ``file`` (config.toml), ``env``
(``ALTLAS_<SECTION>__<KEY>``) or ``flag`` (``--set SECTION.KEY=VALUE``, which previews what a
command's flag such as ``altlas run --concurrency 8`` would make of the settings). Secrets are
shown as their references (``env:NAME``, ``file:PATH``), never resolved; a ``literal:`` value or
a password in a URL is masked.
"""

from __future__ import annotations

import re
from importlib import import_module
from typing import TYPE_CHECKING, Annotated, Any

import typer

from altlas.cli._common import emit_rows
from altlas.cli._output import ROWS, Format, format_option

if TYPE_CHECKING:
    from altlas.config import Settings

__all__ = ["config_rows", "parse_sets", "path_rows", "register"]

SECTIONS: dict[str, str] = {
    "run": "altlas.run.options:RunConfig",
    "llm": "altlas.llm.config:LlmSettings",
    "archive": "altlas.index.archive:ArchiveSettings",
    "formats": "altlas.formats.limits:FormatsSettings",
    "server": "altlas.server.config:ServerConfig",
}
"""Each config section and the pydantic model that reads it (imported only for this command)."""

_SECRET_NAME = re.compile(r"(secret|password|token|api_key|private)", re.IGNORECASE)
_URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]+@", re.IGNORECASE)


def _model(section: str) -> Any:
    module, _, name = SECTIONS[section].partition(":")
    return getattr(import_module(module), name)


def shown_value(key: str, value: Any) -> Any:
    """``value`` as it may be printed: secrets as references, passwords in URLs masked."""
    if isinstance(value, str):
        value = _URL_PASSWORD.sub(r"\g<head>***@", value)
        if _SECRET_NAME.search(key) and value:
            scheme, sep, _ = value.partition(":")
            if scheme in ("env", "file") and sep:
                return value
            return f"{scheme}:***" if sep and scheme == "literal" else "*** (not a reference)"
    return value


def _plain(value: Any) -> Any:
    from pathlib import PurePath

    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "model_dump"):
        return _plain(value.model_dump(mode="json"))
    return value


def parse_sets(items: list[str] | None) -> dict[tuple[str, str], Any]:
    """``SECTION.KEY=VALUE`` flags; values are JSON when they parse (``8``, ``true``), else text."""
    import orjson

    found: dict[tuple[str, str], Any] = {}
    for item in items or []:
        name, sep, raw = item.partition("=")
        section, dot, key = name.strip().partition(".")
        if not sep or not dot or section not in SECTIONS or not key:
            known = ", ".join(SECTIONS)
            raise typer.BadParameter(
                f"'{item}' is not SECTION.KEY=VALUE with a section among {known}",
                param_hint="--set",
            )
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError:
            value = raw
        found[(section, key)] = value
    return found


def config_rows(
    settings: Settings, flags: dict[tuple[str, str], Any] | None = None
) -> list[dict[str, Any]]:
    """One row per known key: section, key, effective value, source."""
    flags = flags or {}
    rows: list[dict[str, Any]] = []
    for section in SECTIONS:
        model = _model(section)
        overrides = {k: v for (sec, k), v in flags.items() if sec == section}
        effective = settings.section(section, model, **overrides)
        for key in model.model_fields:
            source = "flag" if key in overrides else settings.sources.get((section, key), "default")
            value = _plain(getattr(effective, key))
            rows.append(
                {
                    "section": section,
                    "key": key,
                    "value": shown_value(key, value),
                    "source": source,
                }
            )
    known = {(r["section"], r["key"]) for r in rows}
    for (section, key), source in sorted(settings.sources.items()):
        if (section, key) not in known:  # a section no model reads here (e.g. a plugin's)
            raw = settings.raw_section(section).get(key)
            rows.append(
                {
                    "section": section,
                    "key": key,
                    "value": shown_value(key, _plain(raw)),
                    "source": source,
                }
            )
    return rows


def path_rows(settings: Settings) -> list[dict[str, Any]]:
    """Where altlas keeps its data, config and logs, and whether each exists yet."""
    import os

    from altlas.run.options import RunConfig

    home = settings.home
    config_file = settings.config_file or (
        os.environ.get("ALTLAS_CONFIG") or str(home / "config.toml")
    )
    results = settings.section("run", RunConfig).output_dir or home / "results"
    entries = [
        ("home", home, "everything below, unless set otherwise (ALTLAS_HOME)"),
        ("config", config_file, "settings (ALTLAS_CONFIG names another file)"),
        ("results", results, "results of 'altlas run' without -o ([run] output_dir)"),
        ("journal", home / "runs.db", "the run journal: every run and task (log of runs)"),
        ("archive", home / "altlas.db", "the archive's database"),
        ("blobs", home / "blobs", "archived originals, zstd-compressed"),
        ("index", home / "index", "the search index (rebuilt from the archive if lost)"),
        ("analytics", home / "analytics.db", "the server's request log (altlas analytics)"),
        ("accounts", home / "auth.db", "server users and API keys (hashed)"),
        ("keys", home / "keys", "generated secrets, mode 0600"),
        ("workspaces", home / "workspaces", "the server's per-run workspaces"),
    ]
    from pathlib import Path

    return [
        {"name": name, "path": str(path), "exists": Path(path).exists(), "what": what}
        for name, path, what in entries
    ]


FormatOpt = Annotated[Format, format_option(ROWS)]

config_app = typer.Typer(
    name="config", help="The effective configuration and where it comes from.", no_args_is_help=True
)


@config_app.command("show")
def show(
    paths_only: Annotated[
        bool, typer.Option("--paths", help="Only where altlas keeps its files (altlas paths).")
    ] = False,
    sets: Annotated[
        list[str] | None,
        typer.Option("--set", help="Preview a flag: SECTION.KEY=VALUE (repeatable)."),
    ] = None,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Every setting, its value and its source (default, file, env, flag); secrets as references."""
    from altlas.config import load_settings

    if paths_only:
        paths(fmt)
        return
    rows = config_rows(load_settings(), parse_sets(sets))
    emit_rows(rows, ["section", "key", "value", "source"], fmt, title="config")


def paths(fmt: FormatOpt = Format.TABLE) -> None:
    """Where altlas keeps its data, its config and its logs."""
    from altlas.config import load_settings

    rows = path_rows(load_settings())
    emit_rows(rows, ["name", "path", "exists", "what"], fmt, title="altlas paths")


def register(app: typer.Typer) -> None:
    app.command("paths")(paths)
    app.add_typer(config_app, name="config")
