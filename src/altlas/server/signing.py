"""The JWT signing key: from config (a secret reference), else generated once and kept.

A generated key lives in ``ALTLAS_HOME/keys/jwt.key`` with mode 0600 (the directory 0700).
It is created with ``O_EXCL``, so server processes starting together agree on one key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from pathlib import Path

from altlas.config import resolve_secret
from altlas.errors import ConfigError

__all__ = ["derive", "key_path", "signing_key"]

MIN_SECRET = 32


def key_path(home: Path) -> Path:
    return home / "keys" / "jwt.key"


def _read(path: Path) -> str:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise ConfigError(
            f"{path} is readable by other users (mode {mode:o}); run: chmod 600 {path}",
        )
    text = path.read_text(encoding="utf-8").strip()
    if len(text) < MIN_SECRET:
        raise ConfigError(f"{path}: signing key is shorter than {MIN_SECRET} characters")
    return text


def signing_key(home: Path, reference: str | None = None) -> str:
    """The HS256 secret: ``reference`` resolved, else the generated key of ``home``."""
    if reference:
        value = resolve_secret(reference, what="[server] jwt_secret")
        if value is None or len(value) < MIN_SECRET:
            raise ConfigError(f"[server] jwt_secret must be at least {MIN_SECRET} characters")
        return value
    path = key_path(home)
    if path.exists():
        return _read(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    secret = secrets.token_urlsafe(48)
    # Written whole to a private temporary file, then linked into place: link() fails if
    # the key exists, so processes starting together all end up reading one complete key.
    tmp = path.with_name(f".jwt.key.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(secret + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return _read(path)
    finally:
        tmp.unlink(missing_ok=True)
    return secret


def derive(secret: str, purpose: str) -> str:
    """A separate secret for ``purpose`` (e.g. CSRF), so one key is never used for two jobs."""
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).hexdigest()
