"""Containers and syntaxes are detected by content, and damage gives a clean DecodeError."""

from __future__ import annotations

import gzip
import io
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from altlas.errors import DecodeError
from altlas.formats import codec

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=80, deadline=None)
@given(st.dictionaries(st.text(max_size=10), json_values, max_size=6))
def test_every_container_and_syntax_round_trips(data: dict) -> None:
    """JSON and YAML, plain, zstd and gzip: decode(encode(x)) == x."""
    for body in (codec.dump_json(data), codec.dump_json(data, pretty=False), codec.dump_yaml(data)):
        for packed in (body, codec.compress_zstd(body), gzip.compress(body)):
            assert codec.decode_bytes(packed).data == data


def test_detection_reports_container_and_syntax() -> None:
    """zstd, gzip and zip are recognised by their magic numbers, not by names."""
    body = b'{"a": 1}'
    assert codec.decode_bytes(codec.compress_zstd(body)).container == "zstd"
    assert codec.decode_bytes(gzip.compress(body)).container == "gzip"
    assert codec.decode_bytes(b"a: 1\n").syntax == "yaml"
    assert codec.decode_bytes(b'  \n{"a": 1}').syntax == "json"


def test_zip_bundle_prefers_the_last_document_over_artifacts() -> None:
    """A runner bundle holds last_<id>.json plus artifacts/; the document is chosen."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("artifacts/notes.json", b'{"not": "this"}')
        zf.writestr("last_abc.json", b'{"execution_id": "abc"}')
    decoded = codec.decode_bytes(buf.getvalue())
    assert decoded.container == "zip"
    assert decoded.member == "last_abc.json"
    assert decoded.data == {"execution_id": "abc"}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "file is empty"),
        (b"   \n\t", "file is empty"),
        (b'{"a": [1, 2', "invalid or truncated JSON"),
        (b"\x00\x01\x02garbage", "binary data"),
        (b"\xff\xfe\xfa text", "not UTF-8 text"),
        (b"a: [1, 2\n", "invalid YAML at line"),
        (b"just a sentence", "no mapping at the top level"),
        (codec.ZSTD_MAGIC + b"\x00\x00junk", "damaged zstd data"),
        (codec.GZIP_MAGIC + b"\x08\x00junk", "damaged gzip data"),
        (codec.ZIP_MAGIC + b"junk", "damaged zip archive"),
    ],
)
def test_damage_gives_one_clear_message(raw: bytes, message: str) -> None:
    """Empty, truncated, binary and corrupt inputs raise DecodeError, never anything else."""
    with pytest.raises(DecodeError, match=message):
        codec.decode_bytes(raw)


def test_truncated_zstd_frame_is_reported() -> None:
    """A zstd file cut short is damaged, not silently shortened."""
    packed = codec.compress_zstd(codec.dump_json({"k": "v" * 5000}))
    with pytest.raises(DecodeError):
        codec.decode_bytes(packed[: len(packed) // 2])


def test_yaml_writer_never_emits_python_tags() -> None:
    """Enum values are written as plain strings; arbitrary objects are refused, never tagged."""
    import yaml

    from altlas.formats.common import Mode

    text = codec.dump_yaml({"mode": Mode.CHAOS, "list": [1, 2]})
    assert b"!!python" not in text
    assert yaml.safe_load(text) == {"mode": "chaos", "list": [1, 2]}
    with pytest.raises(yaml.representer.RepresenterError):
        codec.dump_yaml({"obj": object()})


def test_yaml_keeps_unicode_readable() -> None:
    """Turkish text is written as itself, not as escapes, in canonical YAML."""
    text = codec.dump_yaml({"command": "Dosyayı açıp özetle, İstanbul"})
    assert "Dosyayı açıp özetle, İstanbul".encode() in text


def test_jsonl_reports_bad_lines_by_number() -> None:
    """A bad line becomes a DecodeError carrying its line number; others still parse."""
    items = list(codec.iter_jsonl([b'{"a": 1}\n', b"\n", b"{oops\n", b"[2]\n"]))
    assert items[0] == (1, {"a": 1})
    assert items[1][0] == 3 and isinstance(items[1][1], DecodeError)
    assert items[1][1].context["line"] == 3
    assert items[2] == (4, [2])
