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


def test_a_books_language_reaches_its_card(client):
    """Which forms the Han characters take is part of what the card draws, and of its URL."""
    from webapp.services import covers

    book = make_book("羅生門", authors=("芥川龍之介",), language="ja")
    title, byline, colour, language = covers.share_card(book)
    assert (title, byline, language) == ("羅生門", "by 芥川龍之介", "ja")
    shared = og_image(client, f"/books/{book.id}-{book.slug}")
    assert shared.endswith(f"?v={og_images.book_card_version(title, byline, colour, 'ja')}")
    assert og_images.book_card_version(title, byline, colour) not in shared
    response = client.get(shared.removeprefix("http://localhost"))
    assert png_of(response).size == (1200, 630)
    assert response.data == og_images.book_card(title, byline, colour, "ja")


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


SAMPLES = {
    "latin": ("The Left Hand of Darkness", "by Ursula K. Le Guin"),
    "cyrillic": ("Война и мир", "by Лев Толстой"),
    "greek": ("Ὀδύσσεια", "by Όμηρος"),
    "vietnamese": ("Truyện Kiều", "by Nguyễn Du"),
    "chinese": ("三体：地球往事", "by 刘慈欣"),
    "traditional chinese": ("紅樓夢", "by 曹雪芹"),
    "japanese": ("吾輩は猫である・ノルウェイの森", "by 夏目漱石"),
    "korean": ("채식주의자", "by 한강"),
}


def drawn_text(monkeypatch, *card) -> list[tuple[str, object]]:
    """Every (text, font) the card draws, the card drawn afresh (not from the lru_cache)."""
    calls = []
    original = og_images.ImageDraw.ImageDraw.text

    def text(self, xy, part, *args, font=None, **kwargs):
        calls.append((part, font))
        return original(self, xy, part, *args, font=font, **kwargs)

    monkeypatch.setattr(og_images.ImageDraw.ImageDraw, "text", text)
    og_images.book_card.__wrapped__(*card)
    return calls


def is_missing_glyph(font, char: str) -> bool:
    """Drawn as the font's .notdef box: the same mask as a character no font has."""
    mask, box = font.getmask(char), font.getmask("\U0010fffd")
    return (mask.size, bytes(mask)) == (box.size, bytes(box))


@pytest.mark.parametrize("script", SAMPLES)
def test_cards_draw_every_character_of_titles_and_bylines_in_these_scripts(monkeypatch, script):
    title, byline = SAMPLES[script]
    calls = drawn_text(monkeypatch, title, byline, "#1d4e7a")
    drawn = "".join(part for part, _ in calls)
    assert all(char in drawn for char in title + byline if not char.isspace())
    boxes = [char for part, font in calls for char in part if is_missing_glyph(font, char)]
    assert boxes == []


@pytest.mark.parametrize(
    ("title", "language", "font"),
    [
        ("三体", "", "noto-sans-sc"),
        ("三体", "zh", "noto-sans-sc"),
        ("紅樓夢", "zh-Hant", "noto-sans-tc"),
        ("紅樓夢", "zh_TW", "noto-sans-tc"),
        ("紅樓夢", "Chinese (Traditional)", "noto-sans-tc"),
        ("羅生門", "Japanese", "noto-sans-jp"),
        ("羅生門", "ja", "noto-sans-jp"),
        ("羅生門", "jpn", "noto-sans-jp"),
        ("吾輩は猫である", "", "noto-sans-jp"),  # kana: Japanese
        ("金閣寺 (한국어판)", "", "noto-sans-kr"),  # hangul: Korean
        ("春香傳", "ko", "noto-sans-kr"),
    ],
)
def test_han_characters_are_drawn_in_the_books_language(monkeypatch, title, language, font):
    """A Han character looks different in Chinese, Japanese and Korean: the book's language
    (else kana or hangul beside it) picks the font."""
    calls = drawn_text(monkeypatch, title, "", "#1d4e7a", language)
    han = [font_ for part, font_ in calls if part[0] in "三紅羅吾金春"]
    assert han and all(f"/{font}-" in font_.path for font_ in han)
    latin = [font_ for part, font_ in calls if part == "Colophon"]
    assert "/literata-latin-" in latin[0].path  # Latin first, in the site's font


def test_a_latin_card_opens_no_cjk_font_and_a_cjk_card_only_the_files_it_needs(monkeypatch):
    """The CJK fonts come as ~100 files each: a card opens only those its characters are in."""
    opened = []
    truetype = og_images.ImageFont.truetype

    def recording(path, size, *args, **kwargs):
        opened.append(path)
        return truetype(path, size, *args, **kwargs)

    monkeypatch.setattr(og_images.ImageFont, "truetype", recording)
    og_images._face.cache_clear()
    og_images._source.cache_clear()
    og_images.book_card.__wrapped__("War and Peace", "by Leo Tolstoy", "#1d4e7a")
    assert opened and not any("noto-sans" in path for path in opened)
    opened.clear()
    og_images.book_card.__wrapped__("吾輩は猫である", "by 夏目漱石", "#1d4e7a")
    assert 0 < len(opened) <= 12, opened
    assert all("noto-sans-jp" in path for path in opened)  # found in the first font tried


def test_long_chinese_and_japanese_titles_wrap_between_characters():
    text = og_images.Text("literata", 76, 700)
    title = (
        "中华人民共和国史：从一九四九年到改革开放的历史进程与社会变迁全面回顾与展望"
        "（上卷：一九四九至一九七八）"
    )
    lines = text.wrap(title, 1040, 3)
    assert len(lines) == 3 and lines[-1].endswith("…")
    assert all(text.width(line) <= 1040 for line in lines)
    assert "".join(lines).startswith(title[:20])
    japanese = text.wrap("ノルウェイの森、ダンス・ダンス・ダンス。ねじまき鳥クロニクル", 700, 3)
    assert not any(line[0] in "、。・ェ" for line in japanese)  # never starts a line
    assert text.wrap("Supercalifragilisticexpialidocious" * 2, 1040, 2)[0].startswith("Super")


def test_the_card_version_changes_with_the_fonts_and_the_drawing(monkeypatch):
    card = ("三体", "by 刘慈欣", "#1d4e7a")
    version = og_images.book_card_version(*card)
    assert og_images.book_card_version(*card, "zh") == version  # Simplified first either way
    assert og_images.book_card_version(*card, "ja") != version  # Japanese forms
    assert og_images.book_card_version("Dune", "", "#1d4e7a", "ja") == (
        og_images.book_card_version("Dune", "", "#1d4e7a")
    )  # no Han characters: the language draws nothing
    monkeypatch.delitem(og_images.FAMILIES, "noto-sans-kr")
    assert og_images.book_card_version(*card) != version
    monkeypatch.undo()
    assert og_images.book_card_version(*card) == version
    monkeypatch.setattr(og_images, "DRAWING", og_images.DRAWING + "+")
    assert og_images.book_card_version(*card) != version


def test_a_missing_card_font_stops_the_start_with_the_fix(tmp_path):
    from webapp.assets import MissingPackages

    with pytest.raises(MissingPackages, match=r"literata is not installed .* `make install`"):
        og_images.check_fonts(tmp_path / "node_modules")


def test_long_titles_wrap_to_three_lines_with_an_ellipsis():
    text = og_images.Text("literata", 60, 700)
    lines = text.wrap("word " * 60, 1040, 3)
    assert len(lines) == 3 and lines[-1].endswith("…")
    assert all(text.width(line) <= 1040 for line in lines)
