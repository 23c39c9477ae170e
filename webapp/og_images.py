"""Share images (``og:image``) as PNG: social sites do not render SVG.

A book with a stored cover shares that (a JPEG on /media); one without gets a 1200 × 630 card
drawn here with Pillow: its placeholder colour, title and authors in the site's own fonts
(Literata and Inter from node_modules), each character from the first font that has it: those
two, whose subset files cover Latin, Cyrillic, Greek and Vietnamese, then Noto Sans SC, TC, JP
and KR (npm, like the others; never served to browsers) for Chinese, Japanese and Korean.
Han characters are drawn differently in each of those, so the book's language (else kana or
hangul in its text) says which of the four comes first. Arabic, Hebrew, Indic scripts, Thai
and so on are in none of these fonts and still come out as missing-glyph boxes.

The CJK fonts come as about a hundred files each, one per slice of Unicode; a character's
file is found from the package's ``unicode.json`` (the ``unicode-range`` of its faces) and
only the files a card needs are opened, at the sizes it needs (``_face``, least recently used
out first), so a Latin card never opens one.

Other pages share the site's card. A card's URL carries a hash of what is drawn, the font
packages' versions and ``DRAWING`` included, so it is cached for a year and a new title or new
fonts are a new URL; rendered cards are also kept in memory (``lru_cache``), so a crawler's
burst renders each once per process.
"""

from __future__ import annotations

import bisect
import hashlib
import io
import json
import re
import unicodedata
from functools import cache, lru_cache

from PIL import Image, ImageDraw, ImageFont

from webapp.assets import NODE_MODULES, package_dir

WIDTH, HEIGHT = 1200, 630
MARGIN = 80
INK = "#fdf6e9"
SITE_BACKGROUND = "#7a2e1d"
# Bump when a change to the drawing code changes how an existing card looks.
DRAWING = "2"
FAMILIES = {
    "literata": "@fontsource-variable/literata",
    "inter": "@fontsource-variable/inter",
    "noto-sans-sc": "@fontsource-variable/noto-sans-sc",
    "noto-sans-tc": "@fontsource-variable/noto-sans-tc",
    "noto-sans-jp": "@fontsource-variable/noto-sans-jp",
    "noto-sans-kr": "@fontsource-variable/noto-sans-kr",
}
# After the site's font, in this order unless the book says otherwise (cjk_fonts).
CJK = ("noto-sans-sc", "noto-sans-tc", "noto-sans-jp", "noto-sans-kr")
# Subsets tried first where their ranges overlap, so that a line is drawn in as few runs as can be.
NAMED_SUBSETS = (
    "latin", "latin-ext", "cyrillic", "cyrillic-ext", "greek", "greek-ext", "vietnamese",
)  # fmt: skip
FACES_KEPT = 160  # open font files (a CJK slice is ~100 KB in memory, ~1.5 ms to open)
# A book's language as a code (ISO 639-1 or -2, with a script or region) or an English name.
JAPANESE, KOREAN = {"ja", "jpn", "japanese"}, {"ko", "kor", "korean"}
CHINESE = {"zh", "zho", "chi", "chinese", "cmn", "yue", "cantonese", "mandarin"}
TRADITIONAL = {"hant", "tw", "hk", "mo", "traditional", "yue", "cantonese"}
# Line breaks in Chinese and Japanese fall between characters, but not before these
# (closing punctuation, small kana, the long-vowel mark) nor after an opening bracket.
NO_LINE_START = set(
    "、。，．・：；？！ー）〕］｝〉》」』】〙〗〟’”…,.!?:;)]}々〻～〜"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ"
)
NO_LINE_END = set("（〔［｛〈《「『【〘〖〝‘“([{")


def check_fonts(node_modules=NODE_MODULES) -> None:
    """Raise assets.MissingPackages (at startup) when a card font is not installed as locked."""
    for package in FAMILIES.values():
        package_dir(node_modules, package)


@cache
def font_set(packages: tuple[str, ...]) -> str:
    """The font packages and their installed versions: new fonts draw a new card."""
    return " ".join(
        f"{package}@{json.loads((NODE_MODULES / package / 'package.json').read_text())['version']}"
        for package in packages
    )


