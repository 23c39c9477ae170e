"""Images from outside (uploads, fetched covers) made safe to store and serve.

The type is decided by the bytes (Pillow's own detection), never by a file name or a
Content-Type; the size is checked before decoding (a 10 kB PNG can claim 100,000 × 100,000
pixels); every image is decoded and encoded again as a plain JPEG at fixed sizes, so no EXIF
(location, camera), colour-profile tricks or trailing payload reach a visitor.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
# Far below Pillow's own bomb limit (89 Mpx), so its warning never fires: 40 Mpx is a
# 6000 × 6000 scan; decoding one takes ~120 MB, which the worker and web processes can spare.
MAX_PIXELS = 40_000_000
MIN_SIDE = 16
FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}
TOO_BIG = "The image is too large: keep it under 5 MB."
TOO_MANY_PIXELS = "The image is {size}; keep it under 40 million pixels (e.g. 6000 × 6000)."


class ImageError(ValueError):
    """An image refused, with the reason in words for the reader."""


@dataclass(frozen=True)
class Size:
    name: str
    width: int
    height: int
    crop: bool = False  # fill the box exactly (avatars) instead of fitting inside it


@dataclass(frozen=True)
class Rendition:
    """One stored size of an image: its JPEG bytes and what they measure."""

    size: str
    data: bytes
    width: int
    height: int


def open_image(data: bytes) -> Image.Image:
    """The decoded image, or ImageError saying why not (type, size, dimensions, damage)."""
    if len(data) > MAX_BYTES:
        raise ImageError(TOO_BIG)
    if not data:
        raise ImageError("The file is empty.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
    except UnidentifiedImageError:
        raise ImageError("That is not a JPEG, PNG or WebP image.") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(TOO_MANY_PIXELS.format(size="far too many pixels")) from None
    except (OSError, SyntaxError, ValueError):
        raise ImageError("The image could not be read; it may be damaged.") from None
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise ImageError(TOO_MANY_PIXELS.format(size=f"{width} × {height} pixels"))
    if min(width, height) < MIN_SIDE:
        raise ImageError(f"The image is {width} × {height} pixels; it needs at least 16 × 16.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombWarning):
        raise ImageError("The image could not be read; it may be damaged.") from None
    return image


def _flatten(image: Image.Image) -> Image.Image:
    """Upright (EXIF orientation applied) RGB; transparency over white, as a page shows it."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


def renditions(data: bytes, sizes: tuple[Size, ...]) -> list[Rendition]:
    """``data`` validated and re-encoded once per size (JPEG, no metadata). Raises ImageError."""
    image = _flatten(open_image(data))
    out = []
    for size in sizes:
        box = (size.width, size.height)
        if size.crop:
            resized = ImageOps.fit(image, box, Image.Resampling.LANCZOS)
        else:
            resized = image.copy()
            resized.thumbnail(box, Image.Resampling.LANCZOS)  # never enlarges
        buffer = io.BytesIO()
        resized.save(buffer, "JPEG", quality=85, optimize=True, progressive=True)
        out.append(Rendition(size.name, buffer.getvalue(), *resized.size))
    return out


def digest(data: bytes) -> str:
    """The name an image is stored under: a hash of the source bytes (20 hex digits)."""
    return hashlib.sha256(data).hexdigest()[:20]
