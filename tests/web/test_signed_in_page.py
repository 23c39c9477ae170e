"""The signed-in book page from a warm card cache (webapp/card_cache.py): every reader gets the
page drawn for them — their votes, shelf, follows and blocks, role, own review and token —
whoever warmed the cache, and a write shows at once."""

from __future__ import annotations

import io
import re

import pytest

from tests.client import AuthActions, Browserless
from tests.factories import make_book, make_review
from tests.media_parts import png
from webapp.services import blocks, covers, follows, notices, reports, reviews, shelves

TOKEN = re.compile(r'X-CSRFToken": "([^"]+)"')


@pytest.fixture
def book(app):
    return make_book("Middlemarch", authors=("George Eliot",), description="A *study*.")


@pytest.fixture
def cast(app, users, book):
    """Four reviewers (one private, one whose link to this site is in her text), a reader with
    votes, a follow, a block and a shelf, and an admin with a review of his own."""
    pat, priv, carl, lin = (users(n) for n in ("pat", "priv", "carl", "lin"))
    ann, bob, eve = users("ann"), users("bob", role="admin"), users("eve")
    r = {
        "pat": make_review(pat, book, "4", title="Slow burn", body="Worth the *time*."),
        "priv": make_review(priv, book, "5", body="Private thoughts."),
        "carl": make_review(carl, book, "2", body="Too long."),
        # Her text holds this page's address and the kind of markup the cache fills in.
        "lin": make_review(
            lin, book, "3", body=f'[here](/books/{book.id}-middlemarch) name="next" value="x"'
        ),
        "bob": make_review(bob, book, "3.5", body="Mine, as admin."),
    }
    follows.set_private(priv, True)
    follows.follow(ann, priv)
    follows.approve(priv, ann)
    follows.follow(ann, pat)
    blocks.block(ann, carl)
    reviews.toggle_helpful(ann, r["pat"])
    reports.report_review(ann, r["lin"], "spam")
    shelves.set_status(ann, book, "reading")
    return {"users": {u.username: u for u in (ann, bob, eve)}, "reviews": r}


def browser(app, name: str) -> Browserless:
    web = Browserless(app.test_client())
    AuthActions(web).login(name)
    web.client.get("/").close()  # the "Signed in" flash shown: a steady-state cookie
    return web


