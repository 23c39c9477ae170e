"""Images are judged by their bytes, bounded before decoding, and re-encoded without metadata."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.media_parts import claimed_png, jpeg, png, webp
from webapp import images

COVER = (images.Size("m", 400, 600), images.Size("s", 160, 240))


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize("make", [jpeg, png, webp], ids=["jpeg", "png", "webp"])
def test_jpeg_png_and_webp_become_plain_jpegs_at_each_size(make):
    out = images.renditions(make(800, 1200), COVER)
    assert [(r.size, r.width, r.height) for r in out] == [("m", 400, 600), ("s", 160, 240)]
    for rendition in out:
        image = decoded(rendition.data)
        assert image.format == "JPEG" and image.mode == "RGB"
        assert image.size == (rendition.width, rendition.height)


def test_small_images_are_not_enlarged():
    (medium, small) = images.renditions(jpeg(100, 150), COVER)
    assert (medium.width, medium.height) == (100, 150) and (small.width, small.height) == (100, 150)


def test_exif_is_dropped():
    source = jpeg(exif=True)
    assert decoded(source).getexif()  # the camera and the place are in the upload …
    for rendition in images.renditions(source, COVER):
        image = decoded(rendition.data)
        assert not image.getexif() and "exif" not in image.info  # … and not in what we keep
        assert b"Camera Maker" not in rendition.data


def test_avatars_are_cropped_square():
    (avatar,) = images.renditions(jpeg(300, 500), (images.Size("m", 192, 192, crop=True),))
    assert (avatar.width, avatar.height) == (192, 192)


def test_transparency_is_flattened_onto_white():
    (rendition,) = images.renditions(png(50, 50), (images.Size("m", 50, 50),))
    red, green, blue = decoded(rendition.data).getpixel((25, 25))
    # 50 % red over white: pinkish, not the dark colour a dropped alpha channel would give.
    assert red > 200 and green > 120 and blue > 120


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"<html><body>not an image</body></html>", "not a JPEG, PNG or WebP"),
        (b"GIF89a" + b"\0" * 100, "not a JPEG, PNG or WebP"),
        (jpeg()[:200], "could not be read"),
        (claimed_png(7_000, 7_000), "7000 × 7000 pixels"),
        (claimed_png(30_000, 30_000), "under 40 million pixels"),
        (claimed_png(10, 2000), "at least 16 × 16"),
        (b"\xff" * (images.MAX_BYTES + 1), "under 5 MB"),
    ],
    ids=["empty", "html", "gif", "truncated", "big", "bomb", "sliver", "too-big"],
)
def test_bad_images_are_refused_with_the_reason(data, message):
    with pytest.raises(images.ImageError, match=message):
        images.renditions(data, COVER)


def test_a_gif_is_refused_even_when_pillow_could_read_it():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40)).save(buffer, "GIF")
    with pytest.raises(images.ImageError, match="not a JPEG, PNG or WebP"):
        images.open_image(buffer.getvalue())


def test_the_digest_names_the_content():
    assert images.digest(b"a") == images.digest(b"a") != images.digest(b"b")
    assert len(images.digest(b"a")) == 20