@cache
def _coverage(family: str) -> tuple[tuple[str, tuple[int, ...], tuple[int, ...]], ...]:
    """Each of the family's subset files with its ``unicode-range`` as sorted (starts, ends)."""
    ranges = json.loads((NODE_MODULES / FAMILIES[family] / "unicode.json").read_text())
    named = [name for name in NAMED_SUBSETS if name in ranges]
    subsets = []
    for key in named + [key for key in ranges if key not in named]:
        spans = []
        for part in ranges[key].split(","):
            first, _, last = part.strip().removeprefix("U+").partition("-")
            spans.append((int(first, 16), int(last or first, 16)))
        spans.sort()
        subsets.append((key.strip("[]"), tuple(s for s, _ in spans), tuple(e for _, e in spans)))
    return tuple(subsets)


def _subsets_for(family: str, char: str) -> list[str]:
    """The family's subset files whose range holds ``char``, in the order to try them."""
    point = ord(char)
    found = []
    for subset, starts, ends in _coverage(family):
        at = bisect.bisect_right(starts, point) - 1
        if at >= 0 and point <= ends[at]:
            found.append(subset)
    return found


@lru_cache(maxsize=FACES_KEPT)
def _face(family: str, subset: str, size: int, weight: int) -> ImageFont.FreeTypeFont:
    path = NODE_MODULES / FAMILIES[family] / "files" / f"{family}-{subset}-wght-normal.woff2"
    font = ImageFont.truetype(str(path), size)
    font.set_variation_by_axes([weight])
    return font


def _signature(font: ImageFont.FreeTypeFont, char: str) -> tuple:
    mask = font.getmask(char)
    return mask.size, bytes(mask)


@lru_cache(maxsize=FACES_KEPT)
def _missing_glyph(family: str, subset: str, size: int, weight: int) -> tuple:
    """What the font draws for a character it lacks (its .notdef box)."""
    return _signature(_face(family, subset, size, weight), "\U0010fffd")


@lru_cache(maxsize=16384)
def _source(families: tuple[str, ...], size: int, weight: int, char: str) -> tuple[str, str]:
    """The first (family, subset file) that has a glyph for ``char``; the first family's first
    file when none has (a box is drawn)."""
    for family in families:
        for subset in _subsets_for(family, char):
            face = _face(family, subset, size, weight)
            if _signature(face, char) != _missing_glyph(family, subset, size, weight):
                return family, subset
    return families[0], _coverage(families[0])[0][0]


def _maybe_cjk(char: str) -> bool:
    return char >= "\u2e80"  # CJK radicals onwards: cheap, and never misses one


def cjk_fonts(text: str, language: str = "") -> tuple[str, ...]:
    """The CJK fonts in the order to try. Chinese (simplified or traditional), Japanese and
    Korean draw many of the same Han characters differently: the book's language decides
    ("ja", "jpn", "zh-Hant", "Japanese" …), else kana (Japanese) or hangul (Korean) in the text."""
    tags = set(re.split(r"[^a-z]+", language.lower()))
    if tags & JAPANESE or (not tags & (CHINESE | KOREAN) and _has_kana(text)):
        first = "noto-sans-jp"
    elif tags & KOREAN or (not tags & CHINESE and _has_hangul(text)):
        first = "noto-sans-kr"
    elif tags & CHINESE and tags & TRADITIONAL:
        first = "noto-sans-tc"
    else:
        first = CJK[0]
    return (first, *(family for family in CJK if family != first))


def _has_kana(text: str) -> bool:
    return any("\u3041" <= char <= "\u30ff" or "\u31f0" <= char <= "\u31ff" for char in text)


def _has_hangul(text: str) -> bool:
    return any(
        "\uac00" <= char <= "\ud7a3" or "\u1100" <= char <= "\u11ff" or "\u3130" <= char <= "\u318f"
        for char in text
    )


def _breaks_anywhere(char: str) -> bool:
    """Chinese and Japanese characters (wide, not hangul: Korean puts spaces between words)."""
    return unicodedata.east_asian_width(char) in "WF" and not _has_hangul(char)


def _pieces(text: str) -> list[tuple[str, str]]:
    """``(separator, piece)``: where a line may break, and the space it drops there."""
    pieces: list[tuple[str, str]] = []
    separator = ""
    for char in text:
        if char.isspace():
            separator = " " if pieces else ""
            continue
        if pieces and not separator:
            before = pieces[-1][1][-1]
            joined = before in NO_LINE_END or char in NO_LINE_START
            if joined or not (_breaks_anywhere(before) or _breaks_anywhere(char)):
                pieces[-1] = (pieces[-1][0], pieces[-1][1] + char)
                continue
        pieces.append((separator, char))
        separator = ""
    return pieces


