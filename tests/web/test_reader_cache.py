"""Signed-in readers' kept book pages (webapp/reader_cache.py): a reader's repeat view is their
own copy, no one else's; every write that changes what they see — theirs or another's that
names them — shows on the next view, which equals the page drawn afresh.

The cache reads the versions outside the test's transaction, so these tests commit.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.client import AuthActions, Browserless
from tests.factories import make_book, make_review
from webapp.extensions import db
from webapp.models import Review, User
from webapp.models.base import utcnow
from webapp.services import blocks, follows, login_sessions, moderation, replies, staff

TOKEN = re.compile(r'X-CSRFToken": "([^"]+)"')


@pytest.fixture
def dune(cached_app, users):
    book = make_book("Dune", authors=("Frank Herbert",))
    for name, stars in (("paul", "4"), ("chani", "5"), ("stilgar", "3")):
        make_review(users(name), book, stars, body=f"{name} read it.")
    users("ann"), users("mod", role="moderator")
    return f"/books/{book.id}-{book.slug}", book


def user(name: str) -> User:
    return db.session.query(User).filter_by(username=name).one()


def signed_in(app, name: str) -> Browserless:
    web = Browserless(app.test_client())
    AuthActions(web).login(name)
    web.client.get("/").close()  # the "Signed in" flash shown: a steady-state cookie
    return web


def view(web, url: str) -> tuple[str, str | None]:
    response = web.client.get(url, headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    return response.get_data(as_text=True), response.headers.get("X-Reader-Cache")


def drawn(app, web, url: str) -> str:
    """The page with the reader cache off: what every served copy must equal."""
    store = app.extensions["reader_cache"]
    app.extensions["reader_cache"] = None
    try:
        return view(web, url)[0]
    finally:
        app.extensions["reader_cache"] = store


def same(served: str, reference: str) -> None:
    ours, theirs = TOKEN.search(served).group(1), TOKEN.search(reference).group(1)
    assert served.replace(ours, "T") == reference.replace(theirs, "T")


@pytest.mark.committed
def test_a_readers_repeat_view_is_their_own_kept_copy(cached_app, dune):
    url, _ = dune
    ann = signed_in(cached_app, "ann")
    first, state = view(ann, url)
    assert state is None  # drawn, and kept
    again, state = view(ann, url)
    assert state == "hit" and again == first  # the same token: hers, for this session
    same(again, drawn(cached_app, ann, url))
    response = ann.client.get(url)
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "ETag" not in response.headers and "Set-Cookie" not in response.headers

    paul = signed_in(cached_app, "paul")  # another reader, another copy
    page, state = view(paul, url)
    assert state is None and "Log out" in page and ">paul<" in page and ">ann<" not in page
    # Another session of the same reader has its own token, so its own copy.
    elsewhere = signed_in(cached_app, "ann")
    assert view(elsewhere, url)[1] is None


@pytest.mark.committed
def test_every_change_to_what_a_reader_sees_shows_on_their_next_view(cached_app, dune):
    url, book = dune
    ann = signed_in(cached_app, "ann")
    found = db.session.scalars(select(Review).where(Review.book_id == book.id))
    review_of = {r.user.username: r for r in found}

    def changes():
        # Her own requests: a shelf, a vote, marking her notices read (an UPDATE statement).
        yield lambda: ann.post(f"/books/{book.id}/shelf", {"status": "reading"})
        yield lambda: ann.post(f"/reviews/{review_of['paul'].id}/helpful", {})
        yield lambda: ann.post(f"/books/{book.id}/review", {"rating": "4", "body": "Mine."})
        # Others' changes that name her: a follow and a reply to her review (her unread
        # count), a block by one she follows, a moderator hiding a review, a privacy change.
        yield lambda: follows.follow(user("chani"), user("ann"))
        yield lambda: ann.post("/notifications/read", {})
        yield lambda: follows.follow(user("ann"), user("paul"))
        yield lambda: blocks.block(user("paul"), user("ann"))
        yield lambda: replies.post(user("stilgar"), own_review(), "Agreed.")
        yield lambda: moderation.hide(user("mod"), review_of["stilgar"], "Spoilers")
        yield lambda: follows.set_private(user("chani"), True)

    def own_review():
        return db.session.scalars(select(Review).filter_by(book_id=book.id, user_id=ann_id)).one()

    ann_id = user("ann").id
    view(ann, url), view(ann, url)
    for number, change in enumerate(changes()):
        before, _ = view(ann, url)
        assert view(ann, url)[1] == "hit"
        change()
        db.session.expire_all()
        after, state = view(ann, url)
        if 'class="flash flash-' in after:  # her own POST's message, shown once (never kept)
            after, state = view(ann, url)
        assert state is None, f"change {number} left her kept copy current"
        same(after, drawn(cached_app, ann, url))
        assert after != before, f"change {number} changed nothing she sees"


@pytest.mark.committed
def test_an_ended_session_or_a_waiting_message_never_gets_the_copy(cached_app, dune):
    url, _ = dune
    ann = signed_in(cached_app, "ann")
    view(ann, url), view(ann, url)
    with ann.client.session_transaction() as session:
        session["_flashes"] = [("info", "Saved your shelf.")]
    page, state = view(ann, url)
    assert state is None and "Saved your shelf." in page
    assert view(ann, url)[1] == "hit"  # the message was shown once; the copy serves again

    login_sessions.end_sessions(user("ann"))
    page, state = view(ann, url)
    assert state is None and "Log out" not in page and "Sign in" in page


@pytest.mark.committed
def test_a_reader_who_is_suspended_is_signed_out_not_served(cached_app, dune):
    url, _ = dune
    ann = signed_in(cached_app, "ann")
    view(ann, url), view(ann, url)
    staff.suspend(user("mod"), user("ann"), 3, "Spam")
    page, state = view(ann, url)
    assert state is None and "Log out" not in page


@pytest.mark.committed
def test_workers_share_a_readers_copy_through_redis_and_her_write_shows_at_once(redis_apps, users):
    one, two = redis_apps  # two workers' apps on one Redis, as behind one load balancer
    with one.app_context():
        book = make_book("Emma", authors=("Jane Austen",))
        make_review(users("harriet"), book, "4", body="Lovely.")
        users("ann")
        url = f"/books/{book.id}-{book.slug}"
        ann = signed_in(one, "ann")
        assert view(ann, url)[1] is None
        cookie = ann.client.get_cookie("session").value
        other = Browserless(two.test_client())
        other.client.set_cookie("session", cookie)
        page, state = view(other, url)
        assert state == "hit" and ">ann<" in page
        ann.post(f"/books/{book.id}/shelf", {"status": "read"})
        view(ann, url)  # the "Shelved" message, shown once
        page, state = view(other, url)
        assert state is None and '<option value="read" selected>' in page
    assert one.extensions["reader_cache"].prefix != one.extensions["page_cache"].prefix


@pytest.mark.committed
def test_a_hit_is_answered_in_front_of_flask_and_an_expired_session_is_not(cached_app, dune):
    from flask import request_started

    from webapp.models import LoginSession

    url, _ = dune
    ann = signed_in(cached_app, "ann")
    view(ann, url)
    seen = []

    def record(sender, **extra):
        seen.append(1)

    request_started.connect(record, cached_app)
    try:
        assert view(ann, url)[1] == "hit" and seen == []
        days = cached_app.config["REMEMBER_COOKIE_DURATION"] // 86400 + 1
        db.session.execute(
            update(LoginSession)
            .where(LoginSession.user_id == user("ann").id)
            .values(created_at=utcnow() - timedelta(days=days))
        )
        db.session.commit()
        page, state = view(ann, url)
        assert state is None and seen and "Log out" not in page
    finally:
        request_started.disconnect(record, cached_app)


@pytest.mark.committed
def test_a_suspension_stops_the_copy_even_with_the_session_row_still_there(cached_app, dune):
    url, _ = dune
    ann = signed_in(cached_app, "ann")
    view(ann, url), view(ann, url)
    db.session.execute(
        update(User)
        .where(User.id == user("ann").id)
        .values(suspended_until=utcnow() + timedelta(days=1))
    )
    db.session.commit()  # a bare UPDATE: no version moved, no session ended
    page, state = view(ann, url)
    assert state is None and "Log out" not in page


@pytest.mark.committed
def test_staff_pages_are_never_kept_their_header_counts_everyones_reports(cached_app, dune):
    from webapp.services import reports

    url, book = dune
    mod = signed_in(cached_app, "mod")
    first, state = view(mod, url)
    assert state is None and view(mod, url)[1] is None  # drawn each time
    paul_review = db.session.scalars(select(Review).filter_by(book_id=book.id)).first()
    reports.report_review(user("ann"), paul_review, "spam")
    page, state = view(mod, url)
    assert state is None and page != first
    same(page, drawn(cached_app, mod, url))


@pytest.mark.committed
def test_htmx_swaps_and_boosted_pages_are_kept_apart_and_each_equals_its_drawing(cached_app, dune):
    url, _ = dune
    ann = signed_in(cached_app, "ann")
    swap = {"HX-Request": "true", "Accept-Encoding": "identity"}
    boosted = swap | {"HX-Boosted": "true"}

    def get(headers) -> tuple[str, str | None]:
        response = ann.client.get(url, headers=headers)
        assert response.status_code == 200
        return response.get_data(as_text=True), response.headers.get("X-Reader-Cache")

    page, _ = view(ann, url)
    assert view(ann, url)[1] == "hit"
    # A boosted link asks for the page: it is the page's copy.
    assert get(boosted) == (page, "hit")
    # An htmx swap is kept apart from the page: drawn the first time, then its own copy.
    first, state = get(swap)
    assert state is None
    again, state = get(swap)
    assert state == "hit" and again == first
    store = cached_app.extensions["reader_cache"]
    cached_app.extensions["reader_cache"] = None
    try:
        same(again, get(swap)[0])
    finally:
        cached_app.extensions["reader_cache"] = store
