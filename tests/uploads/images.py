"""Image files built in memory for the upload tests."""

import io
import struct
import zlib

from PIL import Image


def _chunk(kind: bytes, body: bytes) -> bytes:
    return (
        struct.pack(">I", len(body))
        + kind
        + body
        + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    )


def png_of_one_colour(width: int, height: int) -> bytes:
    """A black-and-white PNG of ``width`` × ``height`` white pixels, written row by row so that
    a 13,370² picture (a few KB compressed, gigabytes once decoded) never exists in memory."""
    row = b"\x00" + b"\xff" * ((width + 7) // 8)  # filter "none", then 1 bit per pixel
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", data)
        + _chunk(b"IEND", b"")
    )


def png_bytes(size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "navy").save(buffer, format="PNG")
    return buffer.getvalue()


def png_with_broken_pixels(size: tuple[int, int] = (40, 30)) -> bytes:
    """A PNG whose header and chunk checksums are sound but whose pixel data is not zlib: it
    opens (and passes ``verify()``), and fails only when decoded."""
    header = struct.pack(">IIBBBBB", size[0], size[1], 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", b"not zlib" * 8)
        + _chunk(b"IEND", b"")
    )
