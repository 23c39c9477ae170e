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
