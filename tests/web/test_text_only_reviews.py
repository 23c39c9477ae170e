"""A review may be text-only: saving and editing one (plain POST and htmx), and how the book
page, profile and feed show a review that has words and no stars."""

from __future__ import annotations

import re

import pytest

from tests.factories import make_book, make_review
from webapp.extensions import db
from webapp.services import follows, recount, reviews

BOTH = pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])


@pytest.fixture
def book(app):
    return make_book("Dune", authors=("Frank Herbert",))


def page_of(book) -> str:
    return f"/books/{book.id}-dune"


def html_of(response) -> str:
    return response.get_data(as_text=True)


def numbers(book) -> tuple:
    db.session.refresh(book)
    assert recount.check([book.id]) == []  # the kept numbers equal a recount at every step
    return book.rating_count, book.rating_sum, book.review_count, book.histogram


def card(html: str, review_id: int) -> str:
    return re.search(rf'<article id="review-{review_id}".*?</article>', html, re.S).group(0)


@BOTH
def test_save_a_text_only_review(web, client, book, reader, htmx):
    data = {"rating": "", "title": "Spice", "body": "No stars, *many* thoughts."}
    response = web.post(f"/books/{book.id}/review", data, htmx=htmx, page=page_of(book))
    review = reviews.find(reader, book)
    assert (review.rating, review.title) == (None, "Spice")
    assert numbers(book) == (0, 0, 1, [(n, 0) for n in range(5, 0, -1)])
    if htmx:
        assert response.status_code == 200 and "<html" not in html_of(response)
        html = html_of(response)
        assert "Your review was saved." in html
        assert re.search(r'<h2 id="my-review-heading" tabindex="-1" data-focus-here>', html)
    else:
        assert response.status_code == 303
        html = html_of(client.get(page_of(book)))
        assert "Your review was saved." in html
    mine = card(html, review.id)
    assert "Not rated" in mine and "stars-art" not in mine and "reviewed it" in mine
    assert "<em>many</em>" in mine and 'class="review rating-only"' not in mine
    assert "No ratings yet; 1 review." in html  # the book's stats: a review, no rating


@BOTH
def test_edit_from_rated_to_unrated_and_back(web, client, users, book, reader, htmx):
    make_review(users(), book, "2")
    review = make_review(reader, book, "4.5", body="Loved it.")
    assert numbers(book)[:3] == (2, 13, 1)

    form = html_of(client.get(f"/reviews/{review.id}/edit"))
    assert re.search(r'id="rating-none" name="rating" value=""\s*>', form)  # not checked
    post = {"rating": "", "body": "Loved it; stars are not my thing."}
    response = web.post(f"/books/{book.id}/review", post, htmx=htmx, page=page_of(book))
    assert response.status_code == (200 if htmx else 303)
    if htmx:
        assert "Your review was updated." in html_of(response)
        assert 'itemprop="ratingValue">2.0<' in html_of(response)  # out-of-band stats
    assert numbers(book)[:3] == (1, 4, 1)
    form = html_of(client.get(f"/reviews/{review.id}/edit"))
    assert re.search(r'id="rating-none" name="rating" value=""\s*checked', form)
    assert not re.search(r'class="star-radio"[^>]*checked', form)

    response = web.post(f"/books/{book.id}/review", {"rating": "3", "body": "Fine."}, htmx=htmx)
    assert response.status_code == (200 if htmx else 303)
    assert numbers(book) == (2, 10, 1, [(5, 0), (4, 0), (3, 1), (2, 1), (1, 0)])
    form = html_of(client.get(f"/reviews/{review.id}/edit"))
    assert re.search(r'value="3"\s+checked', form)


@BOTH
def test_a_title_alone_without_stars_is_422_beside_the_review(web, book, reader, htmx):
    review = make_review(reader, book, "4", title="Kept", body="Words.")
    data = {"rating": "", "title": "Only a title", "body": ""}
    response = web.post(f"/books/{book.id}/review", data, htmx=htmx)
    assert response.status_code == 422
    html = html_of(response)
    assert re.search(r'id="body-error">\s*Write your review, or choose a star rating.', html)
    assert 'value="Only a title"' in html
    assert re.search(r'id="rating-none" name="rating" value=""\s*checked', html)
    db.session.refresh(review)
    assert (review.rating, review.title) == (8, "Kept")


def test_book_page_shows_text_only_cards_and_counts_only_ratings(client, users, book):
    rated = make_review(users(), book, "4", body="Good.")
    unrated, _ = reviews.save(users(), book, stars="", body="Unrated *words*.")
    alone = make_review(users(), book, "2")  # a rating with no text stays one compact line
    html = html_of(client.get(page_of(book)))
    assert 'itemprop="ratingValue">3.0<' in html and 'itemprop="ratingCount">2<' in html
    text_only = card(html, unrated.id)
    assert "Not rated" in text_only and 'itemprop="reviewRating"' not in text_only
    assert 'class="helpful' in text_only  # a review with words can be found helpful
    assert "4 out of 5 stars" in card(html, rated.id)
    assert 'class="review rating-only"' in card(html, alone.id)


def test_profile_and_feed_show_a_review_without_stars(client, auth, users, book):
    writer = users("writer")
    reviews.save(writer, book, stars="", title="Thoughts", body="No stars from me.")
    make_review(writer, make_book("Other"), "3")
    profile = html_of(client.get("/u/writer"))
    assert "1 rating, averaging 3.0 stars" in profile
    excerpt = re.search(
        r'<li class="review-excerpt">(?:(?!</li>).)*Thoughts.*?</li>', profile, re.S
    )
    assert "out of 5 stars" not in excerpt.group(0)

    follows.follow(users("fan"), writer)
    auth.login("fan")
    feed = html_of(client.get("/"))
    assert "writer</a> reviewed a book:" in feed and "No stars from me." in feed
