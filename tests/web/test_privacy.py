"""Private profiles: reviews, reads, shelves and lists for approved followers, the reader
themselves and staff — on the profile, book pages, review pages, lists, home and the feed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.factories import make_book, moderation_review
from webapp.extensions import db
from webapp.models import Notice, Report
from webapp.services import feed, follows, lists, replies, shelves

pytestmark = pytest.mark.usefixtures("shared_world")


@pytest.fixture
def private(world, users):
    """The author is private: ``pal`` was approved, ``asker`` waits; the author has a list
    including the book and is reading another."""
    pal, asker = users("pal"), users("asker")
    follows.set_private(world.author, True)
    follows.follow(pal, world.author)
    follows.approve(world.author, pal)
    follows.follow(asker, world.author)
    picks = lists.create(world.author, "Author's secret picks")
    lists.add(world.author, picks, world.book)
    shelves.set_status(world.author, make_book("Private reading"), "reading")
    return {"pal": pal, "asker": asker, "list": picks}


def book_page(client, world) -> str:
    return client.get(f"/books/{world.book.id}", follow_redirects=True).get_data(as_text=True)


def test_book_page_hides_their_review_but_keeps_the_counts(client, auth, world, private):
    review = f'id="review-{world.review.id}"'
    visitor = book_page(client, world)
    assert review not in visitor and "Author&#39;s secret picks" not in visitor
    assert world.book.rating_count == 1 and world.book.review_count == 1  # still counted
    for name, sees in (("reader", False), ("asker", False), ("pal", True), ("mod", True)):
        auth.login(name)
        html = book_page(client, world)
        assert (review in html) == sees, name
        assert ("Author&#39;s secret picks" in html) == sees, name
        auth.logout()
    auth.login("author")
    assert review in book_page(client, world)  # their own, in "your review"


def test_review_page_and_replies_are_not_found_for_others(web, auth, world, private):
    url = f"/reviews/{world.review.id}"
    assert web.client.get(url).status_code == 404
    auth.login("reader")
    assert web.client.get(url).status_code == 404
    assert web.post(f"{url}/replies", {"body": "Hello"}).status_code == 404
    auth.logout()
    auth.login("pal")
    assert web.client.get(url).status_code == 200


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_profile_shows_only_the_header_to_others(client, auth, world, private, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    html = client.get("/u/author?page=1", headers=headers).get_data(as_text=True)
    assert "profile is private" in html and "My take" not in html
    assert "Private reading" not in html and 'href="/u/author/lists"' not in html
    if not htmx:
        assert "This profile is private" in html and "Sign in</a> to ask to follow" in html
        assert "2 followers" not in html and "1 follower" in html  # counts stay public
    auth.login("pal")
    html = client.get("/u/author", headers=headers).get_data(as_text=True)
    assert "My take" in html and "profile is private" not in html
    if not htmx:
        assert "Private reading" in html and 'href="/u/author/lists"' in html


def test_lists_stats_and_tags_pages_are_forbidden_to_others(client, auth, world, private):
    pages = [f"/lists/{private['list'].id}", "/u/author/lists", "/u/author/stats", "/u/author/tags"]
    for name in (None, "reader", "asker"):
        if name:
            auth.login(name)
        assert [client.get(p).status_code for p in pages] == [403] * 4, name
        if name:
            auth.logout()
    for name in ("pal", "author", "mod"):
        auth.login(name)
        assert [client.get(p).status_code for p in pages] == [200] * 4, name
        auth.logout()


def test_visitors_home_leaves_their_reviews_out(client, world, private):
    html = client.get("/").get_data(as_text=True)
    assert "My take" not in html
    follows.set_private(world.author, False)
    db.session.expire_all()
    assert "My take" in client.get("/").get_data(as_text=True)


def test_approving_opens_the_profile_and_the_feed(client, auth, world, private):
    assert feed.page(private["asker"])[0] == []  # a request is not a follow
    follows.approve(world.author, private["asker"])
    kinds = {entry.kind for entry in feed.page(private["asker"])[0]}
    assert {"review", "listed", "started"} <= kinds
    auth.login("asker")
    assert f'id="review-{world.review.id}"' in book_page(client, world)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_votes_and_reports_on_their_review_are_not_found_for_others(
    web, auth, world, private, htmx
):
    """Posting by id does not reach a review the reader may not see (nothing is counted)."""
    url = f"/reviews/{world.review.id}"
    for name in ("reader", "asker"):
        auth.login(name)
        assert web.post(f"{url}/helpful", htmx=htmx).status_code == 404, name
        assert web.post(f"{url}/report", {"reason": "spam"}, htmx=htmx).status_code == 404
        assert web.client.get(f"{url}/report").status_code == 404
        auth.logout()
    db.session.refresh(world.review)
    assert world.review.helpful_count == 0
    assert db.session.scalar(select(func.count(Report.id))) == 0
    auth.login("pal")  # an approved follower may
    assert web.post(f"{url}/helpful", htmx=htmx).status_code == (200 if htmx else 303)
    assert web.post(f"{url}/report", {"reason": "spam"}, htmx=htmx).status_code == (
        200 if htmx else 303
    )
    db.session.refresh(world.review)
    assert world.review.helpful_count == 1
    assert db.session.scalar(select(func.count(Report.id))) == 1


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_their_replies_are_shown_only_to_who_may_see_them(web, auth, users, world, private, htmx):
    """A private reader's reply under a public review: hidden from others like their reviews,
    its own URLs are 404s for them, and only those who may see it are told of it."""
    public = moderation_review(users("open_book"), make_book("Everyone's book"))
    reply = replies.post(world.author, public, "An aside from a private reader.")
    page, reply_url = f"/reviews/{public.id}", f"/replies/{reply.id}"
    for name, sees in ((None, False), ("reader", False), ("asker", False), ("pal", True),
                       ("mod", True), ("author", True)):  # fmt: skip
        if name:
            auth.login(name)
        html = web.client.get(page).get_data(as_text=True)
        assert ("An aside from a private reader." in html) == sees, name
        if name in ("reader", "asker"):
            assert web.client.get(f"{reply_url}/report").status_code == 404
            answer = web.post(f"{reply_url}/report", {"reason": "spam"}, htmx=htmx)
            assert answer.status_code == 404, name
        if name:
            auth.logout()
    told = select(Notice.user_id).where(Notice.link.like(f"%#reply-{reply.id}"))
    assert set(db.session.scalars(told)) == set()  # the review's author does not follow them
    assert db.session.scalar(select(func.count(Report.id))) == 0
