"""A reader browses the demo catalogue, searches, opens an author and a profile, adds a book —
with JavaScript (live search swaps results in place) and without (plain GET form)."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from webapp.services.demo import DEMO_PASSWORD


def mark_document(page) -> None:
    """Tag the current document; the tag survives only if no navigation happens."""
    if page.js_enabled:
        page.locator("h1").evaluate("h => h.dataset.sameDocument = 'yes'")


def assert_same_document(page) -> None:
    if page.js_enabled:
        expect(page.locator("h1[data-same-document=yes]")).to_have_count(1)


def test_browse_search_author_and_profile(page):
    page.goto("/")
    for heading in ("Recently reviewed", "Recent reviews", "Top rated"):
        expect(page.get_by_role("heading", name=heading, level=2)).to_be_visible()
    expect(page.get_by_role("link", name="Join Colophon")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Books").click()
    expect(page).to_have_title(re.compile(r"^Books · Colophon"))
    count = page.locator("#result-count")
    expect(count).to_contain_text(re.compile(r"\d+ books, page 1 of \d+"))
    assert_accessible(page)

    mark_document(page)
    history = page.evaluate("history.length")
    search = page.get_by_role("searchbox", name="Search books")
    search.press_sequentially("tolk", delay=350)  # live search answers each pause
    search.press("i")
    if not page.js_enabled:
        page.get_by_role("button", name="Search").click()
    expect(count).to_have_text("2 books for “tolki”")
    if page.js_enabled:  # typing replaces the history entry and drops the empty sort
        expect(page).to_have_url(re.compile(r"/books\?q=tolki$"))
        assert page.evaluate("history.length") == history
    else:
        expect(page).to_have_url(re.compile(r"/books\?q=tolki"))
    results = page.locator("#results")
    expect(results.get_by_role("link", name="The Hobbit", exact=True)).to_be_visible()
    expect(
        results.get_by_role("link", name="The Fellowship of the Ring", exact=True)
    ).to_be_visible()
    expect(page.locator("[id=results]")).to_have_count(1)  # swapped in place, never nested
    assert_same_document(page)

    # The sort select re-orders the same search (live with JS, by submitting without).
    page.get_by_label("Sort by").select_option("newest")
    if not page.js_enabled:
        page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"q=tolki&sort=newest"))
    expect(page.locator("[id=results]")).to_have_count(1)
    assert_same_document(page)

    search.fill("9780441013593")  # an ISBN-13 finds Dune
    if not page.js_enabled:
        search.press("Enter")
    expect(count).to_contain_text("1 book for “9780441013593”")
    expect(results.get_by_role("link", name="Dune", exact=True)).to_be_visible()
    assert_accessible(page)

    results.get_by_role("link", name="Frank Herbert").click()
    expect(page.get_by_role("heading", name="Frank Herbert", level=1)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/authors/\d+-frank-herbert$"))
    expect(page.get_by_role("link", name="Dune", exact=True)).to_be_visible()
    assert_accessible(page)

    page.goto("/")
    reviewer = page.locator(".review-excerpt-meta a[href^='/u/']").first
    name = reviewer.inner_text()
    reviewer.click()
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Ratings", level=2, exact=True)).to_be_visible()
    expect(page.locator(".histogram tbody tr")).to_have_count(5)
    expect(page.get_by_role("heading", name="Reviews and ratings")).to_be_visible()
    assert_accessible(page)


def test_add_a_book(page):
    page.goto("/login")
    page.get_by_label("Username or email").fill("eun_ji")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Add a book").click()
    expect(page).to_have_title(re.compile("^Add a book"))
    assert_accessible(page)

    title = f"Field Notes {uuid.uuid4().hex[:6]}"
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Authors").fill("Ada Example\nBen Example")
    page.get_by_label("ISBN").fill("978-0-00-000000-1")  # wrong check digit
    page.get_by_label("Year published").fill("2024")
    page.get_by_label("Description").fill("A *small* book about notebooks.")
    page.get_by_role("button", name="Add the book").click()
    expect(page.locator("#isbn-error")).to_contain_text("wrong check digit")
    expect(page.get_by_label("Title", exact=True)).to_have_value(title)
    assert_accessible(page)

    page.get_by_label("ISBN").fill("")
    page.get_by_role("button", name="Add the book").click()
    expect(page.get_by_role("status")).to_contain_text(f"{title} is now in the catalogue")
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)

    # The same title and author again: Colophon asks before adding a likely duplicate.
    nav.get_by_role("link", name="Add a book").click()
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Authors").fill("Ben Example")
    page.get_by_role("button", name="Add the book").click()
    expect(page.get_by_role("alert")).to_contain_text("may already be in the catalogue")
    if page.js_enabled:  # swapped in place above the fold: focus (and the view) moves to it
        expect(page.locator(".similar-books")).to_be_focused()
        expect(page.locator(".similar-books")).to_be_in_viewport()
    page.get_by_label("This is a different book — add it anyway").check()
    page.get_by_role("button", name="Add the book").click()
    expect(page.get_by_role("status")).to_contain_text("is now in the catalogue")

    page.goto("/books")
    page.get_by_role("searchbox", name="Search books").fill(title)
    if not page.js_enabled:
        page.get_by_role("button", name="Search").click()
    expect(page.locator("#result-count")).to_contain_text("2 books for")
