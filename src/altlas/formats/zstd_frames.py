"""The frame layout of a zstd stream, walked from headers alone (RFC 8878, section 3.1).

The streaming decompressor of ``zstandard`` treats input that ends inside a frame as a clean
end of data, so a truncated file would read as a shorter (often empty) document. Walking the
frame and block headers first costs one step per block (at most 128 KiB each) and tells a
complete stream from a cut one, and where each frame ends.
"""

from __future__ import annotations

from altlas.errors import DecodeError

__all__ = ["check_frames", "is_zstd"]

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_FCS_BYTES = (0, 2, 4, 8)
_DICT_ID_BYTES = (0, 1, 2, 4)


def is_skippable(raw: bytes, at: int = 0) -> bool:
    return raw[at + 1 : at + 4] == b"\x2a\x4d\x18" and raw[at] & 0xF0 == 0x50


def is_zstd(raw: bytes) -> bool:
    """A zstd frame, or a skippable frame (magic 0x184D2A5?) that may precede one."""
    return raw.startswith(ZSTD_MAGIC) or (len(raw) >= 4 and is_skippable(raw))


def _frame_end(raw: bytes, at: int) -> int:
    """Where the zstd frame starting at ``at`` (after its magic) ends."""
    descriptor = raw[at]
    single_segment = descriptor >> 5 & 1
    fcs_flag = descriptor >> 6
    at += 1 + (0 if single_segment else 1) + _DICT_ID_BYTES[descriptor & 3]
    at += 1 if fcs_flag == 0 and single_segment else _FCS_BYTES[fcs_flag]
    while True:
        if at + 3 > len(raw):
            raise _truncated()
        header = int.from_bytes(raw[at : at + 3], "little")
        block_type = header >> 1 & 3
        if block_type == 3:
            raise DecodeError("damaged zstd data: reserved block type")
        at += 3 + (1 if block_type == 1 else header >> 3)
        if header & 1:
            break
    return at + (4 if descriptor >> 2 & 1 else 0)


def _truncated() -> DecodeError:
    return DecodeError("damaged zstd data: truncated (the file ends inside a frame)")


def check_frames(raw: bytes) -> None:
    """Every byte belongs to a complete zstd or skippable frame; raise DecodeError otherwise."""
    at = 0
    while at < len(raw):
        if raw.startswith(ZSTD_MAGIC, at):
            if at + 5 > len(raw):
                raise _truncated()
            at = _frame_end(raw, at + 4)
        elif len(raw) - at >= 8 and is_skippable(raw, at):
            at += 8 + int.from_bytes(raw[at + 4 : at + 8], "little")
        else:
            raise DecodeError(f"damaged zstd data: no frame at byte {at}")
        if at > len(raw):
            raise _truncated()
