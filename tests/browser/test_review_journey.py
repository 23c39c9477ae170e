"""A reader rates, reviews, edits, deletes, and marks another review helpful (JS on and off)."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_up
from tests.factories import UserFactory, make_book, make_review


@pytest.fixture
def reviewed_book(live_data) -> dict:
    """A book on the live server with one review (2 stars) by another reader."""

    def seed() -> dict:
        suffix = uuid.uuid4().hex[:6]
        book = make_book(
            f"The Dispossessed {suffix}",
            authors=("Ursula K. Le Guin",),
            description="An *ambiguous* utopia.",
            year=1974,
        )
        critic = UserFactory()(f"critic_{suffix}")
        make_review(critic, book, "2", title="Not for me", body="Too **talky**.")
        return {"path": f"/books/{book.id}-{book.slug}", "title": book.title}

    return live_data(seed)


def stats_row(page, label: str):
    return page.locator("#book-stats tr", has_text=label).locator(".histogram-count")


def expect_stats(page, average: str, ratings: str, rows: dict[str, str]) -> None:
    stats = page.locator("#book-stats")
    expect(stats.locator(".average-number")).to_have_text(average)
    expect(stats).to_contain_text(ratings)
    for label, count in rows.items():
        expect(stats_row(page, label)).to_have_text(count)


def stay_on_page(page) -> None:
    """With JS, mark the document: the mark survives only if nothing reloads the page."""
    if page.js_enabled:
        page.evaluate("window.__no_reload = true")


def assert_no_reload(page) -> None:
    if page.js_enabled:
        assert page.evaluate("window.__no_reload === true"), "the page reloaded"


def expect_focus(page, selector: str) -> None:
    """With JS, focus is on what the in-place update changed (document.activeElement); without,
    the page reloaded and the element is there."""
    target = page.locator(selector)
    expect(target).to_have_count(1)
    if page.js_enabled:
        expect(target).to_be_focused()
        assert page.evaluate("document.activeElement !== document.body")


def test_rate_review_edit_helpful_delete(page, reviewed_book):
    sign_up(page)

    page.goto(reviewed_book["path"])
    expect(page).to_have_title(re.compile(reviewed_book["title"]))
    expect_stats(page, "2.0", "1 rating", {"2 stars": "1", "4 stars": "0"})
    assert_accessible(page)
    stay_on_page(page)

    # Rate with the keyboard: arrow keys move through the radio group and check as they go.
    page.get_by_label("3 stars", exact=True).focus()
    for key in ("ArrowRight", "ArrowRight", "ArrowLeft", "ArrowRight"):
        page.keyboard.press(key)
    expect(page.get_by_label("4 stars", exact=True)).to_be_checked()
    expect(page.get_by_label("4 stars", exact=True)).to_be_focused()

    form = page.locator("#review-form")
    form.get_by_label("Title (optional)").fill("A thought experiment")
    form.get_by_label("Your review (optional)").fill("Anarres is **bleak**, and it *works*.")
    form.get_by_label("This review contains spoilers").check()
    form.get_by_role("button", name="Save review").click()

    mine = page.locator("#my-review")
    expect(mine.locator(".review-title")).to_have_text("A thought experiment")
    expect_focus(page, "#my-review-heading")
    expect(mine).to_contain_text("4 out of 5 stars")
    expect(mine.locator("summary")).to_have_text("Contains spoilers")
    mine.locator("summary").click()
    expect(mine.locator(".review-body strong")).to_have_text("bleak")
    expect_stats(page, "3.0", "2 ratings", {"4 stars": "1", "2 stars": "1"})
    expect(page.get_by_label("Shelf")).to_have_value("read")  # rating shelved it as Read
    expect(page.get_by_role("status")).to_contain_text("Your review was saved.")
    assert_no_reload(page)
    assert_accessible(page)

    # Edit: in place with JS; the edit page without.
    mine.get_by_role("link", name="Edit your review").click()
    if page.js_enabled:
        expect(page.locator("#review-form")).to_be_visible()
        assert_no_reload(page)
    else:
        expect(page).to_have_url(re.compile(r"/reviews/\d+/edit$"))
    expect(page.get_by_label("4 stars", exact=True)).to_be_checked()
    expect_focus(page, "#review-form .form-heading")
    assert_accessible(page)
    if page.js_enabled:  # Cancel swaps the review back and focuses it; Edit again
        page.locator("#review-form").get_by_role("link", name="Cancel").click()
        expect_focus(page, "#my-review .review")
        page.locator("#my-review").get_by_role("link", name="Edit your review").click()
        expect_focus(page, "#review-form .form-heading")
    page.get_by_label("4 stars", exact=True).focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(page.get_by_label("5 stars", exact=True)).to_be_checked()
    page.get_by_label("Title (optional)").fill("Better on a second read")
    page.get_by_role("button", name="Update your review").click()

    mine = page.locator("#my-review")
    expect(mine.locator(".review-title")).to_have_text("Better on a second read")
    expect(mine).to_contain_text("5 out of 5 stars")
    expect_stats(page, "3.5", "2 ratings", {"5 stars": "1", "4 stars": "0", "2 stars": "1"})
    expect_focus(page, "#my-review-heading")
    assert_no_reload(page)

    # Another reader's review: mark it helpful (a real form; htmx swaps the button).
    other = page.locator(".review", has_text="Not for me")
    button = other.get_by_role("button", name="Helpful")
    expect(button).to_have_attribute("aria-pressed", "false")
    button.click()
    other = page.locator(".review", has_text="Not for me")
    expect(other.get_by_role("button", name="Helpful")).to_have_attribute("aria-pressed", "true")
    expect(other).to_contain_text("1 reader found this helpful")
    expect_focus(page, f"#{other.get_attribute('id')} .helpful-button")
    assert_no_reload(page)
    assert_accessible(page)

    # Delete: confirm dialog with JS; a confirmation page without.
    if page.js_enabled:
        page.once("dialog", lambda dialog: dialog.accept())
        page.locator("#my-review").get_by_role("link", name="Delete your review").click()
    else:
        page.locator("#my-review").get_by_role("link", name="Delete your review").click()
        expect(page.get_by_role("heading", name="Delete your review?")).to_be_visible()
        assert_accessible(page)
        page.get_by_role("button", name="Delete review").click()
    expect(page.locator("#review-form").get_by_role("button", name="Save review")).to_be_visible()
    expect_stats(page, "2.0", "1 rating", {"5 stars": "0", "2 stars": "1"})
    expect(page.get_by_role("status")).to_contain_text("Your review was deleted.")
    expect_focus(page, "#my-review-heading")
    assert_no_reload(page)
    assert_accessible(page)
    write_without_stars(page)


def write_without_stars(page) -> None:
    """A review may be text-only: "No rating" is the radio group's first choice (arrow keys
    reach it from half a star); saving neither stars nor words is refused beside the rating."""
    form = page.locator("#review-form")
    no_rating = form.get_by_label("No rating")
    expect(no_rating).to_be_checked()
    no_rating.focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_label("0.5 stars", exact=True)).to_be_checked()
    page.keyboard.press("ArrowLeft")
    expect(no_rating).to_be_checked()
    expect(no_rating).to_be_focused()
    form.get_by_role("button", name="Save review").click()
    expect(page.locator("#rating-error")).to_have_text(
        "Choose a star rating, write a review, or both."
    )
    expect_focus(page, "#rating-none")  # the first invalid field, in the group with the error
    assert_accessible(page)

    form = page.locator("#review-form")
    form.get_by_label("Your review (optional)").fill("No stars from me, but *many* thoughts.")
    form.get_by_role("button", name="Save review").click()
    mine = page.locator("#my-review")
    expect(mine.locator(".review-body em")).to_have_text("many")
    expect(mine.locator(".review-rating")).to_have_text("Not rated")
    expect(mine.locator(".stars-art")).to_have_count(0)
    expect_focus(page, "#my-review-heading")
    expect_stats(page, "2.0", "1 rating · 2 reviews", {"2 stars": "1", "1 star": "0"})
    expect(page.get_by_role("status")).to_contain_text("Your review was saved.")
    assert_no_reload(page)
    assert_accessible(page)

    # And back to rated: from "No rating" the arrow keys walk up the half stars.
    mine.get_by_role("link", name="Edit your review").click()
    no_rating = page.locator("#review-form").get_by_label("No rating")
    expect(no_rating).to_be_checked()
    expect_focus(page, "#review-form .form-heading")  # the swap's own focus first, then ours
    no_rating.focus()
    expect(no_rating).to_be_focused()
    for _ in range(8):
        page.keyboard.press("ArrowRight")
    expect(page.get_by_label("4 stars", exact=True)).to_be_checked()
    page.get_by_role("button", name="Update your review").click()
    expect(page.locator("#my-review")).to_contain_text("4 out of 5 stars")
    expect_stats(page, "3.0", "2 ratings · 2 reviews", {"4 stars": "1", "2 stars": "1"})
    expect_focus(page, "#my-review-heading")
    assert_no_reload(page)


def test_report_form_comes_on_demand(page, reviewed_book, live_data):
    """The book page carries a "Report" link per review, not a form: with JS the form is fetched
    into place (focus on its first choice; Cancel puts the link back and focuses it), without
    JS the link is the report page. axe on the page in every state."""
    name = f"reporter_{uuid.uuid4().hex[:8]}"
    live_data(lambda: UserFactory()(name))
    page.goto("/login")
    page.get_by_label("Username or email").fill(name)
    page.get_by_label("Password").fill(UserFactory.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("navigation", name="Main")).to_contain_text(name)
    page.goto(reviewed_book["path"])
    assert_accessible(page)
    review = page.locator(".review", has_text="Not for me")
    # One-button forms (helpful, follow) only: no report form until asked.
    expect(review.locator("input[name=reason], textarea")).to_have_count(0)
    expect(review.locator("form button")).to_have_count(review.locator("form").count())
    stay_on_page(page)

    review.get_by_role("link", name="Report").click()
    if page.js_enabled:
        expect(review.get_by_label("Spam")).to_be_focused()
        assert_accessible(page)
        review.get_by_role("link", name="Cancel").click()
        expect(review.get_by_role("link", name="Report")).to_be_focused()
        expect(review.locator("textarea")).to_have_count(0)
        review.get_by_role("link", name="Report").click()
        expect(review.get_by_label("Spam")).to_be_focused()
    else:
        expect(page).to_have_url(re.compile(r"/reviews/\d+/report$"))
        assert_accessible(page)
        page.get_by_role("link", name="Cancel").click()
        expect(page).to_have_url(re.compile(re.escape(reviewed_book["path"]) + "$"))
        page.locator(".review", has_text="Not for me").get_by_role("link", name="Report").click()
    page.get_by_label("Unmarked spoilers").check()
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("status").first).to_contain_text("moderators will look")
    review = page.locator(".review", has_text="Not for me")
    expect(review.locator(".report-done")).to_have_text("Reported")
    if page.js_enabled:
        expect(review.locator(".report-done")).to_be_focused()
    assert_no_reload(page)
    assert_accessible(page)
