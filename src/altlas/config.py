"""Settings: defaults < config file < environment (``ALTLAS_*``) < explicit overrides.

* ``ALTLAS_HOME`` is where everything lives (default: the platform's user data directory).
* The config file is ``$ALTLAS_HOME/config.toml`` unless ``ALTLAS_CONFIG`` names another.
* Each component owns a section (``[run]``, ``[segment]``, ``[llm]``, ``[archive]``,
  ``[server]``, ``[formats]`` for the reader limits of ``altlas.formats.limits``) and reads
  it with :meth:`Settings.section`, which validates it against the component's own pydantic
  model.
* Environment variables override single keys: ``ALTLAS_RUN__CONCURRENCY=8`` sets
  ``[run] concurrency``. Values are parsed as JSON when they can be (``8``, ``true``), else
  kept as strings.
* Secrets are never stored in plans or results: config holds a *reference*
  (``env:NAME``, ``file:PATH`` or ``literal:VALUE``) resolved with :func:`resolve_secret`.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from altlas.errors import ConfigError

__all__ = ["Settings", "altlas_home", "ensure_home", "load_settings", "resolve_secret"]

S = TypeVar("S", bound=BaseModel)
_ENV_PREFIX = "ALTLAS_"
_RESERVED_ENV = {"ALTLAS_HOME", "ALTLAS_CONFIG", "ALTLAS_DEBUG"}


def altlas_home(override: str | os.PathLike[str] | None = None) -> Path:
    """The data directory: ``override``, else ``$ALTLAS_HOME``, else the platform default."""
    if override is not None:
        return Path(override).expanduser()
    env = os.environ.get("ALTLAS_HOME")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("altlas", appauthor=False))


def ensure_home(home: Path) -> Path:
    """Create the data directory if needed; one line naming it and the cause when it cannot be."""
    import errno

    try:
        if home.is_dir():
            return home
        if home.exists():
            raise ConfigError("ALTLAS_HOME is not a directory (it is a file)", file=str(home))
        home.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        name = errno.errorcode.get(exc.errno or 0, "")
        cause = f"{exc.strerror or exc}" + (f" ({name})" if name else "")
        where = exc.filename if exc.filename and str(exc.filename) != str(home) else None
        raise ConfigError(
            f"ALTLAS_HOME cannot be created: {cause}" + (f" at {where}" if where else ""),
            file=str(home),
        ) from None
    return home


def resolve_secret(reference: str | None, *, what: str = "secret") -> str | None:
    """Resolve ``env:NAME``, ``file:PATH`` or ``literal:VALUE``; None stays None."""
    if reference is None or reference == "":
        return None
    scheme, sep, rest = reference.partition(":")
    if not sep:
        raise ConfigError(
            f"{what} must be a reference such as env:NAME or file:PATH, not a bare value",
        )
    if scheme == "env":
        value = os.environ.get(rest)
        if value is None:
            raise ConfigError(f"{what}: environment variable {rest} is not set")
        return value
    if scheme == "file":
        try:
            return Path(rest).expanduser().read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{what}: cannot read {rest}: {exc.strerror}") from None
    if scheme == "literal":
        return rest
    raise ConfigError(f"{what}: unknown secret reference scheme '{scheme}' (use env: or file:)")


def _parse_env_value(raw: str) -> Any:
    import orjson

    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return raw


class Settings:
    """Resolved configuration. Cheap to build; sections are validated on demand."""

    def __init__(
        self,
        home: Path,
        data: dict[str, Any] | None = None,
        *,
        config_file: Path | None = None,
        sources: dict[tuple[str, str], str] | None = None,
    ) -> None:
        self.home = home
        self.data: dict[str, Any] = data or {}
        self.config_file = config_file
        self.sources: dict[tuple[str, str], str] = sources or {}
        """Where each ``(section, key)`` set here came from: ``"file"`` or ``"env"``."""

    def raw_section(self, name: str) -> dict[str, Any]:
        value = self.data.get(name, {})
        return value if isinstance(value, dict) else {}

    def section(self, name: str, model: type[S], **overrides: Any) -> S:
        """Section ``name`` validated against ``model``; ``overrides`` that are not None win."""
        merged = dict(self.raw_section(name))
        merged.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return model.model_validate(merged)
        except PydanticValidationError as exc:
            err = exc.errors(include_url=False)[0]
            loc = ".".join(str(p) for p in err["loc"])
            where = str(self.config_file) if self.config_file else "settings"
            raise ConfigError(f"{where}: [{name}] {loc}: {err['msg']}") from None


def load_settings(home: str | os.PathLike[str] | None = None) -> Settings:
    """Defaults, then the config file, then ``ALTLAS_<SECTION>__<KEY>`` variables."""
    root = altlas_home(home)
    config_env = os.environ.get("ALTLAS_CONFIG")
    path = Path(config_env).expanduser() if config_env else root / "config.toml"
    data: dict[str, Any] = {}
    sources: dict[tuple[str, str], str] = {}
    try:
        present = path.is_file()
    except OSError as exc:  # a home below a folder we may not enter (EACCES)
        raise ConfigError(f"cannot read config: {exc.strerror}", file=str(path)) from None
    if present:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read config: {exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: invalid TOML: {exc}") from None
        for section, values in data.items():
            for field in values if isinstance(values, dict) else ():
                sources[(section, field)] = "file"
    elif config_env:
        raise ConfigError(f"{path}: config file named by ALTLAS_CONFIG does not exist")
    for key, raw in os.environ.items():
        if not key.startswith(_ENV_PREFIX) or key in _RESERVED_ENV or "__" not in key:
            continue
        section, _, field = key[len(_ENV_PREFIX) :].lower().partition("__")
        if section and field:
            data.setdefault(section, {})[field] = _parse_env_value(raw)
            sources[(section, field)] = "env"
    return Settings(root, data, config_file=path if present else None, sources=sources)
