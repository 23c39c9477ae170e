"""The responsive layout in a real browser: the phone header is a menu that opens without
script, the book page gains a side column from 960 px, single forms sit centred, nothing
scrolls sideways on a phone, and link underlines leave underscores visible."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 768, "height": 1024}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def book_path(live_data):
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models import Book

    title = "The Left Hand of Darkness"
    return live_data(
        lambda: f"/books/{db.session.scalar(select(Book.id).where(Book.title == title))}"
    )


def test_phone_header_is_a_menu_that_opens_without_script(page):
    page.set_viewport_size(PHONE)
    page.goto("/")
    books = page.get_by_role("navigation", name="Main").get_by_role("link", name="Books")
    expect(books).to_be_hidden()
    menu = page.locator(".nav-menu > summary")
    expect(menu).to_have_text("Menu")
    assert menu.bounding_box()["height"] >= 44
    menu.click()
    expect(books).to_be_visible()
    assert books.bounding_box()["height"] >= 44  # a comfortable target in the open menu
    assert_accessible(page)
    books.click()
    expect(page).to_have_url(re.compile(r"/books$"))


def test_phone_menu_closes_on_escape_and_outside_clicks(page):
    """With JS, Escape closes the open menu and focus goes back to Menu; so does a click
    outside it. Without JS the summary still opens and closes it."""
    page.set_viewport_size(PHONE)
    page.goto("/")
    summary = page.locator(".nav-menu > summary")
    books = page.get_by_role("navigation", name="Main").get_by_role("link", name="Books")
    summary.click()
    expect(books).to_be_visible()
    books.focus()
    page.keyboard.press("Escape")
    if page.js_enabled:
        expect(books).to_be_hidden()
        expect(summary).to_be_focused()
        summary.click()
        expect(books).to_be_visible()
        page.mouse.click(195, 820)  # below the open menu
        expect(books).to_be_hidden()
    else:
        expect(books).to_be_visible()
        summary.click()
        expect(books).to_be_hidden()
    assert_accessible(page)


def test_wide_header_shows_every_link_in_one_row(page):
    page.set_viewport_size(DESKTOP)
    page.goto("/")
    expect(page.locator(".nav-menu > summary")).to_be_hidden()
    nav = page.get_by_role("navigation", name="Main")
    links = [nav.get_by_role("link", name=name) for name in ("Books", "Sign in", "Sign up")]
    for link in links:
        expect(link).to_be_visible()
    middles = {round(b["y"] + b["height"] / 2) for b in (link.bounding_box() for link in links)}
    assert max(middles) - min(middles) <= 2


def test_book_page_has_a_side_column_from_960px(page, book_path):
    page.set_viewport_size(DESKTOP)
    page.goto(book_path)
    title = page.get_by_role("heading", level=1).bounding_box()
    cover = page.locator(".book-side .cover").bounding_box()
    side = page.locator(".book-side").bounding_box()
    reviews = page.get_by_role("heading", name="Reviews from other readers").bounding_box()
    assert cover["width"] >= 180 and cover["y"] < title["y"] + title["height"]
    assert side["x"] + side["width"] < min(title["x"], reviews["x"])  # beside, not above
    assert_accessible(page)

    page.set_viewport_size(PHONE)
    title = page.get_by_role("heading", level=1).bounding_box()
    cover = page.locator(".book-side .cover").bounding_box()
    reviews = page.get_by_role("heading", name="Reviews from other readers").bounding_box()
    assert title["y"] + title["height"] <= cover["y"] < reviews["y"]  # one column, title first
    stats = page.locator("#book-stats").bounding_box()
    assert stats["x"] > cover["x"] + cover["width"]  # the ratings beside a small cover


@pytest.mark.parametrize("path", ["/login", "/signup"])
def test_single_forms_are_centred(page, path):
    page.set_viewport_size(DESKTOP)
    page.goto(path)
    box = page.locator("main .narrow").bounding_box()
    assert abs(box["x"] + box["width"] / 2 - DESKTOP["width"] / 2) <= 2
    assert 400 <= box["width"] <= 560


@pytest.mark.parametrize("viewport", [PHONE, TABLET], ids=["390", "768"])
def test_nothing_scrolls_sideways(page, book_path, viewport):
    page.set_viewport_size(viewport)
    for path in ("/", "/books", book_path, "/login", "/signup", "/u/ben_bookworm"):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{path} is {width}px wide at {viewport['width']}px"


def test_link_underlines_sit_below_underscores(page, book_path):
    page.goto(book_path)
    link = page.get_by_role("link", name="eun_ji").first
    offset, size = link.evaluate(
        "a => [getComputedStyle(a).textUnderlineOffset, getComputedStyle(a).fontSize]"
    )
    # An underscore sits about 0.1–0.15em below the baseline; the line goes lower.
    assert float(offset.removesuffix("px")) >= 0.25 * float(size.removesuffix("px"))
    family = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert family.startswith('"Literata Variable"')


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_dark_scheme_keeps_contrast(page, book_path, viewport):
    """axe (colour contrast included) on the main public pages in dark mode."""
    page.set_viewport_size(viewport)
    checkers = [page] if page.js_enabled else [page, page.axe_checker]
    # Without JavaScript axe runs in the checker page: it gets the width too (phone layout).
    sizes = [target.viewport_size for target in checkers]
    for target in checkers:
        target.emulate_media(color_scheme="dark")
        target.set_viewport_size(viewport)
    try:
        for path in ("/", "/books", book_path, "/login", "/u/ben_bookworm"):
            page.goto(path)
            assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
            if not page.js_enabled:
                assert page.axe_checker.evaluate("innerWidth") == viewport["width"]
            assert_accessible(page)
    finally:
        for target, size in zip(checkers[1:], sizes[1:], strict=True):
            target.set_viewport_size(size)
        for target in checkers:
            target.emulate_media(color_scheme="light")


POSITIONS = """() => Array.from(document.querySelectorAll(
    'h1, h2, main p, .book-card, label, button, .site-footer'))
  .map(e => Math.round(e.getBoundingClientRect().top))"""
# Every face the pages use, loaded (a busy machine can fire "load" before a font arrives).
FONTS_LOADED = """async () => {
  const faces = ['400 1em "Literata Variable"', '700 1em "Literata Variable"',
                 '400 1em "Inter Variable"', '600 1em "Inter Variable"'];
  await Promise.all(faces.map(face => document.fonts.load(face)));
  await document.fonts.ready;
}"""


@pytest.mark.parametrize("page", [True], indirect=True, ids=["js"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_font_swap_moves_almost_nothing(page, book_path, viewport):
    """Text first set in the local fallback faces (css/tokens.css) takes the web fonts' room:
    with the fonts refused, everything sits where it does with them (Lighthouse's CLS)."""
    page.set_viewport_size(viewport)
    # The catalogue by most reviewed: the demo books, not whatever other tests just added.
    for path in ("/", "/books?sort=reviews", book_path):
        page.unroute("**/*.woff2")
        page.goto(path)
        page.evaluate(FONTS_LOADED)
        with_fonts = page.evaluate(POSITIONS)
        page.route("**/*.woff2", lambda route: route.abort())
        page.goto(path)
        without = page.evaluate(POSITIONS)
        assert len(with_fonts) == len(without) > 5
        # As CLS does, count what is in the first screenful: further down, a long title from
        # another test's data may wrap one line differently in the fallback face.
        height = viewport["height"]
        pairs = zip(with_fonts, without, strict=True)
        shifts = [abs(a - b) for a, b in pairs if min(a, b) < height]
        assert len(shifts) > 5
        assert max(shifts) <= 24 and sum(shifts) / len(shifts) <= 4, (path, shifts)
    # The refused fonts are the page's only console errors.
    assert set(page.console_errors) == {"Failed to load resource: net::ERR_FAILED"}
    page.console_errors.clear()
