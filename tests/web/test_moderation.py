"""Moderation pages and actions over HTTP: plain (303) and htmx (fragment) paths, and errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import render_template
from sqlalchemy import select

from tests.conftest import Browserless
from tests.factories import UserFactory, moderation_book, moderation_review
from webapp.extensions import db
from webapp.models import AuditEntry, Report, Review, User, utcnow
from webapp.services import moderation, notices, reports, staff

# Every test here starts from the same world: built once, each test rolled back.
pytestmark = pytest.mark.usefixtures("shared_world")


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_report_a_review(web, auth, world, htmx):
    auth.login("reader")
    url = f"/reviews/{world['review'].id}/report"
    page = web.client.get(url)
    assert page.status_code == 200 and 'action="' + url + '"' in page.get_data(as_text=True)
    response = web.post(url, {"reason": "spam", "note": "link farm", "next": "/"}, htmx=htmx)
    if htmx:
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "<html" not in html
        assert f'id="report-review-{world["review"].id}"' in html and "Reported" in html
        assert 'hx-swap-oob="innerHTML"' in html and "moderators will look" in html
        assert "HX-Request" in response.headers["Vary"]
    else:
        assert response.status_code == 303 and response.headers["Location"] == "/"
    report = db.session.scalar(select(Report))
    assert (report.reason, report.note) == ("spam", "link farm")


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_report_needs_a_reason(web, auth, world, htmx):
    auth.login("reader")
    response = web.post(f"/reviews/{world['review'].id}/report", {"note": "keep me"}, htmx=htmx)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Choose a reason" in html and "keep me" in html
    assert ("<html" in html) is not htmx


def test_cannot_report_own_review_or_oneself(web, auth, world):
    auth.login("author")
    assert web.post(f"/reviews/{world['review'].id}/report", {"reason": "spam"}).status_code == 403
    assert web.post("/u/author/report", {"reason": "spam"}).status_code == 403
    assert web.client.get("/reviews/999/report").status_code == 404


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_report_a_reader(web, auth, world, htmx):
    auth.login("reader")
    response = web.post("/u/author/report", {"reason": "abuse", "next": "/u/author"}, htmx=htmx)
    if htmx:
        assert response.status_code == 200 and "Reported" in response.get_data(as_text=True)
    else:
        assert response.status_code == 303 and response.headers["Location"] == "/u/author"
    assert db.session.scalar(select(Report.target_user_id)) == world["author"].id


def test_partials_render_for_the_review_and_profile_pages(app, world):
    review, author = world["review"], world["author"]
    with app.test_request_context("/books/1"):
        from flask_login import login_user

        login_user(world["reader"])
        # On a page of reviews: a link that htmx swaps for the form (no form until asked).
        html = render_template("moderation/_report_control.html", review=review)
        assert f'<a id="report-review-{review.id}"' in html and "<form" not in html
        assert f'hx-get="/reviews/{review.id}/report" hx-target="this"' in html
        html = render_template(
            "moderation/_report_control.html", review=review, report_open=True, next_url="/b"
        )
        assert f'hx-post="/reviews/{review.id}/report"' in html and 'name="csrf_token"' in html
        assert 'href="/b" data-form-cancel>Cancel<' in html and "data-focus-here" not in html
        done = render_template(
            "moderation/_report_control.html", review=review, reported_ids={review.id}
        )
        assert "Reported" in done and "<form" not in done
        html = render_template(
            "moderation/_report_user_control.html", user=author, report_open=True
        )
        assert 'action="/u/author/report"' in html and 'href="/u/author" data-form-cancel' in html
        login_user(author)
        assert render_template("moderation/_report_control.html", review=review).strip() == ""


def test_staff_pages_are_staff_only(web, auth, client, world):
    assert client.get("/moderation").status_code == 303
    auth.login("reader")
    for url in ("/moderation", "/moderation/users", "/moderation/log", "/moderation/users/1"):
        assert client.get(url).status_code == 403
    assert (
        web.post(f"/moderation/reviews/{world['review'].id}/hide", {"reason": "x"}).status_code
        == 403
    )


def test_queue_groups_reports_and_shows_count_in_header(web, auth, client, world, users):
    for name in ("r1", "r2"):
        reports.report_review(users(name), world["review"], "spam", f"note by {name}")
    auth.login("mod")
    html = client.get("/moderation").get_data(as_text=True)
    assert 'id="open-reports-count"' in html and ">2<" in html
    assert html.count('class="queue-item card"') == 1
    assert "note by r1" in html and "note by r2" in html and "Spam" in html
    assert f"/moderation/reviews/{world['review'].id}/delete" not in html  # admins only
    assert "Nothing here" in client.get("/moderation?reason=abuse").get_data(as_text=True)
    resolved = client.get("/moderation?status=resolved").get_data(as_text=True)
    assert "Nothing here" in resolved


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_hide_in_place(web, auth, world, users, htmx):
    reporter = users("reporter")
    reports.report_review(reporter, world["review"], "abuse")
    auth.login("mod")
    rid = world["review"].id
    response = web.post(
        f"/moderation/reviews/{rid}/hide",
        {"reason": "Personal attack"},
        htmx=htmx,
        page="/moderation",
    )
    if htmx:
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "<html" not in html
        # The item leaves the list: nothing but out-of-band parts comes back.
        assert f'id="queue-review-{rid}"' not in html and html.startswith("<span")
        assert 'id="open-reports-count" class="badge" hx-swap-oob="true">0' in html
        assert 'id="queue-heading" tabindex="-1" hx-swap-oob="true">No open reports' in html
        assert "Review hidden. 0 open reports left." in html  # for the live region
    else:
        assert response.status_code == 303 and response.headers["Location"] == "/moderation"
        queue = web.client.get("/moderation").get_data(as_text=True)
        assert "Review hidden. 0 open reports left." in queue
        assert f'id="queue-review-{rid}"' not in queue and "No open reports" in queue
    review = db.session.get(Review, rid)
    assert review.is_hidden and review.hidden_reason == "Personal attack"
    assert notices.unread_count(reporter) == 1


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_hide_needs_a_reason(web, auth, world, htmx):
    reports.report_review(world["reader"], world["review"], "abuse")
    auth.login("mod")
    rid = world["review"].id
    response = web.post(f"/moderation/reviews/{rid}/hide", {"reason": ""}, htmx=htmx)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and f'id="hide-{rid}-reason-error"' in html
    assert ("<html" in html) is not htmx


@pytest.mark.parametrize("action", ["dismiss", "spoiler", "restore"])
def test_other_actions_htmx(web, auth, world, action):
    reports.report_review(world["reader"], world["review"], "spoilers")
    if action == "restore":
        moderation.hide(world["mod"], world["review"], "Checking")
        reports.report_review(world["reader"], world["review"], "other")
    auth.login("mod")
    rid = world["review"].id
    response = web.post(f"/moderation/reviews/{rid}/{action}", htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and f'id="queue-review-{rid}"' not in html
    assert 'hx-swap-oob="true">No open reports on reviews</h2>' in html
    assert reports.open_count() == 0


def test_delete_is_for_admins(web, auth, world, client):
    rid = world["review"].id
    auth.login("mod")
    assert web.post(f"/moderation/reviews/{rid}/delete").status_code == 403
    auth.logout()
    auth.login("boss")
    response = web.post(f"/moderation/reviews/{rid}/delete", htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Review deleted." in html
    assert f'id="queue-review-{rid}"' not in html
    assert db.session.get(Review, rid) is None


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_bulk(web, auth, world, users, htmx):
    second = moderation_review(users("second"), world["book"], stars="1")
    for review in (world["review"], second):
        reports.report_review(world["reader"], review, "spam")
    auth.login("mod")
    data = {"action": "dismiss", "review_ids": [world["review"].id, second.id]}
    response = web.post("/moderation/bulk", data, htmx=htmx)
    if htmx:
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and 'id="queue-list"' in html and "Nothing here" in html
    else:
        assert response.status_code == 303
    assert reports.open_count() == 0
    bad = web.post("/moderation/bulk", {"action": "hide", "review_ids": [second.id]}, htmx=htmx)
    assert bad.status_code == 422


def test_notifications_page_marks_read(web, auth, client, world):
    reports.report_review(world["reader"], world["review"], "spam")
    moderation.hide(world["mod"], world["review"], "Spam")
    auth.login("reader")
    home = client.get("/").get_data(as_text=True)
    assert 'id="unread-notices-count">(1)' in home
    html = client.get("/notifications").get_data(as_text=True)
    assert "has been hidden" in html and "New" in html
    assert 'id="unread-notices-count">(0)' in client.get("/").get_data(as_text=True)
    response = web.post("/notifications/read", htmx=True)
    assert response.status_code == 200 and 'id="notices"' in response.get_data(as_text=True)
    assert web.post("/notifications/read").status_code == 303


def test_suspended_reader_cannot_log_in_and_sessions_end(app, web, auth, world):
    author_client = Browserless(app.test_client())
    author_client.post("/login", {"login": "author", "password": UserFactory.password})
    assert author_client.client.get("/account").status_code == 200
    auth.login("boss")
    uid = world["author"].id
    response = web.post(f"/moderation/users/{uid}/suspend", {"days": "7", "reason": "Abuse"})
    assert response.status_code == 303
    assert author_client.client.get("/account").status_code == 303  # signed out at once
    again = author_client.post("/login", {"login": "author", "password": UserFactory.password})
    assert again.status_code == 422 and "suspended until" in again.get_data(as_text=True)
    assert world["review"].id not in [
        r.id for r in db.session.scalars(select(Review).where(Review.hidden_at.is_(None)))
    ]
    response = web.post(f"/moderation/users/{uid}/unsuspend", htmx=True)
    assert response.status_code == 200 and "Suspend author" in response.get_data(as_text=True)
    ok = author_client.post("/login", {"login": "author", "password": UserFactory.password})
    assert ok.status_code == 303


def test_expired_suspension_ends_at_sign_in_not_on_the_queue_page(app, web, auth, world):
    author = world["author"]
    staff.suspend(world["mod"], author, 1, "Cool off")
    author.suspended_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    auth.login("mod")
    assert web.client.get("/moderation").status_code == 200  # a page view writes nothing
    db.session.expire_all()
    assert author.suspended_until is not None and world["review"].is_hidden
    signed_in = Browserless(app.test_client())
    ok = signed_in.post("/login", {"login": "author", "password": UserFactory.password})
    assert ok.status_code == 303
    db.session.expire_all()
    assert author.suspended_until is None and not world["review"].is_hidden


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_suspend_validation_and_limits(web, auth, world, htmx):
    auth.login("mod")
    uid = world["author"].id
    response = web.post(f"/moderation/users/{uid}/suspend", {"reason": "x"}, htmx=htmx)
    assert response.status_code == 422 and "number of days" in response.get_data(as_text=True)
    admin_id = world["admin"].id
    assert (
        web.post(f"/moderation/users/{admin_id}/suspend", {"days": "1", "reason": "x"}).status_code
        == 403
    )
    assert web.post(f"/moderation/users/{uid}/role", {"role": "admin"}).status_code == 403


def test_roles_and_last_admin(web, auth, world):
    auth.login("boss")
    admin_id, mod_id = world["admin"].id, world["mod"].id
    response = web.post(f"/moderation/users/{admin_id}/role", {"role": "reader"}, htmx=True)
    assert response.status_code == 422 and "last admin" in response.get_data(as_text=True)
    assert web.post(f"/moderation/users/{mod_id}/role", {"role": "admin"}).status_code == 303
    assert db.session.get(User, mod_id).role == "admin"


def test_user_search_and_staff_page(auth, client, world):
    reports.report_review(world["reader"], world["review"], "spam", "bad")
    auth.login("mod")
    html = client.get("/moderation/users?q=AUTH").get_data(as_text=True)
    assert ">author</a>" in html and ">reader</a>" not in html
    assert ">reader</a>" in client.get("/moderation/users?q=reader@example").get_data(as_text=True)
    page = client.get(f"/moderation/users/{world['author'].id}").get_data(as_text=True)
    assert "Reports about author (1)" in page and "My take" in page


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_edit_book(web, auth, client, world, htmx):
    auth.login("mod")
    bid = world["book"].id
    assert "The Moderated Book" in client.get(f"/moderation/books/{bid}/edit").get_data(
        as_text=True
    )
    bad = web.post(
        f"/moderation/books/{bid}/edit", {"title": "Kept", "authors": "", "isbn": "123"}, htmx=htmx
    )
    assert bad.status_code == 422 and 'value="Kept"' in bad.get_data(as_text=True)
    ok = web.post(
        f"/moderation/books/{bid}/edit",
        {"title": "Better Title", "authors": "A. Writer"},
        htmx=htmx,
    )
    assert ok.status_code == (204 if htmx else 303)
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "edit_book"))


def test_merge_and_old_url_redirects(web, auth, client, world):
    auth.login("mod")
    dup = moderation_book("Duplicate")
    dup_id = dup.id
    bad = web.post(f"/moderation/books/{dup_id}/merge", {"target_id": "9999"})
    assert bad.status_code == 422 and "no book with that number" in bad.get_data(as_text=True)
    response = web.post(f"/moderation/books/{dup_id}/merge", {"target_id": world["book"].id})
    assert response.status_code == 303
    old = client.get(f"/books/{dup_id}")
    assert old.status_code == 301
    assert old.headers["Location"] == f"/books/{world['book'].id}-the-moderated-book"
    assert client.get("/books/424242").status_code == 404


def test_audit_log_filters(auth, client, world):
    moderation.hide(world["mod"], world["review"], "Rude words")
    staff.suspend(world["admin"], world["reader"], 2, "Spam")
    auth.login("mod")
    html = client.get("/moderation/log").get_data(as_text=True)
    assert "hide_review" in html and "suspend_user" in html and "Rude words" in html
    only = client.get("/moderation/log?action=suspend_user").get_data(as_text=True)
    assert "Rude words" not in only and "suspend_user" in only
    assert "Rude words" in client.get("/moderation/log?actor=mod&target_type=review").get_data(
        as_text=True
    )


def test_auto_hide_threshold_from_config(make_app, world):
    review_id = world.review.id
    app = make_app(
        MODERATION_AUTO_HIDE=1, MODERATION_REPORTER_MIN_DAYS=0, MODERATION_REPORTER_MIN_RATINGS=0
    )
    with app.app_context():
        web = Browserless(app.test_client())
        web.post("/login", {"login": "reader", "password": UserFactory.password})
        assert web.post(f"/reviews/{review_id}/report", {"reason": "spam"}).status_code == 303
        assert db.session.get(Review, review_id).is_hidden


def test_cli_create_admin_and_end_suspensions(app, users):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["create-admin", "chief", "--email", "chief@example.com"],
        input="a long passphrase 9\na long passphrase 9\n",
    )
    assert result.exit_code == 0 and "Created chief" in result.output
    assert User.by_username("chief").role == "admin"
    users("someone")
    result = runner.invoke(args=["create-admin", "someone"])
    assert "Promoted someone" in result.output
    result = runner.invoke(
        args=["create-admin", "xavier", "--email", "x@example.com", "--password", "short"]
    )
    assert result.exit_code != 0 and "at least 10" in result.output
    assert "Ended 0 suspensions" in runner.invoke(args=["end-suspensions"]).output


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_counts_on_staff_pages_agree_in_number(web, auth, client, world, htmx):
    """One reported review, one reader found, one audit entry: no "1 reviews" or "1 entries"."""
    reports.report_review(world["reader"], world["review"], "spam")
    auth.login("mod")
    queue = client.get("/moderation").get_data(as_text=True)
    assert ">1 open report on 1 review</h2>" in queue
    assert "1 reviews" not in queue and "1 open reports" not in queue
    data = {"action": "dismiss", "review_ids": [world["review"].id]}
    response = web.post("/moderation/bulk", data, htmx=htmx)
    flashed = (response if htmx else client.get("/moderation")).get_data(as_text=True)
    assert "Reports dismissed on 1 review." in flashed
    users_page = client.get("/moderation/users?q=author").get_data(as_text=True)
    assert "1 reader matching" in users_page and 'role="region"' in users_page
    log = client.get(f"/moderation/log?target_type=review&target_id={world['review'].id}")
    assert "1 entry, newest first" in log.get_data(as_text=True)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_report_form_comes_on_demand(web, auth, world, htmx):
    """The book page's "Report" link: the report page without JS, the form fetched into place
    with it (focus on its first choice; Cancel back to the book)."""
    auth.login("reader")
    review = world["review"]
    url = f"/reviews/{review.id}/report"
    headers = {"HX-Request": "true"} if htmx else {}
    response = web.client.get(url, headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    assert ("<html" in html) is not htmx
    control = html[html.index(f'id="report-review-{review.id}"') :]
    assert f'hx-post="{url}"' in control and 'name="reason"' in control
    book = f"/books/{world['book'].id}-the-moderated-book"
    assert f'href="{book}" data-form-cancel>Cancel</a>' in control
    first = control.index('type="radio"')
    assert ("data-focus-here" in control[first : control.index(">", first)]) is htmx


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_lifting_a_suspension_that_is_not_there_says_so(web, auth, world, htmx):
    auth.login("boss")
    uid = world["author"].id
    response = web.post(f"/moderation/users/{uid}/unsuspend", htmx=htmx)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "author is not suspended." in html
    assert ("<html" in html) is not htmx


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_reply_actions_come_from_the_registry(web, auth, world, htmx):
    from webapp.services import replies

    reply = replies.post(world["reader"], world["review"], "Rude words")
    replies.report(world["author"], reply, "abuse")
    auth.login("mod")
    html = web.client.get("/moderation").get_data(as_text=True)
    for action in moderation.ACTIONS["reply"].values():
        offered = action.offered(reply, 1)
        assert (f"/moderation/replies/{reply.id}/{action.name}" in html) is offered
    bad = web.post(f"/moderation/replies/{reply.id}/hide", {"reason": ""}, htmx=htmx)
    assert bad.status_code == 422 and f'id="hide-reply-{reply.id}-reason-error"' in bad.get_data(
        as_text=True
    )
    response = web.post(f"/moderation/replies/{reply.id}/hide", {"reason": "Be kind"}, htmx=htmx)
    if htmx:
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "<html" not in html
        assert f'id="queue-reply-{reply.id}"' not in html  # it leaves the list
        assert 'id="reply-queue-heading" tabindex="-1" hx-swap-oob="true">0 replies held' in html
    else:
        assert response.status_code == 303 and response.headers["Location"] == "/moderation#replies"
    db.session.refresh(reply)
    assert reply.is_hidden and reply.hidden_reason == "Be kind"


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_an_item_stays_in_the_resolved_list_it_was_acted_on_in(web, auth, world, htmx):
    """Restoring a review from the resolved list keeps it there (updated); the plain request
    goes back to that list, not to the open one."""
    reports.report_review(world.reader, world.review, "abuse")
    moderation.hide(world.mod, world.review, "Checking")
    auth.login("mod")
    rid = world.review.id
    listed = web.client.get("/moderation?status=resolved").get_data(as_text=True)
    url = f"/moderation/reviews/{rid}/restore?status=resolved"
    assert f'action="{url}"' in listed and ">1 resolved report on 1 review</h2>" in listed
    response = web.post(url, htmx=htmx)
    if htmx:
        html = response.get_data(as_text=True)
        assert html.startswith(f'<article id="queue-review-{rid}"') and "Visible" in html
        assert ">1 resolved report on 1 review</h2>" in html
    else:
        assert response.headers["Location"] == "/moderation?status=resolved"
    assert not db.session.get(Review, rid).is_hidden


def test_the_bulk_panel_is_folded_until_wanted(web, auth, world):
    reports.report_review(world.reader, world.review, "spam")
    auth.login("mod")
    html = web.client.get("/moderation").get_data(as_text=True)
    panel = html.index('<details class="bulk-panel card" id="bulk-panel">')
    assert panel < html.index('id="bulk-form"') < html.index(f'id="queue-review-{world.review.id}"')
    item = html[html.index(f'id="queue-review-{world.review.id}"') :]
    # In each item the report comes first, then the reported text, then the actions.
    assert item.index("report-list") < item.index("reported-text") < item.index("queue-actions")
    bad = web.post("/moderation/bulk", {"action": "hide", "review_ids": [world.review.id]})
    assert bad.status_code == 422 and 'id="bulk-panel" open>' in bad.get_data(as_text=True)
