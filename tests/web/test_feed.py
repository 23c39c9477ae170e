"""The home feed: followed readers' ratings and reviews, grouped, paged by keyset; suggestions."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.factories import make_book, make_review
from webapp.extensions import db
from webapp.models import FeedEvent
from webapp.services import blocks, feed, follows, lists, reads, reviews, shelves


def stamp(row, minutes_ago: int) -> None:
    """Spread rows out in time (saved in one test they would share a clock tick)."""
    row.created_at = row.created_at - timedelta(minutes=minutes_ago)
    db.session.commit()


def stamp_events(user, minutes_ago: int) -> None:
    """Move the reader's newest feed events (those not moved yet) back in time."""
    for event in db.session.scalars(db.select(FeedEvent).where(FeedEvent.user_id == user.id)):
        if (feed.utcnow() - event.created_at).total_seconds() < 30:
            stamp(event, minutes_ago)


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
    ids = [r.id for e in feed.page(world.reader)[0] for r in e.items]
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
        shelves.set_status(pal, make_book(f"Busy {n} reading"), "reading")
        lists.create(pal, f"Busy {n}'s list")
    with count_queries() as many:
        html = client.get("/").get_data(as_text=True)
        assert html.count('class="feed-entry"') in range(13, 13 + 6 * 2 + 1)
        assert "made a list:" in html and "started reading" in html
    assert len(many) == len(few), many


@pytest.fixture
def doings(world, users):
    """``doer`` (followed) started two books, finished one and made a list; ``shy`` (followed,
    reading kept private) started one and made a list."""
    pal, shy = users("doer"), users("shy")
    follows.follow(world.reader, pal)
    follows.follow(world.reader, shy)
    books = [make_book(f"Doing {n}") for n in range(3)]
    shelves.set_status(pal, books[0], "reading")
    shelves.set_status(pal, books[1], "reading")
    stamp_events(pal, 40)
    shelves.set_status(pal, books[0], "read")
    stamp_events(pal, 30)
    picks = lists.create(pal, "Doer's picks", "Books that *hold up*.")
    stamp_events(pal, 20)
    reads.set_private(shy, True)
    shelves.set_status(shy, books[2], "reading")
    stamp_events(shy, 10)
    shy_list = lists.create(shy, "Shy list")
    stamp_events(shy, 5)
    return {"pal": pal, "shy": shy, "books": books, "list": picks, "shy_list": shy_list}


def test_feed_shows_reads_started_and_finished_and_lists(client, auth, doings):
    auth.login("reader")
    html = client.get("/").get_data(as_text=True)
    assert what(html) == [
        '<a href="/u/shy">shy</a> made a list:',
        '<a href="/u/doer">doer</a> made a list:',
        '<a href="/u/doer">doer</a> finished a book:',
        '<a href="/u/doer">doer</a> started reading 2 books:',
    ]
    assert "Doer&#39;s picks" in html and "Shy list" in html and "Doing 0" in html
    assert "Doing 2" not in html  # shy keeps their reading private: only the list shows


def test_a_finished_read_taken_back_leaves_the_feed(world, doings):
    read = reads.reads_of(doings["pal"], doings["books"][0])[0]
    reads.update(doings["pal"], read, reads.ReadData(status="reading"))
    kinds = [e.kind for e in feed.page(world.reader)[0]]
    assert "finished" not in kinds and kinds.count("listed") == 2


def test_events_go_with_their_read_or_list(world, doings):
    read = reads.reads_of(doings["pal"], doings["books"][1])[0]
    reads.remove(doings["pal"], read)
    db.session.delete(doings["list"])
    db.session.commit()
    entries = feed.page(world.reader)[0]
    assert [(e.kind, len(e.items)) for e in entries] == [
        ("listed", 1),
        ("finished", 1),
        ("started", 1),
    ]


def test_show_more_walks_reviews_and_events_together(world, scene, doings):
    def keys(entries):
        return [feed.seq(row) for entry in entries for row in entry.items]

    everything = keys(feed.page(world.reader, limit=100)[0])
    walked, cursor = [], None
    while True:
        entries, cursor = feed.page(world.reader, cursor, limit=2)
        walked += keys(entries)
        if cursor is None:
            break
    # 5 review rows (scene) + 3 started/finished + 2 lists: each once, in order, none skipped.
    assert len(everything) == 10 and walked == everything


def test_muted_and_blocked_readers_events_stay_out(world, doings):
    blocks.mute(world.reader, doings["pal"])
    assert {e.user.username for e in feed.page(world.reader)[0]} == {"shy"}
    blocks.block(doings["shy"], world.reader)
    assert feed.page(world.reader)[0] == []
