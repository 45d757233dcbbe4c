"""Reading images that strangers upload, without letting one of them exhaust a process.

An image's pixel count is known from its header, before a single pixel is decoded: a 20 KB PNG
may declare 13,370 × 13,370 pixels and need gigabytes once decoded. So every image is opened
through ``image_open``, which reads the header only and refuses anything over
``MARKET_MAX_IMAGE_PIXELS``; Pillow's own bomb guard (``Image.MAX_IMAGE_PIXELS``, set from the
same setting when Django starts) stays behind it as a second wall. Only the formats we accept are
tried, so no exotic decoder ever runs on an upload.
"""

from __future__ import annotations

import io
from typing import BinaryIO, cast

from django.conf import settings
from PIL import Image, UnidentifiedImageError

# The formats we accept and the extension a stored file of each gets.
IMAGE_EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}

# What Pillow raises on a file that claims to be an image and is not a readable one.
_DECODING_ERRORS = (
    UnidentifiedImageError,
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
    TypeError,
)


class ImageRefused(Exception):
    """An image we will not decode; ``str()`` says why, for logs."""


class UnreadableImage(ImageRefused):
    pass


class TooManyPixels(ImageRefused):
    def __init__(self, pixels: int | None, limit: int):
        self.pixels, self.limit = pixels, limit
        super().__init__(f"{pixels or 'too many'} pixels, over the budget of {limit}")


def max_image_pixels() -> int:
    pixels: int = settings.MARKET_MAX_IMAGE_PIXELS
    return pixels


def image_open(fp: BinaryIO) -> Image.Image:
    """Open an accepted image reading its header only; the caller closes it. Raises
    ``TooManyPixels`` before anything is decoded, ``UnreadableImage`` for anything else."""
    limit = max_image_pixels()
    try:
        image = Image.open(fp, formats=list(IMAGE_EXTENSIONS))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise TooManyPixels(None, limit) from exc
    except _DECODING_ERRORS as exc:
        raise UnreadableImage(str(exc)) from exc
    pixels = image.width * image.height
    if pixels > limit:
        image.close()
        raise TooManyPixels(pixels, limit)
    return image


def image_verified_extension(data: bytes) -> str:
    """The extension (``".png"``) of an accepted, structurally sound image within the budget.
    ``verify()`` walks the file's structure without decoding it to pixels."""
    with image_open(io.BytesIO(data)) as image:
        # ``image_open`` tried only our formats, so Pillow named one of them.
        extension = IMAGE_EXTENSIONS[cast(str, image.format)]
        try:
            image.verify()
        except _DECODING_ERRORS as exc:
            raise UnreadableImage(str(exc)) from exc
    return extension


def image_dimensions(data: bytes) -> tuple[int, int]:
    """Width and height in pixels of an accepted image, from its header alone (pages give
    them to the browser so that nothing jumps while images load)."""
    with image_open(io.BytesIO(data)) as image:
        return image.width, image.height


def image_thumbnail_jpeg(data: bytes, *, size: int) -> bytes:
    """A JPEG at most ``size`` pixels on its longer side.

    A JPEG is decoded reduced (the decoder scales by 1/2 to 1/8 while reading: ``thumbnail``
    calls ``draft``); the others are decoded at full size, which the pixel budget bounds, then
    reduced in integer steps before the final resampling (``reducing_gap``), and converted to RGB
    only once small (palette, bilevel and CMYK images excepted).
    """
    with image_open(io.BytesIO(data)) as source:
        try:
            picture = source
            if picture.mode not in ("RGB", "RGBA", "L", "LA"):
                # Palette and bilevel images would be resized by nearest neighbour, CMYK and
                # 16-bit ones not at all: colours first.
                picture = picture.convert("RGB")
            picture.thumbnail((size, size), reducing_gap=2.0)
            buffer = io.BytesIO()
            picture.convert("RGB").save(buffer, format="JPEG", quality=82, optimize=True)
        except (Image.DecompressionBombError, *_DECODING_ERRORS) as exc:
            raise UnreadableImage(str(exc)) from exc
    return buffer.getvalue()


def configure_pillow() -> None:
    """Pillow's own guard (a warning above the limit, an error above twice the limit) for any
    image opened elsewhere, e.g. by the admin's forms."""
    Image.MAX_IMAGE_PIXELS = max_image_pixels()
