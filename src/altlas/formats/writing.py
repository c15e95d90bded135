"""Writing documents: a model -> a dialect's data -> JSON or YAML -> optional container -> file.

The reading side is :mod:`altlas.formats.io`, which re-exports everything here.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any, Literal

from altlas.errors import FormatError, UnavailableError
from altlas.formats import codec
from altlas.formats.atlas import Atlas
from altlas.formats.dialects import Dialect, Kind, dialect_named
from altlas.formats.plan import Plan
from altlas.formats.result import Result

__all__ = [
    "SyntaxName",
    "atomic_write_bytes",
    "kind_of",
    "options_for_path",
    "to_bytes",
    "to_data",
    "write",
]


def kind_of(document: Any) -> Kind:
    if isinstance(document, Plan):
        return "alt"
    if isinstance(document, Result):
        return "last"
    if isinstance(document, Atlas):
        return "atlas"
    raise FormatError(f"not an altlas document: {type(document).__name__}")


def _target_dialect(document: Any, dialect: str | None) -> Dialect:
    kind = kind_of(document)
    if dialect in (None, "canonical", "json", "yaml"):
        return dialect_named(f"canonical-{kind}")
    found = dialect_named(dialect)
    if found.kind != kind:
        raise FormatError(f"dialect '{found.name}' writes {found.kind} files, not {kind}")
    if found.write is None:
        raise FormatError(f"dialect '{found.name}' can be read but not written")
    return found


SyntaxName = Literal["json", "yaml"]


def to_data(document: Any, dialect: str | None = None) -> Any:
    """The plain data a dialect writes for ``document``."""
    return _write_data(document, dialect)[0]


def _write_data(document: Any, dialect: str | None) -> tuple[Any, Dialect]:
    target = _target_dialect(document, dialect)
    assert target.write is not None
    return target.write(document), target


def to_bytes(
    document: Any,
    *,
    dialect: str | None = None,
    syntax: SyntaxName | None = None,
    pretty: bool = True,
    compress: Literal["zstd", "gzip"] | None = None,
) -> bytes:
    """Serialise ``document`` in a dialect and syntax, optionally compressed."""
    data, target = _write_data(document, dialect)
    chosen = syntax or ("yaml" if dialect == "yaml" else target.syntax)
    if target.name.startswith("runner") and chosen != "json":
        raise FormatError(
            "the runner dialect is JSON only (the original runner reads nothing else)"
        )
    if chosen == "yaml":
        body = codec.dump_yaml(data, legacy=target.name.startswith("segmentation"))
    else:
        body = codec.dump_json(data, pretty=pretty)
    if compress == "zstd":
        return codec.compress_zstd(body)
    if compress == "gzip":
        import gzip

        return gzip.compress(body, mtime=0)
    return body


def options_for_path(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Syntax and compression implied by a file name (``x.alt.yaml.zst`` -> yaml + zstd)."""
    low = str(path).lower()
    opts: dict[str, Any] = {}
    if low.endswith(".zst"):
        opts["compress"] = "zstd"
        low = low[:-4]
    elif low.endswith(".gz"):
        opts["compress"] = "gzip"
        low = low[:-3]
    if low.endswith((".yaml", ".yml")):
        opts["syntax"] = "yaml"
    elif low.endswith(".json"):
        opts["syntax"] = "json"
    return opts


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, *, private: bool = False) -> Path:
    """Write through a temporary file and rename, so a crash never leaves half a file.

    The file follows the umask (``0o666 & ~umask``, as every Unix tool's output does) unless
    ``private``, which keeps it 0600 for keys and secrets. The kernel applies the umask at
    ``open``, so it is never read (reading it means setting it, which races other threads).
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = 0o600 if private else 0o666
    while True:
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        except FileExistsError:  # pragma: no cover - 48 random bits collided
            continue
        break
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)  # noqa: PTH105  (tests interpose on os.replace)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def write(
    document: Any,
    path: str | os.PathLike[str],
    *,
    dialect: str | None = None,
    syntax: SyntaxName | None = None,
    pretty: bool = True,
    compress: Literal["zstd", "gzip"] | None = None,
) -> Path:
    """Write ``document`` atomically; syntax and compression default from the file name."""
    opts = options_for_path(path)
    body = to_bytes(
        document,
        dialect=dialect,
        syntax=syntax or opts.get("syntax"),
        pretty=pretty,
        compress=compress or opts.get("compress"),
    )
    try:
        return atomic_write_bytes(path, body)
    except OSError as exc:
        raise UnavailableError(f"cannot write: {exc.strerror}", file=str(path)) from None
