"""Share images (``og:image``) as PNG: social sites do not render SVG.

A book with a stored cover shares that (a JPEG on /media); one without gets a 1200 × 630 card
drawn here with Pillow: its placeholder colour, title and authors in the site's own fonts
(Literata and Inter from node_modules, every subset file, so a Cyrillic or Greek title is
drawn too). Other pages share the site's card. A card's URL carries a hash of what is drawn,
so it is cached for a year and a new title is a new URL; rendered cards are also kept in
memory (``lru_cache``), so a crawler's burst renders each once per process.
"""

from __future__ import annotations

import hashlib
import io
from functools import cache, lru_cache

from PIL import Image, ImageDraw, ImageFont

from webapp.assets import NODE_MODULES

WIDTH, HEIGHT = 1200, 630
MARGIN = 80
INK = "#fdf6e9"
SITE_BACKGROUND = "#7a2e1d"
SUBSETS = ("latin", "latin-ext", "cyrillic", "cyrillic-ext", "greek", "greek-ext", "vietnamese")
FAMILIES = {"literata": "@fontsource-variable/literata", "inter": "@fontsource-variable/inter"}


@cache
def _fonts(family: str, size: int, weight: int) -> tuple[ImageFont.FreeTypeFont, ...]:
    """The family's subset files at this size and weight, Latin first."""
    folder = NODE_MODULES / FAMILIES[family] / "files"
    fonts = []
    for subset in SUBSETS:
        font = ImageFont.truetype(str(folder / f"{family}-{subset}-wght-normal.woff2"), size)
        font.set_variation_by_axes([weight])
        fonts.append(font)
    return tuple(fonts)


def _signature(font: ImageFont.FreeTypeFont, char: str) -> tuple:
    mask = font.getmask(char)
    return mask.size, bytes(mask)


@lru_cache(maxsize=4096)
def _font_index(family: str, size: int, weight: int, char: str) -> int:
    """The first subset file with a glyph for ``char`` (0 when none has: a box is drawn)."""
    for index, font in enumerate(_fonts(family, size, weight)):
        if _signature(font, char) != _signature(font, "\ue000"):  # not the missing-glyph box
            return index
    return 0


class Text:
    """Text in one family at one size, drawn run by run in whichever subset has the glyphs."""

    def __init__(self, family: str, size: int, weight: int = 400):
        self.key = (family, size, weight)
        self.fonts = _fonts(family, size, weight)
        self.size = size

    def runs(self, text: str) -> list[tuple[ImageFont.FreeTypeFont, str]]:
        runs: list[tuple[int, str]] = []
        for char in text:
            index = _font_index(*self.key, char)
            if runs and runs[-1][0] == index:
                runs[-1] = (index, runs[-1][1] + char)
            else:
                runs.append((index, char))
        return [(self.fonts[index], part) for index, part in runs]

    def width(self, text: str) -> float:
        return sum(font.getlength(part) for font, part in self.runs(text))

    def wrap(self, text: str, width: int, max_lines: int) -> list[str]:
        """Greedy word wrap; the last line ends in an ellipsis when text is left over."""
        lines: list[str] = []
        for word in text.split():
            if lines and self.width(f"{lines[-1]} {word}") <= width:
                lines[-1] = f"{lines[-1]} {word}"
            else:
                lines.append(word)
        if len(lines) > max_lines:
            lines = lines[:max_lines]
            while lines[-1] and self.width(lines[-1] + "…") > width:
                lines[-1] = lines[-1][:-1]
            lines[-1] = lines[-1].rstrip() + "…"
        return lines

    def draw(self, draw: ImageDraw.ImageDraw, x: float, y: float, text: str) -> None:
        for font, part in self.runs(text):
            draw.text((x, y), part, font=font, fill=INK)
            x += font.getlength(part)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def book_card_version(title: str, byline: str, background: str) -> str:
    """What a book's card draws, hashed: its URL changes when the picture would."""
    source = f"{title}\n{byline}\n{background}".encode()
    return hashlib.blake2b(source, digest_size=6).hexdigest()


@lru_cache(maxsize=256)
def book_card(title: str, byline: str, background: str) -> bytes:
    """A book without a cover: its title (up to 3 lines, smaller when long) and byline."""
    image = Image.new("RGB", (WIDTH, HEIGHT), background)
    draw = ImageDraw.Draw(image)
    draw.rectangle((24, 24, WIDTH - 25, HEIGHT - 25), outline="#c9bfae", width=2)
    inner = WIDTH - 2 * MARGIN
    title_text = Text("literata", 76, 700)
    lines = title_text.wrap(title, inner, 3)
    if len(lines) == 3:
        title_text = Text("literata", 60, 700)
        lines = title_text.wrap(title, inner, 3)
    y = MARGIN + 10
    for line in lines:
        title_text.draw(draw, MARGIN, y, line)
        y += round(title_text.size * 1.2)
    by = Text("inter", 38)
    for line in by.wrap(byline, inner, 2):
        by.draw(draw, MARGIN, y + 20, line)
        y += 50
    Text("literata", 36, 700).draw(draw, MARGIN, HEIGHT - MARGIN - 36, "Colophon")
    return _png(image)


@cache
def site_card() -> bytes:
    """Every other page: the site's name and what it is."""
    image = Image.new("RGB", (WIDTH, HEIGHT), SITE_BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle((24, 24, WIDTH - 25, HEIGHT - 25), outline="#c9bfae", width=2)
    Text("literata", 120, 700).draw(draw, MARGIN, 190, "Colophon")
    tagline = Text("inter", 44)
    for index, line in enumerate(
        tagline.wrap("A community of readers rating and reviewing books.", WIDTH - 2 * MARGIN, 2)
    ):
        tagline.draw(draw, MARGIN, 360 + index * 60, line)
    return _png(image)
