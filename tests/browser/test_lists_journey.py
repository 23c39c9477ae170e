"""Make a list, add books from their pages, reorder with Up/Down (JS on and off); axe clean."""

from __future__ import annotations

import uuid

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_social_journey import sign_in
from tests.factories import UserFactory, make_book


def test_list_make_add_reorder(page, live_data):
    tag = uuid.uuid4().hex[:6]
    maker = f"lister_{tag}"

    def seed():
        UserFactory()(maker)
        return [make_book(f"List book {n} {tag}").id for n in "AB"]

    book_ids = live_data(seed)
    sign_in(page, maker)
    page.goto("/lists/new")
    assert_accessible(page)
    page.get_by_label("Title").fill(f"Picks {tag}")
    page.get_by_role("button", name="Make the list").click()
    expect(page.get_by_role("heading", name=f"Picks {tag}")).to_be_visible()

    for book_id in book_ids:
        page.goto(f"/books/{book_id}")
        page.get_by_label("Note on this book (optional)").fill("Why it is here")
        page.get_by_role("button", name="Add to list").click()
        expect(page.get_by_role("heading", name=f"Picks {tag}")).to_be_visible()
    items = page.locator(".book-list-items > li > a")
    expect(items).to_have_text([f"List book A {tag}", f"List book B {tag}"])
    assert_accessible(page)

    up = page.get_by_role("button", name=f"Up List book B {tag}")
    up.click()
    expect(items).to_have_text([f"List book B {tag}", f"List book A {tag}"])
    if page.js_enabled:  # swapped in place: focus stays on the button pressed
        expect(page.get_by_role("button", name=f"Up List book B {tag}")).to_be_focused()
    page.goto(f"/books/{book_ids[0]}")
    expect(page.locator("#lists").get_by_role("link", name=f"Picks {tag}")).to_be_visible()
    assert_accessible(page)
