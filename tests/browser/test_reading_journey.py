"""A reader starts a book, moves through it, finishes it and sees their stats (JS on and off).

Every new page (book page's reading section, read edit, goal, profile, stats, year in books,
tags) is checked with axe along the way.
"""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_up
from tests.factories import make_book
from webapp.filters import date as long_date
from webapp.services.reads import today


@pytest.fixture
def long_book(live_data) -> dict:
    def seed() -> dict:
        book = make_book(
            f"The Count of Monte Cristo {uuid.uuid4().hex[:6]}",
            authors=("Alexandre Dumas",),
            pages=400,
        )
        return {"path": f"/books/{book.id}-{book.slug}", "title": book.title}

    return live_data(seed)


def mark(page) -> None:
    if page.js_enabled:
        page.evaluate("window.__no_reload = true")


def assert_no_reload(page) -> None:
    if page.js_enabled:
        assert page.evaluate("window.__no_reload === true"), "the page reloaded"


def save_shelf(page, shelf) -> None:
    """With JS the shelf saves on change and its Save button is hidden; without, press Save."""
    if page.js_enabled:
        expect(shelf.get_by_role("button", name="Save")).to_be_hidden()
    else:
        shelf.get_by_role("button", name="Save").click()


def test_start_update_finish_and_see_the_stats(page, long_book):
    name = sign_up(page)
    page.goto(long_book["path"])
    reading = page.locator("#reading")
    expect(reading).to_contain_text("You haven't finished this book yet.")
    assert_accessible(page)
    mark(page)

    # Start it: the shelf's finish date stays hidden until Read is chosen.
    shelf = page.locator("#shelf-control")
    expect(shelf.get_by_label("Finished on")).to_be_hidden()
    shelf.get_by_label("Shelf").focus()  # as a keyboard user reaches it
    shelf.get_by_label("Shelf").select_option("reading")
    save_shelf(page, shelf)
    expect(page.get_by_role("status")).to_contain_text("Shelved as Reading.")
    if page.js_enabled:  # saved on change, in place: focus stays on the select
        expect(page.locator("#shelf-control").get_by_label("Shelf")).to_be_focused()
    bar = page.locator("#reading progress")
    expect(bar).to_have_attribute("value", "0")
    assert_no_reload(page)

    # Progress: a wrong page is refused beside the field, the note kept; then a right one.
    form = page.locator("#reading .progress-form")
    form.get_by_label("Page").fill("9999")
    form.get_by_label("Note (optional)").fill("Edmond escapes")
    form.get_by_role("button", name="Update").click()
    # With JS the section is swapped in place; without, a page with just this form (422).
    form = page.locator(".progress-form")
    expect(form).to_contain_text("This book has 400 pages.")
    expect(form.get_by_label("Note (optional)")).to_have_value("Edmond escapes")
    if page.js_enabled:
        expect(form.get_by_label("Page")).to_be_focused()
    assert_accessible(page)
    form.get_by_label("Page").fill("100")
    form.get_by_role("button", name="Update").click()
    expect(page.locator("#reading .progress-label")).to_contain_text("25% read, page 100 of 400")
    expect(page.locator("#reading .progress-notes")).to_contain_text("Edmond escapes")
    expect(page.locator("#reading progress")).to_have_attribute("value", "25")
    if page.js_enabled:
        expect(
            page.locator("#reading .progress-form").get_by_role("button", name="Update")
        ).to_be_focused()
    assert_no_reload(page)

    # The home page shows the bar too.
    page.goto("/")
    expect(page.locator(".home-reading")).to_contain_text(long_book["title"])
    expect(page.locator(".home-reading progress")).to_have_attribute("value", "25")
    assert_accessible(page)

    # Finish it: Read offers today's date.
    page.goto(long_book["path"])
    mark(page)
    shelf = page.locator("#shelf-control")
    shelf.get_by_label("Shelf").select_option("read")
    date_field = shelf.get_by_label("Finished on")
    expect(date_field).to_be_visible()
    expect(date_field).to_have_value(today().isoformat())
    save_shelf(page, shelf)
    expect(page.locator("#reading .read-summary")).to_have_text(
        f"You read this once — last finished {long_date(today())}."
    )
    assert_no_reload(page)

    # Tag it.
    tags = page.locator("#book-tags")
    tags.get_by_label("Tags").fill("adventure, revenge")
    tags.get_by_role("button", name="Save tags").click()
    expect(page.locator("#book-tags .tag")).to_have_count(2)
    assert_accessible(page)

    # Private notes (on the page once the book is shelved): saved in place, focus on the heading.
    page.reload()
    notes = page.locator("#private-notes")
    notes.get_by_text("Edit your private notes").click()
    notes.get_by_label("Notes").fill("Lent to Sam.")
    notes.get_by_label("Copies you own").fill("2")
    notes.get_by_role("button", name="Save private notes").click()
    expect(page.locator("#private-notes dl")).to_contain_text("Lent to Sam.")
    if page.js_enabled:
        expect(page.get_by_role("heading", name="Your private notes")).to_be_focused()
    assert_accessible(page)

    # Edit the read: add the start date.
    page.locator("#reading").get_by_role("link", name="Edit this read").click()
    expect(page).to_have_url(re.compile(r"/reads/\d+/edit$"))
    assert_accessible(page)
    page.get_by_label("Format").select_option("hardcover")
    page.get_by_role("button", name="Save read").click()
    expect(page.locator("#reading")).to_contain_text("Hardcover")

    # A goal, then the profile, stats, year in books and tags.
    page.goto("/goal")
    assert_accessible(page)
    page.get_by_label("How many").fill("12")
    page.get_by_role("button", name="Save goal").click()
    expect(page.locator("#goal")).to_contain_text("1 of 12 books")
    assert_accessible(page)

    page.goto(f"/u/{name}/stats")
    year = today().year
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{name}'s reading in {year}")
    summary = page.locator(".stat-summary")
    expect(summary).to_contain_text("Books finished")
    expect(summary.locator("dd").first).to_have_text("1")
    month = today().strftime("%b")
    cell = page.locator("#books-per-month table").get_by_role("row", name=month)
    expect(cell).to_contain_text("1")
    expect(page.locator("#books-per-month svg rect")).to_have_count(12)
    expect(page.locator("#formats table")).to_contain_text("Hardcover")
    assert_accessible(page)

    page.get_by_role("link", name="Year in books").click()
    expect(page.locator(".year-books")).to_contain_text(long_book["title"])
    assert_accessible(page)
    page.get_by_role("link", name="Tags").click()
    page.get_by_role("link", name="revenge").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("revenge")
    assert_accessible(page)