def page(web, book, query: str = "") -> str:
    response = web.client.get(f"/books/{book.id}-middlemarch{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def card(html: str, review) -> str:
    start = html.index(f'<article id="review-{review.id}"')
    return html[start : html.index("</article>", start)]


def direct(app, web, book, query: str = "") -> str:
    """The same page with the card cache off: the reference every cached page must match."""
    store = app.extensions["review_cards"]
    app.extensions["review_cards"] = None
    try:
        return page(web, book, query)
    finally:
        app.extensions["review_cards"] = store


def same_page(cached: str, reference: str) -> None:
    """Equal but for the token (timestamped, so it moves between requests), and every form
    on the cached page carries the page's own token."""
    token = TOKEN.search(cached).group(1)
    sent = re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', cached)
    assert sent and set(sent) == {token}
    other = TOKEN.search(reference).group(1)
    assert cached.replace(token, "T") == reference.replace(other, "T")


def test_readers_get_their_own_page_from_a_warm_cache(app, book, cast):
    ann, bob, eve = (browser(app, n) for n in ("ann", "bob", "eve"))
    r = cast["reviews"]
    pages = {}
    for _ in range(2):  # the second round comes wholly from the cache the first one filled
        for name, web in (("ann", ann), ("bob", bob), ("eve", eve)):
            pages[name] = page(web, book)
            same_page(pages[name], direct(app, web, book))
    assert len(app.extensions["review_cards"]._cards) > 0

    a = pages["ann"]
    assert 'aria-pressed="true"' in card(a, r["pat"]) and "Unfollow<span" in card(a, r["pat"])
    assert "Private thoughts." in a  # an approved follower
    assert "follow-card" not in card(a, r["carl"])  # across her block: no Follow button
    assert "Reported" in card(a, r["lin"]) and "Delete" not in card(a, r["pat"])
    assert f'value="/books/{book.id}-middlemarch#review-{r["pat"].id}"' in card(a, r["pat"])
    assert '<option value="reading" selected>' in a
    unread = notices.unread_count(cast["users"]["ann"])  # the header's count, from her marks
    assert unread > 0 and f'id="unread-notices-count">({unread})<' in a

    b = pages["bob"]  # an admin: staff see private reviews and may delete any
    assert 'aria-pressed="false"' in card(b, r["pat"]) and "Delete<span" in card(b, r["pat"])
    assert "Private thoughts." in b and "follow-card" in card(b, r["carl"])
    mine = b[b.index('id="my-review"') :]
    assert "Mine, as admin." in mine and "Edit<span" in mine
    assert f'id="review-{r["bob"].id}"' not in b[b.index('id="reviews"') :]  # not twice

    e = pages["eve"]  # not approved by priv: her review is not shown
    assert "Private thoughts." not in e and "Delete" not in card(e, r["pat"])
    assert 'id="review-form"' in e and "Reported" not in e
    # The text that looks like the filled-in parts comes out as written, for everyone.
    for html in pages.values():
        assert f'href="/books/{book.id}-middlemarch"' in card(html, r["lin"])


def test_a_write_shows_to_the_next_reader_at_once(app, book, cast):
    ann, bob = browser(app, "ann"), browser(app, "bob")
    users, r = cast["users"], cast["reviews"]
    page(ann, book), page(bob, book)  # warm
    reviews.toggle_helpful(users["bob"], r["carl"])
    reviews.save(r["pat"].user, book, stars="4", title="Slow burn", body="Changed my mind.")
    blocks.block(users["ann"], r["pat"].user)
    a, b = page(ann, book), page(bob, book)
    assert "Changed my mind." in a and "Changed my mind." in b
    assert "1 reader found this helpful" in card(a, r["carl"])
    assert 'aria-pressed="true"' in card(b, r["carl"])
    assert "follow-card" not in card(a, r["pat"])  # she blocked pat: no Follow button now
    same_page(a, direct(app, ann, book))
    same_page(b, direct(app, bob, book))


def test_sorted_and_more_pages_match_the_direct_drawing(app, users, book, cast):
    ann = browser(app, "ann")
    for n in range(22):
        make_review(users(), book, "3", body=f"Review {n}")
    same_page(page(ann, book, "?sort=newest"), direct(app, ann, book, "?sort=newest"))
    first = page(ann, book)
    more = re.search(r'href="(/books/\d+/reviews\?[^"]+)"', first).group(1).replace("&amp;", "&")
    for headers in ({}, {"HX-Request": "true"}):  # the page, and the fragment htmx appends
        cached = ann.client.get(more, headers=headers).get_data(as_text=True)
        store = app.extensions["review_cards"]
        app.extensions["review_cards"] = None
        reference = ann.client.get(more, headers=headers).get_data(as_text=True)
        app.extensions["review_cards"] = store
        assert "data-focus-here" in cached or not headers
        token = re.search(r'name="csrf_token" value="([^"]+)"', cached).group(1)
        other = re.search(r'name="csrf_token" value="([^"]+)"', reference).group(1)
        assert cached.replace(token, "T") == reference.replace(other, "T")


def test_a_form_sent_back_with_errors_is_not_the_cached_blank_one(app, book, cast):
    eve = browser(app, "eve")
    assert 'id="review-form"' in page(eve, book)  # the blank form, now cached
    sent = eve.post(f"/books/{book.id}/review", {"rating": "", "title": "Kept title"})
    html = sent.get_data(as_text=True)
    assert sent.status_code == 422 and 'value="Kept title"' in html
    blank = page(eve, book)
    assert "Kept title" not in blank
    same_page(blank, direct(app, eve, book))


def test_cover_forms_follow_the_book_and_what_the_reader_may_do(app, users, book, cast):
    """The blank cover forms come from the cache by book, cover and what the reader may do (a
    reader gives a coverless book one; staff replace and remove); one sent back with errors is
    drawn afresh, and the next page has the blank one again."""
    mo = users("mo", role="moderator")
    readers = {name: browser(app, name) for name in ("eve", "bob", "mo")}

    def pages() -> dict[str, str]:
        drawn = {}
        for _ in range(2):  # the second round from the cache
            for name, web in readers.items():
                drawn[name] = page(web, book)
                same_page(drawn[name], direct(app, web, book))
        return drawn

    before = pages()
    assert all('id="cover-form"' in html and "Add a cover" in html for html in before.values())
    assert "Remove the cover" not in before["mo"]
    covers.upload(mo, book, png(500, 750))
    after = pages()
    assert "cover-actions" not in after["eve"]
    assert all(
        "Replace the cover" in after[n] and "Remove the cover" in after[n] for n in ("bob", "mo")
    )
    image = {"image": (io.BytesIO(b"not an image"), "cover.jpg")}
    sent = readers["mo"].post(f"/books/{book.id}/cover", image)
    html = sent.get_data(as_text=True)
    assert sent.status_code == 422 and 'cover-actions" open' in html
    blank = page(readers["mo"], book)
    assert 'cover-actions" open' not in blank
    same_page(blank, direct(app, readers["mo"], book))


def test_the_shelf_control_follows_each_readers_shelf(app, users, book, cast):
    """Drawn once per book, shelf and day: each reader gets their own shelf selected, a change
    shows at once, and a shelf form sent back with errors is not the cached blank one."""
    ann, eve = browser(app, "ann"), browser(app, "eve")
    users_by_name = cast["users"]
    for _ in range(2):
        for web in (ann, eve):
            same_page(page(web, book), direct(app, web, book))
    assert '<option value="reading" selected>' in page(ann, book)
    assert "want-button" in page(eve, book) and "want-button" not in page(ann, book)
    shelves.set_status(users_by_name["eve"], book, "reading")
    shelves.set_status(users_by_name["ann"], book, "want_to_read")
    a, e = page(ann, book), page(eve, book)
    assert '<option value="want_to_read" selected>' in a and "want-button" not in a
    assert '<option value="reading" selected>' in e and "want-button" not in e
    same_page(a, direct(app, ann, book))
    same_page(e, direct(app, eve, book))
    sent = eve.post(f"/books/{book.id}/shelf", {"status": "read", "finished_on": "not a date"})
    assert sent.status_code == 422 and 'id="shelf-finished-on-error"' in sent.get_data(as_text=True)
    blank = page(eve, book)
    assert "shelf-finished-on-error" not in blank
    same_page(blank, direct(app, eve, book))


def test_signed_in_page_runs_a_fixed_number_of_queries(app, book, cast, count_queries):
    ann, path = browser(app, "ann"), f"/books/{book.id}-middlemarch"
    counts = []
    for _ in range(2):  # cold cards, then warm: the cache saves drawing, not statements
        with count_queries() as statements:
            assert ann.client.get(path).status_code == 200
        counts.append(len(statements))
    # The reader, the book with its authors, the lists with the book and hers (one statement,
    # book_rows.for_page), her review with a page of the others' (one,
    # review_pages.own_and_page), her marks on them and her unread count (services/marks.py),
    # her reads of it and the progress of the current one.
    assert counts == [6, 6]
