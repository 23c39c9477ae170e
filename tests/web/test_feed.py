"""The home feed: followed readers' ratings and reviews, grouped, paged by keyset; suggestions."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.factories import make_book, make_review
from webapp.extensions import db
from webapp.models import Review
from webapp.services import blocks, feed, follows, reviews


def stamp(review: Review, minutes_ago: int) -> None:
    """Spread reviews out in time (saved in one test they would share a clock tick)."""
    review.created_at = review.created_at - timedelta(minutes=minutes_ago)
    db.session.commit()


def what(html: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", m).strip()
        for m in re.findall(r'class="feed-what">(.*?)</p>', html, re.S)
    ]


@pytest.fixture
def scene(world, users):
    """The reader follows the author and ``pal``; ``stranger`` is not followed."""
    pal, stranger = users("pal"), users("stranger")
    follows.follow(world.reader, world.author)
    follows.follow(world.reader, pal)
    books = [make_book(f"Feed book {n}") for n in range(4)]
    stamp(world.review, 100)  # the author's review of the moderated book
    for n, book in enumerate(books[:3]):
        stamp(make_review(pal, book, 4), 50 - n)  # three bare ratings in a row
    stamp(make_review(stranger, books[3], 5, title="Unseen", body="Not followed."), 1)
    stamp(make_review(world.author, books[3], 3, title="Late", body="Newest *words*."), 2)
    return {"pal": pal, "stranger": stranger, "books": books}


def test_visitors_keep_the_public_home_page(client, world):
    html = client.get("/").get_data(as_text=True)
    assert "Find your next book" in html and "Your feed" not in html


def test_feed_lists_followed_readers_newest_first_grouped(client, auth, scene):
    auth.login("reader")
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Your feed" in html
    assert what(html) == [
        '<a href="/u/author">author</a> reviewed a book:',
        '<a href="/u/pal">pal</a> rated 3 books:',
        '<a href="/u/author">author</a> reviewed a book:',
    ]
    assert "Unseen" not in html and "Feed book 0" in html


def test_show_more_by_keyset_plain_and_htmx(client, auth, world, scene, monkeypatch):
    monkeypatch.setattr(feed, "PAGE_SIZE", 2)
    auth.login("reader")
    html = client.get("/").get_data(as_text=True)
    link = re.search(r'<a href="(/feed\?after=[^"]+)" hx-get="\1"', html)
    assert link and len(what(html)) == 2
    url = link.group(1).replace("&amp;", "&")
    page = client.get(url).get_data(as_text=True)  # without JavaScript: a whole page
    assert "<html" in page and "Older in your feed" in page
    fragment = client.get(url, headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and "HX-Request" in fragment.headers["Vary"]
    assert body.count('class="feed-entry"') >= 1 and "data-focus-here" in body
    stars_shown = html.count("out of 5 stars") + body.count("out of 5 stars")
    while 'id="feed-more"' in body:
        url = re.search(r'href="(/feed\?after=[^"]+)"', body).group(1).replace("&amp;", "&")
        body = client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
        stars_shown += body.count("out of 5 stars")
    # Five rows, two per page: nothing skipped, nothing twice (ratings may split at a page edge).
    assert stars_shown == 5


def test_muted_blocked_and_hidden_stay_out(auth, client, world, scene):
    blocks.mute(world.reader, scene["pal"])
    entries, _ = feed.page(world.reader)
    assert {e.user.username for e in entries} == {"author"}
    blocks.block(world.author, world.reader)  # also ends the follow
    follows_left = feed.page(world.reader)[0]
    assert follows_left == []


def test_hidden_reviews_are_left_out(world, scene):
    from webapp.services import moderation

    moderation.hide(world.mod, world.review, "Rude")
    ids = [r.id for e in feed.page(world.reader)[0] for r in e.reviews]
    assert world.review.id not in ids and ids


def test_bad_cursor_starts_from_the_newest(client, auth, scene):
    auth.login("reader")
    assert client.get("/feed?after=garbage").status_code == 200


def test_empty_feed_suggests_readers(client, auth, world, users):
    fan = users("fan")
    make_review(world.reader, world.book, 4.5)
    make_review(fan, world.book, 5)  # liked what the reader liked
    reviews.toggle_helpful(world.reader, world.review)  # the author's review helped this week
    auth.login("reader")
    html = client.get("/").get_data(as_text=True)
    assert "Your feed is empty" in html
    assert "Readers who liked the books you liked" in html and ">fan</a>" in html
    assert "1 book in common" in html and "1 helpful vote" in html
    assert [u.username for u, _ in feed.helpful_reviewers(world.reader)] == ["author"]


def test_feed_query_count_is_fixed(client, auth, world, users, count_queries):
    auth.login("reader")
    follows.follow(world.reader, world.author)
    client.get("/")
    with count_queries() as few:
        client.get("/")
    for n in range(6):
        pal = users(f"busy{n}")
        follows.follow(world.reader, pal)
        for book in [make_book(f"Busy {n}-{k}") for k in range(2)]:
            make_review(pal, book, 3.5, title="Words", body="Some words.")
    with count_queries() as many:
        assert client.get("/").get_data(as_text=True).count('class="feed-entry"') == 13
    assert len(many) == len(few), many
