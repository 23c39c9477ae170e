"""Visitors' review cards kept rendered by their row (webapp/card_cache.py): a changed row is a
new card at once, and signed-in readers' cards are never taken from it."""

from __future__ import annotations

from tests.conftest import AuthActions, Browserless
from tests.factories import make_book, make_review
from webapp.extensions import db
from webapp.services import reviews


def page(client, book) -> str:
    return client.get(f"/books/{book.id}-{book.slug}").get_data(as_text=True)


def test_a_visitors_cards_are_kept_and_a_changed_row_is_rendered_again(app, client, users):
    cards = app.extensions["review_cards"]
    book = make_book("Kindred", authors=("Octavia E. Butler",))
    review = make_review(users("dana"), book, "5", title="Rufus", body="Time *pulls*.")
    make_review(users("kevin"), book, "4", title="1976", body="Then and now.")
    first = page(client, book)
    kept = len(cards._cards)
    assert kept >= 2 and "Time <em>pulls</em>." in first
    assert page(client, book) == first and len(cards._cards) == kept  # served from it

    reviews.toggle_helpful(users("alice"), review)
    assert "1 reader found this helpful" in page(client, book)
    review.user.username = "dana_f"
    db.session.commit()
    renamed = page(client, book)
    assert "dana_f" in renamed and ">dana<" not in renamed


def test_signed_in_readers_get_their_own_cards(app, client, users):
    book = make_book("Parable of the Sower", authors=("Octavia E. Butler",))
    make_review(users("lauren"), book, "5", title="Earthseed", body="God is change.")
    visitor_page = page(client, book)
    assert "helpful-button" not in visitor_page
    users("bankole")
    reader = AuthActions(Browserless(app.test_client()))
    reader.login("bankole")
    signed_in = page(reader.web.client, book)
    assert "helpful-button" in signed_in and "God is change." in signed_in


def drawn_directly(app, client, book) -> str:
    store, app.extensions["review_cards"] = app.extensions["review_cards"], None
    try:
        return page(client, book)
    finally:
        app.extensions["review_cards"] = store


def test_kept_book_stats_follow_every_rating(app, client, users):
    """``kept`` fragments (the book's ratings) are drawn once per set of numbers: each new
    rating, changed rating or text-only review shows at once, as the page drawn directly."""
    book = make_book("Dawn", authors=("Octavia E. Butler",))
    lilith = users("lilith")
    steps = [
        lambda: None,
        lambda: make_review(lilith, book, "4"),
        lambda: make_review(users("nikanj"), book, "2.5", body="Strange."),
        lambda: make_review(lilith, book, "4.5"),  # the same count, another histogram
        lambda: make_review(users("joseph"), book, None, body="No stars from me."),
    ]
    shown = set()
    for step in steps:
        step()
        kept = page(client, book)
        assert kept == page(client, book) == drawn_directly(app, client, book)
        stats = kept[kept.index('<section id="book-stats"') : kept.index("</section>")]
        assert stats not in shown
        shown.add(stats)
    assert any(key[0] == "kept" for key in app.extensions["review_cards"]._cards)