class Text:
    """Text in one family at one size, drawn run by run in whichever font file has the glyphs:
    the family's own subsets first, then the CJK fonts (``cjk``, in that order)."""

    def __init__(self, family: str, size: int, weight: int = 400, cjk: tuple[str, ...] = CJK):
        self.families = (family, *cjk)
        self.size, self.weight = size, weight
        # One baseline for every font on a line (their ascents differ).
        self.ascent = _face(family, _coverage(family)[0][0], size, weight).getmetrics()[0]

    def runs(self, text: str) -> list[tuple[ImageFont.FreeTypeFont, str]]:
        runs: list[tuple[tuple[str, str], str]] = []
        for char in text:
            source = _source(self.families, self.size, self.weight, char)
            if runs and runs[-1][0] == source:
                runs[-1] = (source, runs[-1][1] + char)
            else:
                runs.append((source, char))
        return [(_face(*source, self.size, self.weight), part) for source, part in runs]

    def width(self, text: str) -> float:
        return sum(font.getlength(part) for font, part in self.runs(text))

    def wrap(self, text: str, width: int, max_lines: int) -> list[str]:
        """Greedy line breaking at spaces, and between Chinese or Japanese characters; a word
        wider than a line is broken anywhere. The last line ends in an ellipsis when text is
        left over."""
        lines: list[str] = []
        for separator, piece in _pieces(text):
            if len(lines) > max_lines:
                break
            if lines and self.width(lines[-1] + separator + piece) <= width:
                lines[-1] += separator + piece
            elif self.width(piece) <= width:
                lines.append(piece)
            else:
                lines.append("")
                for char in piece:
                    if lines[-1] and self.width(lines[-1] + char) > width:
                        lines.append(char)
                    else:
                        lines[-1] += char
        if len(lines) > max_lines:
            lines = lines[:max_lines]
            while lines[-1] and self.width(lines[-1] + "…") > width:
                lines[-1] = lines[-1][:-1]
            lines[-1] = lines[-1].rstrip() + "…"
        return lines

    def draw(self, draw: ImageDraw.ImageDraw, x: float, y: float, text: str) -> None:
        """``y`` is the top of the line (the family's ascender), as Pillow's default anchor."""
        for font, part in self.runs(text):
            draw.text((x, y + self.ascent), part, font=font, fill=INK, anchor="ls")
            x += font.getlength(part)


def _png(image: Image.Image) -> bytes:
    """zlib level 6: ``optimize=True`` (level 9) took ~28 ms of a card's ~30 for 4 % fewer bytes."""
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=6)
    return out.getvalue()


def book_card_version(title: str, byline: str, background: str, language: str = "") -> str:
    """What a book's card draws, hashed: its URL changes when the picture would (with new
    fonts or drawing code too)."""
    text = f"{title}\n{byline}"
    cjk = cjk_fonts(text, language) if any(_maybe_cjk(char) for char in text) else ()
    source = f"{DRAWING}\n{font_set(tuple(FAMILIES.values()))}\n{text}\n{background}\n{cjk}"
    return hashlib.blake2b(source.encode(), digest_size=6).hexdigest()


@lru_cache(maxsize=256)
def book_card(title: str, byline: str, background: str, language: str = "") -> bytes:
    """A book without a cover: its title (up to 3 lines, smaller when long) and byline."""
    image = Image.new("RGB", (WIDTH, HEIGHT), background)
    draw = ImageDraw.Draw(image)
    draw.rectangle((24, 24, WIDTH - 25, HEIGHT - 25), outline="#c9bfae", width=2)
    inner = WIDTH - 2 * MARGIN
    cjk = cjk_fonts(f"{title}\n{byline}", language)
    title_text = Text("literata", 76, 700, cjk)
    lines = title_text.wrap(title, inner, 3)
    if len(lines) == 3:
        title_text = Text("literata", 60, 700, cjk)
        lines = title_text.wrap(title, inner, 3)
    y = MARGIN + 10
    for line in lines:
        title_text.draw(draw, MARGIN, y, line)
        y += round(title_text.size * 1.2)
    by = Text("inter", 38, cjk=cjk)
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
