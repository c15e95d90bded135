"""Bytes <-> Python data: containers (zstd, gzip, zip) and syntaxes (JSON, YAML, JSON Lines).

Detection is by content, never only by the file name: zstd and gzip by their magic numbers, zip
by its local-header signature, JSON by its first significant character, YAML otherwise.
zstandard is imported only when a zstd frame is met or written.
"""

from __future__ import annotations

import enum
import gzip
import io
import lzma
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import orjson
import yaml

from altlas.errors import DecodeError, FormatError
from altlas.formats.limits import DEFAULT_LIMITS, ReadLimits, clip, describe_bytes
from altlas.formats.yaml_text import load_json, load_yaml
from altlas.formats.zstd_frames import ZSTD_MAGIC, check_frames, is_zstd

__all__ = [
    "GZIP_MAGIC",
    "ZSTD_MAGIC",
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

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
_CHUNK = 1 << 20

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


def _too_big(what: str, limit: int) -> DecodeError:
    return DecodeError(
        f"{what} inflates past {describe_bytes(limit)}; refusing "
        "(limit: [formats] max_decompressed_bytes)",
    )


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def _drain(stream: _Readable, what: str, limit: int) -> bytes:
    """Read ``stream`` in chunks, stopping as soon as the output passes ``limit``."""
    out = io.BytesIO()
    while chunk := stream.read(_CHUNK):
        out.write(chunk)
        if out.tell() > limit:
            raise _too_big(what, limit)
    return out.getvalue()


def decompress_zstd(raw: bytes, limit: int = DEFAULT_LIMITS.max_decompressed_bytes) -> bytes:
    """Every frame of a zstd stream (skippable frames skipped), at most ``limit`` bytes."""
    import zstandard

    check_frames(raw)
    # A frame may ask for a window up to 2 GiB; no honest document under the limit needs more.
    window = 1 << min(31, max(20, (limit - 1).bit_length()))
    try:
        dctx = zstandard.ZstdDecompressor(max_window_size=window)
        with dctx.stream_reader(io.BytesIO(raw), read_across_frames=True) as reader:
            return _drain(reader, "zstd data", limit)
    except zstandard.ZstdError as exc:
        raise DecodeError(f"damaged zstd data: {exc}") from None


def compress_zstd(raw: bytes, level: int = 10) -> bytes:
    import zstandard

    return bytes(zstandard.ZstdCompressor(level=level, write_checksum=True).compress(raw))


def _gunzip(raw: bytes, limit: int) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as fh:
            return _drain(fh, "gzip data", limit)
    except (OSError, EOFError, zlib.error) as exc:
        raise DecodeError(f"damaged gzip data: {exc}") from None


_ZIP_PREFERENCE = (".last", ".json", ".json.gz", ".alt", ".atlas", ".yaml", ".yml")
_ZIP_METHODS = {
    zipfile.ZIP_STORED: "stored",
    zipfile.ZIP_DEFLATED: "deflate",
    zipfile.ZIP_BZIP2: "bzip2",
    zipfile.ZIP_LZMA: "lzma",
}


def _zip_member(zf: zipfile.ZipFile) -> zipfile.ZipInfo:
    names = [
        n
        for n in zf.namelist()
        if not n.endswith("/") and not n.startswith(("artifacts/", "__MACOSX/"))
    ]
    ranked = sorted(
        (n for n in names if n.lower().endswith(_ZIP_PREFERENCE)),
        key=lambda n: (not n.rsplit("/", 1)[-1].startswith("last_"), n.count("/"), n),
    )
    if not ranked:
        raise DecodeError("zip archive holds no .last/.json/.alt document")
    info = zf.getinfo(ranked[0])
    name = clip(info.filename)
    if info.flag_bits & 0x1:
        raise DecodeError(f"zip member {name} is encrypted; altlas reads no encrypted archives")
    if info.compress_type not in _ZIP_METHODS:
        raise DecodeError(
            f"zip member {name} uses compression method {info.compress_type}; "
            f"altlas reads {', '.join(_ZIP_METHODS.values())}",
        )
    return info


def _unzip(raw: bytes, limit: int) -> tuple[bytes, str]:
    """The document inside a runner bundle: ``last_<id>.json`` (artifacts are skipped)."""
    member = "?"
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            info = _zip_member(zf)
            member = clip(info.filename)
            with zf.open(info) as fh:
                return _drain(fh, f"zip member {member}", limit), info.filename
    except (zipfile.BadZipFile, zlib.error, EOFError, lzma.LZMAError) as exc:
        raise DecodeError(f"damaged zip archive: {clip(str(exc))}") from None
    except (OSError, RuntimeError, NotImplementedError, ValueError) as exc:
        # bzip2 damage is an OSError, a missing codec NotImplementedError; one line either way
        raise DecodeError(f"cannot read zip member {member}: {clip(str(exc))}") from None


def unwrap(
    raw: bytes,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> tuple[bytes, Container, str | None]:
    """Undo the container (nested once, e.g. zstd inside zip); plain bytes pass through."""
    if not raw:
        raise DecodeError("file is empty")
    limit = limits.max_decompressed_bytes
    body, container, member = _unwrap(raw, limit)
    if container != "plain" and (is_zstd(body) or body.startswith(GZIP_MAGIC)):
        body, _, _ = _unwrap(body, limit)
    return body, container, member


def decode_unwrapped(
    body: bytes,
    container: Container,
    member: str | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> Decoded:
    data, syntax = parse_text(body, limits)
    return Decoded(data=data, container=container, syntax=syntax, text=body, member=member)


def _unwrap(raw: bytes, limit: int) -> tuple[bytes, Container, str | None]:
    if is_zstd(raw):
        return decompress_zstd(raw, limit), "zstd", None
    if raw.startswith(GZIP_MAGIC):
        return _gunzip(raw, limit), "gzip", None
    if raw.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)):
        body, member = _unzip(raw, limit)
        return body, "zip", member
    return raw, "plain", None


def _looks_binary(text: bytes) -> bool:
    return b"\x00" in text[:8192]


def parse_text(text: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> tuple[Any, Syntax]:
    """Parse JSON or YAML text, chosen by the first significant character."""
    if text.startswith(b"\xef\xbb\xbf"):
        text = text[3:]
    stripped = text.lstrip()
    if not stripped:
        raise DecodeError("file is empty")
    if _looks_binary(text):
        raise DecodeError("binary data, not a JSON or YAML document")
    if stripped[:1] in (b"{", b"["):
        return load_json(text, limits), "json"
    if len(text) > limits.max_yaml_bytes:
        raise DecodeError(
            f"YAML text is larger than {describe_bytes(limits.max_yaml_bytes)}; refusing "
            "(limit: [formats] max_yaml_bytes; JSON documents may be larger)",
        )
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DecodeError(f"not UTF-8 text (byte {exc.start})") from None
    data = load_yaml(decoded, limits)
    if not isinstance(data, dict | list):
        raise DecodeError("not a JSON or YAML document (no mapping at the top level)")
    return data, "yaml"


def decode_bytes(raw: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> Decoded:
    """Undo the container, then the syntax."""
    return decode_unwrapped(*unwrap(raw, limits), limits=limits)


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


def iter_jsonl(
    lines: Iterable[bytes],
    limits: ReadLimits = DEFAULT_LIMITS,
) -> Iterator[tuple[int, Any | DecodeError]]:
    """``(line number, object or DecodeError)`` for each non-blank line, each within ``limits``."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield number, load_json(line, limits)
        except DecodeError as exc:
            yield number, DecodeError(exc.message, line=number, path=exc.context.get("path"))
