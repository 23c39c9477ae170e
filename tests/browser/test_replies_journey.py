"""Reply to a review, see it in place (focus on it with JS), edit it, report one; axe clean."""

from __future__ import annotations

import uuid

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_social_journey import sign_in, sign_out
from tests.factories import UserFactory, make_book, make_review


def test_reply_edit_report(page, live_data):
    tag = uuid.uuid4().hex[:6]
    writer, fan = f"writer_{tag}", f"fan_{tag}"

    def seed():
        users = UserFactory()
        users(fan)
        review = make_review(users(writer), make_book(f"Reply book {tag}"), 4, body="Yes.")
        return review.id

    review_id = live_data(seed)
    sign_in(page, fan)
    page.goto(f"/reviews/{review_id}")
    page.get_by_label("Your reply").fill("I *loved* it too.")
    page.get_by_role("button", name="Post reply").click()
    reply = page.locator(".reply").first
    expect(reply).to_contain_text("I loved it too.")
    expect(page.get_by_role("heading", name="Replies (1)")).to_be_visible()
    if page.js_enabled:
        expect(reply).to_be_focused()
    assert_accessible(page)

    page.get_by_role("link", name="Edit your reply").click()
    expect(page.get_by_role("heading", name="Edit your reply")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Your reply").fill("I loved it, mostly.")
    page.get_by_role("button", name="Save reply").click()
    expect(page.locator(".reply").first).to_contain_text("I loved it, mostly.")
    sign_out(page)

    sign_in(page, writer)
    page.goto(f"/reviews/{review_id}")
    page.get_by_role("link", name=f"Report {fan}’s reply").click()
    expect(page.get_by_role("heading", name=f"Report {fan}’s reply")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Spam").check()
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("status")).to_contain_text("moderators will look at it")
