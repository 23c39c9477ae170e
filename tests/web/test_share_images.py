"""Share images (og:image) are PNG or JPEG on this site, never the SVG placeholder: social
sites do not render SVG (webapp/og_images.py)."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from tests.factories import make_book
from webapp import og_images
from webapp.extensions import db

OG_IMAGE = re.compile(r'<meta property="og:image" content="([^"]+)">')


def og_image(client, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    found = OG_IMAGE.findall(html)
    assert len(found) == 1, found
    return found[0]


def png_of(response) -> Image.Image:
    assert response.status_code == 200 and response.mimetype == "image/png"
    return Image.open(io.BytesIO(response.data))


def test_a_book_without_a_cover_shares_a_png_card_versioned_by_what_it_draws(client):
    book = make_book("The Left Hand of Darkness", authors=("Ursula K. Le Guin",))
    shared = og_image(client, f"/books/{book.id}-{book.slug}")
    assert re.fullmatch(rf"http://localhost/books/{book.id}/share\.png\?v=[0-9a-f]{{12}}", shared)
    path = shared.removeprefix("http://localhost")
    response = client.get(path)
    image = png_of(response)
    assert image.size == (1200, 630) and image.mode == "RGB"
    assert response.headers["Cache-Control"] == "public, max-age=31536000"
    assert client.get(path, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    stale = client.get(f"/books/{book.id}/share.png?v=000000000000")
    assert stale.headers["Cache-Control"] == "public, max-age=3600"  # not kept for a year
    assert stale.data == response.data

    book.title = "The Dispossessed"
    db.session.commit()
    renamed = og_image(client, f"/books/{book.id}-{book.slug}")
    assert renamed != shared  # a new picture, a new URL
    assert client.get(renamed.removeprefix("http://localhost")).data != response.data


def test_a_book_with_a_stored_cover_shares_it(client):
    book = make_book("Dune", authors=("Frank Herbert",))
    book.cover_key = "ab" * 8
    db.session.commit()
    assert og_image(client, f"/books/{book.id}-dune") == (
        f"http://localhost/media/covers/{book.cover_key}-m.jpg"
    )


@pytest.mark.parametrize("path", ["/", "/books", "/login", "/signup"])
def test_other_pages_share_the_site_card(client, path):
    assert og_image(client, path) == "http://localhost/share.png"
    response = client.get("/share.png")
    assert png_of(response).size == (1200, 630)
    assert response.headers["Cache-Control"] == "public, max-age=86400"


def test_cards_draw_other_scripts_from_the_fonts_subsets():
    """A Cyrillic or Greek title is drawn from that subset's file, not as missing-glyph boxes."""
    assert og_images._font_index("literata", 76, 700, "A") == 0
    assert og_images._font_index("literata", 76, 700, "Ж") == og_images.SUBSETS.index("cyrillic")
    assert og_images._font_index("inter", 38, 400, "λ") == og_images.SUBSETS.index("greek")
    latin = og_images.book_card("War and Peace", "by Leo Tolstoy", "#1d4e7a")
    cyrillic = og_images.book_card("Война и мир", "by Лев Толстой", "#1d4e7a")
    assert Image.open(io.BytesIO(cyrillic)).size == (1200, 630) and cyrillic != latin


def test_long_titles_wrap_to_three_lines_with_an_ellipsis():
    text = og_images.Text("literata", 60, 700)
    lines = text.wrap("word " * 60, 1040, 3)
    assert len(lines) == 3 and lines[-1].endswith("…")
    assert all(text.width(line) <= 1040 for line in lines)
