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
from webapp.services import reports

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
        # A second reported review, listed after the first (its report is older), and two more
        # on the book for the admin's delete on the book page.
        second = moderation_review(users(f"second_{tag}"), book, body="Shouting in capitals.")
        reports.report_review(names["reporter"], second, "spam", "All capitals")
        extras = [
            moderation_review(users(f"extra{n}_{tag}"), book, body=f"Extra review {n}.").id
            for n in (1, 2)
        ]
        return {
            "review_id": review.id,
            "second_id": second.id,
            "extra_ids": extras,
            "book_path": f"/books/{book.id}",
            **{k: u.username for k, u in names.items()},
        }


def log_in(page, name: str) -> None:
    page.goto("/login")
    page.get_by_label("Username or email").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("navigation", name="Main")).to_contain_text(name)


def log_out(page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()


def test_report_hide_notify_suspend(page, cast):
    rid, sid = cast["review_id"], cast["second_id"]

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

    # A moderator sees the open count in the header; each report comes before the reported text.
    log_in(page, cast["mod"])
    expect(page.locator("#open-reports-count")).to_have_text(re.compile(r"^2\b"))
    page.get_by_role("link", name=re.compile("^Moderation")).click()
    expect(page).to_have_url(re.compile("/moderation$"))
    expect(page.locator("#queue-heading")).to_have_text("2 open reports on 2 reviews")
    assert_accessible(page)
    row, second = page.locator(f"#queue-review-{rid}"), page.locator(f"#queue-review-{sid}")
    expect(row).to_contain_text("Attacks another reader")

    # The bulk panel is folded; with JavaScript ticking a review opens it and says so.
    panel = page.locator("#bulk-panel")
    expect(panel).not_to_have_attribute("open", "")
    if page.js_enabled:
        second.get_by_label("Select").check()
        expect(panel).to_have_attribute("open", "")
        expect(panel.locator("summary")).to_contain_text("1 review ticked")
        expect(page.locator("#flash")).to_contain_text("1 review ticked")
        assert_accessible(page)
        second.get_by_label("Select").uncheck()
    else:
        panel.locator("summary").click()
        expect(panel.get_by_label("With the ticked reviews")).to_be_visible()

    # Hide in place: the item leaves, the counts drop, focus goes to the next item's heading.
    row.get_by_label("Reason the author will see").fill("Personal attack on another reader")
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    row.get_by_role("button", name="Hide", exact=True).click()
    expect(page.locator("#open-reports-count")).to_have_text(re.compile(r"^1\b"))
    expect(row).to_have_count(0)
    expect(page.locator("#queue-heading")).to_have_text("1 open report on 1 review")
    expect(page.locator("#flash")).to_contain_text("Review hidden. 1 open report left.")
    if page.js_enabled:
        assert navigations == []  # swapped in place
        expect(page.locator(f"#queue-review-{sid}-title")).to_be_focused()
    # Dismiss the last one: focus goes to the list's heading, which says there are none.
    second.get_by_role("button", name="Dismiss reports").click()
    expect(second).to_have_count(0)
    expect(page.locator("#queue-heading")).to_have_text("No open reports on reviews")
    expect(page.locator("#flash")).to_contain_text("Reports dismissed. 0 open reports left.")
    if page.js_enabled:
        expect(page.locator("#queue-heading")).to_be_focused()
    assert_accessible(page)
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
    page.get_by_role("link", name=re.compile(r"Notifications \(2\)")).click()
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

    # The audit log says it in words, with times in UTC.
    page.goto("/moderation/log")
    entries = page.locator(".audit-entry")
    expect(entries.first).to_contain_text(
        f"{cast['admin']} suspended {cast['author']} for 7 days: “Repeated personal attacks”"
    )
    expect(entries.first.locator("time")).to_have_text(
        re.compile(r"^\d{1,2} \w{3} \d{4}, \d\d:\d\d UTC$")
    )
    expect(page.locator("main")).to_contain_text(
        f"{cast['mod']} hid {cast['author']}’s review of Quiet Harbours"
    )
    expect(page.locator("main")).not_to_contain_text("suspend_user")
    assert_accessible(page)

    # Deleting another reader's review on a book page: focus goes to the next review (or the
    # reviews heading) and the live region says whose review went.
    first_extra = cast["extra_ids"][0]
    page.goto(cast["book_path"])
    review = page.locator(f"#review-{first_extra}")
    after = review.evaluate(
        "el => { let n = el.nextElementSibling;"
        " while (n && !(n.id && n.tagName === el.tagName)) n = n.nextElementSibling;"
        " return n ? n.id : null; }"
    )
    if page.js_enabled:
        page.once("dialog", lambda dialog: dialog.accept())
        review.get_by_role("link", name="Delete this review").click()
        expect(review).to_have_count(0)
        focused = page.locator(f"#{after}" if after else "#reviews-heading")
        expect(focused).to_be_focused()
    else:
        review.get_by_role("link", name="Delete this review").click()
        page.get_by_role("button", name="Delete review").click()
        expect(page.locator(f"#review-{first_extra}")).to_have_count(0)
    expect(page.locator("#flash")).to_contain_text("’s review was deleted.")
    assert_accessible(page)
    log_out(page)

    # The author cannot sign in, and is told until when.
    page.goto("/login")
    page.get_by_label("Username or email").fill(cast["author"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("suspended until")
