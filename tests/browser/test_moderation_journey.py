"""A reader reports a review, a moderator hides it, an admin suspends its author — JS on and off."""

from __future__ import annotations

import re
import threading
import uuid

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.browser.conftest import assert_accessible
from tests.conftest import config_for, migrate_to_head
from tests.factories import UserFactory, moderation_book, moderation_review
from webapp import create_app

PASSWORD = UserFactory.password


@pytest.fixture(scope="module")
def moderation_app(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('moderation') / 'browser.db'}"
    migrate_to_head(url)
    return create_app(config_for(url, RATELIMIT_ENABLED=False))


@pytest.fixture(scope="module")
def live_server(moderation_app):
    """This module's own server, so the data seeded below is the data the browser sees."""
    server = make_server("127.0.0.1", 0, moderation_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def cast(moderation_app):
    """Fresh readers, staff, a book and a review, made through the services in an app context."""
    tag = uuid.uuid4().hex[:6]
    with moderation_app.app_context():
        users = UserFactory()
        names = {
            role: users(f"{role}_{tag}", role=kind)
            for role, kind in [
                ("reporter", "reader"),
                ("author", "reader"),
                ("mod", "moderator"),
                ("admin", "admin"),
            ]
        }
        book = moderation_book(f"Quiet Harbours {tag}", "Ines Marlowe")
        review = moderation_review(names["author"], book, body="Mean words about a person.")
        return {"review_id": review.id, **{k: u.username for k, u in names.items()}}


def log_in(page, name: str) -> None:
    page.goto("/login")
    page.get_by_label("Username or email").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("navigation", name="Main")).to_contain_text(name)


def log_out(page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()


def test_report_hide_notify_suspend(page, cast):
    rid = cast["review_id"]

    # A reader reports the review from its report page (the same partial the book page uses).
    log_in(page, cast["reporter"])
    page.goto(f"/reviews/{rid}/report")
    assert_accessible(page)
    control = page.locator(f"#report-review-{rid}")
    control.get_by_label("Abuse or harassment").check()
    control.get_by_label("Anything moderators should know?").fill("Attacks another reader")
    control.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("status").first).to_contain_text("moderators will look")
    if not page.js_enabled:  # back on the book page; the report page now says so too
        page.goto(f"/reviews/{rid}/report")
    expect(page.locator(f"#report-review-{rid}")).to_contain_text("Reported")
    log_out(page)

    # A moderator sees the open count in the header and hides the review in place.
    log_in(page, cast["mod"])
    expect(page.locator("#open-reports-count")).to_have_text(re.compile(r"^1\b"))
    page.get_by_role("link", name=re.compile("^Moderation")).click()
    expect(page).to_have_url(re.compile("/moderation$"))
    assert_accessible(page)
    row = page.locator(f"#queue-review-{rid}")
    expect(row).to_contain_text("Attacks another reader")
    row.get_by_label("Reason the author will see").fill("Personal attack on another reader")
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    row.get_by_role("button", name="Hide", exact=True).click()
    expect(page.locator("#open-reports-count")).to_have_text(re.compile(r"^0\b"))
    if page.js_enabled:
        expect(row).to_contain_text("Hidden")
        assert navigations == []  # swapped in place
    page.goto("/moderation?status=resolved")
    expect(page.locator(f"#queue-review-{rid}")).to_contain_text("Personal attack")
    assert_accessible(page)
    for url in (
        "/moderation/users",
        "/moderation/log",
        "/moderation/books/1/edit",
        "/moderation/books/1/merge",
    ):
        page.goto(url)
        assert_accessible(page)
    log_out(page)

    # The reporter hears the outcome.
    log_in(page, cast["reporter"])
    page.get_by_role("link", name=re.compile(r"Notifications \(1\)")).click()
    expect(page.get_by_role("main")).to_contain_text("has been hidden")
    assert_accessible(page)
    log_out(page)

    # An admin suspends the author from the staff reader page.
    log_in(page, cast["admin"])
    page.goto(f"/moderation/users?q={cast['author']}")
    assert_accessible(page)
    page.get_by_role("link", name=cast["author"], exact=True).click()
    assert_accessible(page)
    panel = page.locator(".staff-panel")
    panel.get_by_label("Days").fill("7")
    panel.get_by_label("Reason", exact=True).fill("Repeated personal attacks")
    panel.get_by_role("button", name="Suspend", exact=True).click()
    expect(page.locator(".staff-panel")).to_contain_text("Suspended until")
    assert_accessible(page)
    log_out(page)

    # The author cannot sign in, and is told until when.
    page.goto("/login")
    page.get_by_label("Username or email").fill(cast["author"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("suspended until")
