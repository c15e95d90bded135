"""Bytes <-> Python data: containers (zstd, gzip, zip) and syntaxes (JSON, YAML, JSON Lines).

Detection is by content, never only by the file name: zstd and gzip by their magic numbers, zip
by its local-header signature, JSON by its first significant character, YAML otherwise.
zstandard is imported only when a zstd frame is met or written.
"""

from __future__ import annotations

import enum
import gzip
import io
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import orjson
import yaml

from altlas.errors import DecodeError, FormatError

__all__ = [
    "Container",
    "Decoded",
    "compress_zstd",
    "decode_bytes",
    "decompress_zstd",
    "dump_json",
    "dump_yaml",
    "iter_jsonl",
    "parse_text",
]

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
MAX_DECOMPRESSED = 1 << 30
"""Refuse to inflate more than 1 GiB from one file: a guard against decompression bombs."""

Container = Literal["plain", "zstd", "gzip", "zip"]
Syntax = Literal["json", "yaml"]


@dataclass(slots=True)
class Decoded:
    """What a file held once its container and syntax were undone."""

    data: Any
    container: Container
    syntax: Syntax
    text: bytes
    member: str | None = None


def decompress_zstd(raw: bytes) -> bytes:
    import zstandard

    try:
        reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(raw))
        out = reader.read(MAX_DECOMPRESSED + 1)
    except zstandard.ZstdError as exc:
        raise DecodeError(f"damaged zstd data: {exc}") from None
    if len(out) > MAX_DECOMPRESSED:
        raise DecodeError("zstd data inflates past 1 GiB; refusing")
    return bytes(out)


def compress_zstd(raw: bytes, level: int = 10) -> bytes:
    import zstandard

    return bytes(zstandard.ZstdCompressor(level=level, write_checksum=True).compress(raw))


def _gunzip(raw: bytes) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as fh:
            out = fh.read(MAX_DECOMPRESSED + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise DecodeError(f"damaged gzip data: {exc}") from None
    if len(out) > MAX_DECOMPRESSED:
        raise DecodeError("gzip data inflates past 1 GiB; refusing")
    return out


_ZIP_PREFERENCE = (".last", ".json", ".json.gz", ".alt", ".atlas", ".yaml", ".yml")


def _unzip(raw: bytes) -> tuple[bytes, str]:
    """The document inside a runner bundle: ``last_<id>.json`` (artifacts are skipped)."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            names = [
                n
                for n in zf.namelist()
                if not n.endswith("/") and not n.startswith(("artifacts/", "__MACOSX/"))
            ]
            ranked = sorted(
                (n for n in names if n.lower().endswith(_ZIP_PREFERENCE)),
                key=lambda n: (
                    not n.rsplit("/", 1)[-1].startswith("last_"),
                    n.count("/"),
                    n,
                ),
            )
            if not ranked:
                raise DecodeError("zip archive holds no .last/.json/.alt document")
            member = ranked[0]
            info = zf.getinfo(member)
            if info.file_size > MAX_DECOMPRESSED:
                raise DecodeError(f"zip member {member} is larger than 1 GiB; refusing")
            return zf.read(member), member
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise DecodeError(f"damaged zip archive: {exc}") from None


def unwrap(raw: bytes) -> tuple[bytes, Container, str | None]:
    """Undo the container (nested once, e.g. zstd inside zip); plain bytes pass through."""
    if not raw:
        raise DecodeError("file is empty")
    body, container, member = _unwrap(raw)
    if container != "plain" and body.startswith((ZSTD_MAGIC, GZIP_MAGIC)):
        body, _, _ = _unwrap(body)
    return body, container, member


def decode_unwrapped(body: bytes, container: Container, member: str | None = None) -> Decoded:
    data, syntax = parse_text(body)
    return Decoded(data=data, container=container, syntax=syntax, text=body, member=member)


def _unwrap(raw: bytes) -> tuple[bytes, Container, str | None]:
    if raw.startswith(ZSTD_MAGIC):
        return decompress_zstd(raw), "zstd", None
    if raw.startswith(GZIP_MAGIC):
        return _gunzip(raw), "gzip", None
    if raw.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)):
        body, member = _unzip(raw)
        return body, "zip", member
    return raw, "plain", None


def _looks_binary(text: bytes) -> bool:
    return b"\x00" in text[:8192]


_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_text(text: bytes) -> tuple[Any, Syntax]:
    """Parse JSON or YAML text, chosen by the first significant character."""
    if text.startswith(b"\xef\xbb\xbf"):
        text = text[3:]
    stripped = text.lstrip()
    if not stripped:
        raise DecodeError("file is empty")
    if _looks_binary(text):
        raise DecodeError("binary data, not a JSON or YAML document")
    if stripped[:1] in (b"{", b"["):
        try:
            return orjson.loads(text), "json"
        except orjson.JSONDecodeError as exc:
            raise DecodeError(f"invalid or truncated JSON: {exc}") from None
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DecodeError(f"not UTF-8 text (byte {exc.start})") from None
    try:
        data = yaml.load(decoded, Loader=_SafeLoader)  # noqa: S506  (a safe loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise DecodeError(f"invalid YAML{where}: {problem}") from None
    if not isinstance(data, dict | list):
        raise DecodeError("not a JSON or YAML document (no mapping at the top level)")
    return data, "yaml"


def decode_bytes(raw: bytes) -> Decoded:
    """Undo the container, then the syntax."""
    return decode_unwrapped(*unwrap(raw))


def dump_json(data: Any, *, pretty: bool = True) -> bytes:
    option = orjson.OPT_INDENT_2 if pretty else 0
    try:
        out = orjson.dumps(data, option=option | orjson.OPT_NON_STR_KEYS)
    except TypeError as exc:
        raise FormatError(f"cannot write as JSON: {exc}") from None
    return out + b"\n" if pretty else out


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Safe dumping only: no Python tags can ever be written."""


def _str_presenter(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value and len(value) < 10_000 else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _enum_presenter(dumper: yaml.SafeDumper, value: enum.Enum) -> yaml.Node:
    # The original v2 writer dumped enum members as !!python tags that safe_load rejects.
    return dumper.represent_data(value.value)


_Dumper.add_representer(str, _str_presenter)
_Dumper.add_multi_representer(enum.Enum, _enum_presenter)


class _LegacyDumper(yaml.SafeDumper):
    """What the original segmentation service used: pure-Python PyYAML, default style.

    libyaml folds long lines at other places, and literal blocks were never written, so files
    meant for the original stay byte-for-byte what it would have written itself.
    """


_LegacyDumper.add_multi_representer(enum.Enum, _enum_presenter)


def dump_yaml(
    data: Any,
    *,
    allow_unicode: bool = True,
    width: int = 100,
    legacy: bool = False,
) -> bytes:
    """Safe YAML; ``legacy=True`` writes what the original service wrote (ASCII, 80 columns)."""
    if legacy:
        text = yaml.dump(data, Dumper=_LegacyDumper, sort_keys=False, default_flow_style=False)
        return text.encode("utf-8")
    text = yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=allow_unicode,
        sort_keys=False,
        default_flow_style=False,
        width=width,
    )
    return text.encode("utf-8")


def iter_jsonl(lines: Iterable[bytes]) -> Iterator[tuple[int, Any | DecodeError]]:
    """``(line number, object or DecodeError)`` for each non-blank line."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield number, orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield number, DecodeError(f"invalid JSON: {exc}", line=number)
