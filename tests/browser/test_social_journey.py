"""Follow a reader, see the feed fill, get a notice, approve a request, block — JS on and off."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.factories import UserFactory, make_book, make_review


def sign_in(page, name: str) -> None:
    page.goto("/login")
    page.get_by_label("Username or email").fill(name)
    page.get_by_label("Password").fill(UserFactory.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("navigation", name="Main")).to_contain_text(name)


def sign_out(page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()


def test_follow_feed_notice_request_block(page, live_data):
    tag = uuid.uuid4().hex[:6]
    fan, writer, shy = f"fan_{tag}", f"writer_{tag}", f"shy_{tag}"

    def seed():
        users = UserFactory()
        users(fan), users(shy)
        author = users(writer)
        review = make_review(
            author, make_book(f"Journey book {tag}"), 4, title="Worth it", body="Yes."
        )
        return review.id, f"/reviews/{review.id}"

    review_id, review_url = live_data(seed)

    sign_in(page, fan)
    expect(page.get_by_role("heading", name="Your feed")).to_be_visible()
    expect(page.get_by_text("Your feed is empty")).to_be_visible()
    assert_accessible(page)

    # Follow from the writer's review card; back on the same page, the button says Unfollow.
    page.goto(review_url)
    card = page.locator(f"#follow-card-{review_id}-button")
    card.click()
    expect(card).to_have_text(f"Unfollow {writer}")
    expect(page.get_by_role("status")).to_contain_text(f"You follow {writer}")
    if page.js_enabled:  # swapped in place: focus stays on the button pressed
        expect(card).to_be_focused()
    else:  # back to the card it was pressed on
        assert page.url.endswith(f"{review_url}#review-{review_id}")
    assert_accessible(page)

    page.goto(f"/u/{writer}")
    expect(page.locator("#follow-button")).to_have_text("Unfollow")
    expect(page.get_by_role("link", name="1 follower")).to_be_visible()

    page.get_by_role("link", name="1 follower").click()
    expect(page.get_by_role("heading", name=f"Followers of {writer}")).to_be_visible()
    expect(page.locator(".people-list").get_by_role("link", name=fan)).to_be_visible()
    assert_accessible(page)

    page.goto("/")
    expect(page.locator(".feed-what").first).to_contain_text(f"{writer} reviewed a book")
    expect(page.get_by_text(f"Journey book {tag}")).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    # The writer was told, and turns private: the next follower must ask.
    sign_in(page, writer)
    page.get_by_role("link", name=re.compile("Notifications")).click()
    expect(page.get_by_text(f"{fan} started following you.")).to_be_visible()
    page.goto("/account")
    page.get_by_label("Approve followers before they can follow me").check()
    page.locator("#privacy-save").click()
    expect(page.get_by_role("status")).to_contain_text("Your profile is private now")
    sign_out(page)

    sign_in(page, shy)
    page.goto(f"/u/{writer}")
    page.get_by_role("button", name="Ask to follow").click()
    expect(page.locator("#follow-button")).to_have_text("Cancel follow request")
    sign_out(page)

    sign_in(page, writer)
    page.goto("/follow-requests")
    assert_accessible(page)
    page.get_by_role("button", name=f"Approve {shy}").click()
    expect(page.get_by_text("No one is waiting.")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(f"{shy} now follows you")

    # Blocking the fan ends the follow; the fan's feed empties.
    page.goto(f"/u/{fan}")
    page.locator("#block-button").click()
    expect(page.locator("#block-button")).to_have_text("Unblock")
    expect(page.locator(".social-control")).to_contain_text(f"You blocked {fan}.")
    assert_accessible(page)
    sign_out(page)

    sign_in(page, fan)
    expect(page.get_by_text("Your feed is empty")).to_be_visible()
    page.goto(f"/u/{writer}")
    expect(page.locator("#follow-button")).to_have_count(0)
    expect(page.get_by_role("link", name="1 follower")).to_be_visible()  # shy, not the fan
