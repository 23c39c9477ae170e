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
    # Back to the top: dragged with JavaScript, typed into the place form without.
    if page.js_enabled:
        # The drag events a mouse makes, sent to the items themselves: the page's live region
        # shifts the layout under a simulated mouse mid-drag, which made drag_to flaky.
        moved, onto = page.locator(f"#item-{book_ids[0]}"), page.locator(f"#item-{book_ids[1]}")
        carried = page.evaluate_handle("() => new DataTransfer()")
        moved.dispatch_event("dragstart", {"dataTransfer": carried})
        onto.dispatch_event("dragover", {"dataTransfer": carried})
        onto.dispatch_event("drop", {"dataTransfer": carried})
        moved.dispatch_event("dragend", {"dataTransfer": carried})
    else:
        page.get_by_label(f"Place of List book A {tag}").fill("1")
        page.get_by_role("button", name=f"Move List book A {tag} to this place").click()
    expect(items).to_have_text([f"List book A {tag}", f"List book B {tag}"])
    if not page.js_enabled:  # htmx's answer is the list itself; a reload says it in words
        expect(page.get_by_role("status")).to_contain_text("Moved to place 1.")
    assert_accessible(page)
    page.goto(f"/books/{book_ids[0]}")
    expect(page.locator("#lists").get_by_role("link", name=f"Picks {tag}")).to_be_visible()
    assert_accessible(page)

    # Change a note, rename the list, find it on the profile's lists page, delete it.
    page.locator("#lists").get_by_role("link", name=f"Picks {tag}").click()
    page.get_by_label(f"Note on List book A {tag}").fill("Better reason")
    page.get_by_role("button", name=f"Save note on List book A {tag}").click()
    expect(page.get_by_label(f"Note on List book A {tag}")).to_have_value("Better reason")
    expect(page.locator(".list-note").nth(0)).to_have_text("Better reason")
    if page.js_enabled:
        save = page.get_by_role("button", name=f"Save note on List book A {tag}")
        expect(save).to_be_focused()
    page.get_by_role("link", name="Edit the list").click()
    assert_accessible(page)
    page.get_by_label("Title").fill(f"Renamed {tag}")
    page.get_by_role("button", name="Save the list").click()
    expect(page.get_by_role("heading", name=f"Renamed {tag}")).to_be_visible()
    page.goto(f"/u/{maker}")
    page.get_by_role("link", name=f"{maker}'s lists").click()
    expect(page.get_by_role("link", name=f"Renamed {tag}")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=f"Renamed {tag}").click()
    page.get_by_role("link", name="Delete it").click()
    assert_accessible(page)
    page.get_by_role("button", name="Delete the list").click()
    expect(page.get_by_role("status")).to_contain_text("The list was deleted.")
    expect(page.get_by_text("No lists yet.")).to_be_visible()
