"""The book page and every review, helpful and shelf action: plain and htmx, and error paths."""

from __future__ import annotations

import re

import pytest

from tests.factories import make_book, make_review
from webapp.extensions import db
from webapp.models import Review
from webapp.services import moderation, reports, reviews, shelves, tags

BOTH = pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])


@pytest.fixture
def book(app):
    return make_book(
        "Dune",
        authors=("Frank Herbert",),
        description="Spice and **sand**. <script>alert(1)</script>",
        year=1965,
        isbn13="9780441013593",
        pages=412,
    )


@pytest.fixture
def other_review(users, book):
    return make_review(users("other"), book, "2", title="Too slow", body="*Sand.*", spoiler=True)


def url(book) -> str:
    return f"/books/{book.id}-dune"


def html_of(response) -> str:
    return response.get_data(as_text=True)


def exists(review_id: int) -> bool:
    return db.session.query(Review).filter_by(id=review_id).count() == 1


def assert_fragment(response, status=200):
    assert response.status_code == status
    assert "<html" not in html_of(response)
    assert "HX-Request" in response.headers["Vary"]


# The book page ---------------------------------------------------------------------------


def test_book_page_for_visitors(client, book, other_review):
    response = client.get(url(book))
    html = html_of(response)
    assert response.status_code == 200
    assert "<title>Dune by Frank Herbert · Colophon</title>" in html
    assert '<meta name="description" content="Spice and sand. &lt;script&gt;' in html
    assert '<meta property="og:type" content="book">' in html
    assert f'<meta property="og:url" content="http://localhost/books/{book.id}-dune">' in html
    assert f'property="og:image" content="http://localhost/books/{book.id}/share.png?v=' in html
    assert 'itemtype="https://schema.org/Book"' in html
    assert 'itemprop="aggregateRating"' in html and 'itemprop="ratingValue">2.0<' in html
    assert "<script>alert" not in html and "application/ld+json" not in html
    assert "<strong>sand</strong>" in html
    assert f'class="author-name" href="/authors/{book.authors[0].id}-' in html
    assert "Sign in to rate this book" in html and f"next=/books/{book.id}-dune" in html
    assert 'id="review-form"' not in html and 'id="shelf-control"' not in html
    assert "<summary>Contains spoilers</summary>" in html
    assert "2 out of 5 stars" in html
    assert re.search(r'<span class="bar-fill bar-w-100"></span>', html)
    assert " style=" not in html and "<script>" not in html.split("</head>")[1]


def test_book_page_redirects_to_canonical_slug_and_404s(client, book):
    response = client.get(f"/books/{book.id}-wrong?sort=newest")
    assert response.status_code == 301
    assert response.headers["Location"] == f"/books/{book.id}-dune?sort=newest"
    assert client.get("/books/999-nothing").status_code == 404


def test_signed_in_reader_sees_form_then_own_review_first(client, book, reader, other_review):
    html = html_of(client.get(url(book)))
    assert 'id="review-form"' in html and "<legend>Your rating</legend>" in html
    assert html.count('class="star-radio"') == 10 and "3.5 stars" in html and ">1 star<" in html
    assert 'id="shelf-control"' in html
    assert 'aria-pressed="false"' in html  # may mark the other review helpful

    mine = make_review(reader, book, "4.5", title="Mine")
    html = html_of(client.get(url(book)))
    assert html.index(f'id="review-{mine.id}"') < html.index(f'id="review-{other_review.id}"')
    assert 'id="review-form"' not in html and "Edit<span" in html
    assert '<option value="read" selected>' in html  # rating shelved it as Read


def test_reviews_sort_and_show_more(client, app, users, book):
    made = [make_review(users(), book, "3", body=f"Review {n}") for n in range(23)]
    reviews.toggle_helpful(users(), made[0])
    html = html_of(client.get(url(book)))
    assert html.count('class="review"') == 20
    assert html.index(f'id="review-{made[0].id}"') < html.index(f'id="review-{made[22].id}"')
    more = re.search(r'<a class="button secondary" href="([^"]+)" hx-get="\1"', html).group(1)
    assert more.startswith(f"/books/{book.id}/reviews?after=") and "sort=helpful" in more

    page = client.get(more.replace("&amp;", "&"))
    assert page.status_code == 200 and "<html" in html_of(page)
    assert html_of(page).count('class="review"') == 3 and "Show more reviews" not in html_of(page)

    fragment = client.get(more.replace("&amp;", "&"), headers={"HX-Request": "true"})
    assert_fragment(fragment)
    assert html_of(fragment).count('class="review"') == 3

    newest = html_of(client.get(url(book) + "?sort=newest"))
    assert newest.index(f'id="review-{made[22].id}"') < newest.index(f'id="review-{made[5].id}"')
    assert 'aria-current="true">Newest<' in newest
    assert client.get(f"/books/{book.id}/reviews?after=junk&sort=odd").status_code == 200
    assert client.get("/books/999/reviews").status_code == 404


def test_book_page_runs_a_fixed_number_of_queries(client, auth, users, book, count_queries):
    reader = users("reader")
    make_review(reader, book, "4")
    make_review(users(), book, "3", body="first")
    path = url(book)

    def queries() -> int:
        with count_queries() as statements:
            assert client.get(path).status_code == 200
        return len(statements)

    # Visitors: the page's data versions (its ETag), the book with its authors and the lists
    # that include it (one statement, services/book_rows.for_page), a page of reviews.
    visitor = queries()
    auth.login("reader")
    signed_in = queries()
    for n in range(49):
        review = make_review(users(), book, "3", body=f"more {n}")
        if n % 2:
            reviews.toggle_helpful(reader, review)
        if n % 5 == 0:
            reports.report_review(reader, review, "spam")
    tags.set_for_book(reader, book, "favourites, Book club, re-read")
    assert queries() == signed_in
    auth.logout()
    client.get("/")  # shows the "signed out" flash: the next page is a plain visitor's
    assert queries() == visitor == 3
    # Signed in (no ETag, so no versions): the reader, the book with its authors, the lists
    # with the book and their own lists (one, book_rows.for_page), their review with a page
    # of the others' (one query, review_pages.own_and_page), their votes + reports + follows
    # + shelf + tags + unread notices (one, services/marks.py) and their reads of it; 14
    # before the one query of marks, 9 before the book came with its authors, 8 before the
    # lists, 7 before the reviews came in one and 6 before the lists came with the book.
    assert signed_in == 5


def test_signed_in_book_page_carries_no_report_forms(client, users, book, reader):
    made = [make_review(users(), book, "3", body=f"Review {n}") for n in range(3)]
    reports.report_review(reader, made[0], "spam")
    reviews.toggle_helpful(reader, made[1])
    html = html_of(client.get(url(book)))
    assert 'name="reason"' not in html and '<details id="report-' not in html
    for review in made[1:]:  # a link to the report page that htmx upgrades in place
        link = f"/reviews/{review.id}/report"
        assert (
            f'id="report-review-{review.id}" class="report-control" href="{link}" hx-get="{link}"'
            in html
        )
    assert f'id="report-review-{made[0].id}" class="report-control report-done"' in html
    helpful = re.search(rf'<div id="helpful-{made[1].id}".*?</div>', html, re.S).group(0)
    assert helpful.count("<button") == 1 and 'aria-pressed="true"' in helpful


# Saving a rating and review ------------------------------------------------------------


@BOTH
def test_save_review(web, client, book, reader, other_review, htmx):
    data = {"rating": "4", "title": "Great", "body": "**Yes.**", "spoiler": "y"}
    response = web.post(f"/books/{book.id}/review", data, htmx=htmx, page=url(book))
    review = reviews.find(reader, book)
    assert (review.rating, review.title, review.spoiler) == (8, "Great", True)
    if htmx:
        assert_fragment(response)
        html = html_of(response)
        assert html.startswith('<section id="my-review"') or 'id="my-review"' in html[:80]
        assert f'id="review-{review.id}"' in html and "<strong>Yes.</strong>" in html
        assert '<section id="book-stats"' in html and 'hx-swap-oob="true"' in html
        assert 'itemprop="ratingValue">3.0<' in html
        assert 'id="shelf-control"' in html and '<option value="read" selected>' in html
        assert "Your review was saved." in html  # out-of-band flash
    else:
        assert response.status_code == 303
        assert response.headers["Location"] == f"/books/{book.id}-dune#my-review"
        page = html_of(client.get(url(book)))
        assert "Your review was saved." in page and "3.0" in page


@BOTH
def test_posting_again_updates(web, book, reader, htmx):
    make_review(reader, book, "2", body="Hmm")
    response = web.post(
        f"/books/{book.id}/review", {"rating": "5", "body": "Grew on me"}, htmx=htmx
    )
    assert response.status_code == (200 if htmx else 303)
    assert db.session.query(Review).count() == 1
    db.session.refresh(book)
    assert (book.rating_count, book.average) == (1, 5.0)
    if htmx:
        assert "Your review was updated." in html_of(response)


def test_edit_form_says_update(client, book, reader):
    review = make_review(reader, book, "3.5", title="T", body="B")
    html = html_of(client.get(f"/reviews/{review.id}/edit"))
    assert "Update your review" in html
    assert re.search(r'value="3.5"\s+checked', html)
    assert 'value="T"' in html and re.search(r">\s*B</textarea>", html)
    assert "hx-post" not in html.split('id="review-form"')[1].split(">")[0]  # full page: plain


@BOTH
def test_neither_rating_nor_review_is_422_with_text_kept(web, book, reader, htmx):
    data = {"rating": "", "title": "My title", "body": "  ", "spoiler": "y"}
    response = web.post(f"/books/{book.id}/review", data, htmx=htmx)
    assert response.status_code == 422
    html = html_of(response)
    assert ("<html" in html) is not htmx
    assert "Write your review, or choose a star rating." in html  # beside the review box
    assert 'value="My title"' in html
    assert reviews.find(reader, book) is None
    response = web.post(f"/books/{book.id}/review", {"rating": "", "body": ""}, htmx=htmx)
    assert response.status_code == 422
    html = html_of(response)
    assert 'id="rating-error"' in html and "Choose a star rating, write a review, or both." in html
    assert 'aria-describedby="rating-error"' in html
    assert reviews.find(reader, book) is None


@BOTH
def test_bad_rating_is_422(web, book, reader, htmx):
    response = web.post(f"/books/{book.id}/review", {"rating": "7"}, htmx=htmx)
    assert response.status_code == 422 and "0.5 to 5 stars" in html_of(response)


@BOTH
def test_posting_needs_sign_in(web, book, htmx):
    response = web.post(f"/books/{book.id}/review", {"rating": "4"}, htmx=htmx, page=url(book))
    if htmx:
        assert response.headers["HX-Redirect"].startswith("/login?next=")
    else:
        assert response.status_code == 303 and "/login" in response.headers["Location"]
    assert db.session.query(Review).count() == 0


def test_posting_to_unknown_book_is_404(web, reader):
    assert web.post("/books/999/review", {"rating": "4"}).status_code == 404


# Showing, editing, deleting one's review ------------------------------------------------


@BOTH
def test_show_review(web, client, other_review, htmx):
    path = f"/reviews/{other_review.id}"
    response = web.htmx_get(path) if htmx else client.get(path)
    html = html_of(response)
    assert f'id="review-{other_review.id}"' in html and "Too slow" in html
    if htmx:
        assert_fragment(response)
    else:
        assert "<html" in html and "other’s review of" in html
    assert client.get("/reviews/999").status_code == 404


@BOTH
def test_edit_review(web, client, book, reader, htmx):
    review = make_review(reader, book, "3", body="Fine")
    path = f"/reviews/{review.id}/edit"
    response = web.htmx_get(path) if htmx else client.get(path)
    html = html_of(response)
    assert 'id="review-form"' in html and "Update your review" in html
    if htmx:
        assert_fragment(response)
        assert 'hx-target="#my-review"' in html
        assert f'hx-get="/reviews/{review.id}"' in html  # Cancel swaps the review back
    else:
        assert "<html" in html and "<h1>Edit your review" in html


def test_cannot_edit_or_delete_anothers_review(web, client, reader, other_review):
    rid = other_review.id
    assert client.get(f"/reviews/{rid}/edit").status_code == 403
    assert client.get(f"/reviews/{rid}/delete").status_code == 403
    assert web.post(f"/reviews/{rid}/delete").status_code == 403
    response = web.post(f"/reviews/{rid}/delete", htmx=True)
    assert response.status_code == 403 and response.headers["HX-Retarget"] == "#flash"
    assert exists(rid)
    for path in ("/reviews/999/edit", "/reviews/999/delete"):
        assert client.get(path).status_code == 404
    assert web.post("/reviews/999/delete").status_code == 404


def test_delete_confirmation_page(client, book, reader):
    review = make_review(reader, book, "3")
    html = html_of(client.get(f"/reviews/{review.id}/delete"))
    assert "Delete your review?" in html
    assert f'action="/reviews/{review.id}/delete"' in html and "Delete review</button>" in html


@BOTH
def test_delete_review(web, client, book, reader, other_review, htmx):
    review = make_review(reader, book, "5", body="Loved it")
    rid = review.id
    response = web.post(f"/reviews/{rid}/delete", htmx=htmx, page=url(book))
    assert not exists(rid)
    db.session.refresh(book)
    assert (book.rating_count, book.average) == (1, 2.0)
    if htmx:
        assert_fragment(response)
        html = html_of(response)
        assert 'id="my-review"' in html and 'id="review-form"' in html
        assert "Save review" in html
        assert 'id="book-stats"' in html and 'itemprop="ratingValue">2.0<' in html
        assert "Your review was deleted." in html
    else:
        assert response.status_code == 303
        assert "Your review was deleted." in html_of(client.get(url(book)))


def test_admin_may_delete_anothers_review(web, users, auth, book, other_review):
    users("boss", role="admin")
    auth.login("boss")
    rid = other_review.id
    author = other_review.user.username
    assert 'data-removed-focus="#reviews-heading"' in html_of(web.client.get(url(book)))
    response = web.post(f"/reviews/{rid}/delete", htmx=True)
    assert_fragment(response)
    html = html_of(response)
    # Nothing takes the review's place; the stats come out of band and the live region says it.
    assert 'id="book-stats"' in html and f'id="review-{rid}"' not in html
    assert f"{author}’s review was deleted." in html
    assert not exists(rid)


# Helpful votes ---------------------------------------------------------------------------


@BOTH
def test_helpful_toggle(web, client, book, reader, other_review, htmx):
    path = f"/reviews/{other_review.id}/helpful"
    response = web.post(path, htmx=htmx, page=url(book))
    db.session.refresh(other_review)
    assert other_review.helpful_count == 1
    if htmx:
        assert_fragment(response)
        html = html_of(response)
        assert f'id="helpful-{other_review.id}"' in html and 'aria-pressed="true"' in html
        assert "1 reader found this helpful" in html
    else:
        assert response.status_code == 303
        assert response.headers["Location"].endswith(f"#review-{other_review.id}")
        assert 'aria-pressed="true"' in html_of(client.get(url(book)))
    response = web.post(path, htmx=htmx)
    db.session.refresh(other_review)
    assert other_review.helpful_count == 0
    if htmx:
        assert 'aria-pressed="false"' in html_of(response)


def test_helpful_on_own_review_is_403_and_not_offered(web, client, book, reader):
    review = make_review(reader, book, "4")
    assert "helpful-button" not in html_of(client.get(url(book)))
    assert web.post(f"/reviews/{review.id}/helpful").status_code == 403
    assert web.post(f"/reviews/{review.id}/helpful", htmx=True).status_code == 403
    assert web.post("/reviews/999/helpful").status_code == 404


@BOTH
def test_helpful_on_a_hidden_review_is_not_found(web, users, book, reader, other_review, htmx):
    """A hidden review is not there for a reader (review_or_404): no vote is counted on it."""
    moderation.hide(users("mod", role="moderator"), other_review, "Checking")
    response = web.post(f"/reviews/{other_review.id}/helpful", htmx=htmx)
    assert response.status_code == 404
    db.session.refresh(other_review)
    assert other_review.helpful_count == 0


def test_helpful_needs_sign_in(web, other_review):
    response = web.post(f"/reviews/{other_review.id}/helpful")
    assert response.status_code == 303 and "/login" in response.headers["Location"]


# Shelves ---------------------------------------------------------------------------------


@BOTH
def test_shelf(web, client, book, reader, htmx):
    response = web.post(f"/books/{book.id}/shelf", {"status": "reading"}, htmx=htmx)
    assert shelves.status_of(reader, book) == "reading"
    if htmx:
        assert_fragment(response)
        html = html_of(response)
        assert html.lstrip().startswith('<div id="shelf-control"')
        assert '<option value="reading" selected>' in html and "Shelved as Reading." in html
    else:
        assert response.status_code == 303
        assert response.headers["Location"] == f"/books/{book.id}-dune#shelf-control"
    web.post(f"/books/{book.id}/shelf", {"status": ""}, htmx=htmx)
    assert shelves.status_of(reader, book) is None


@BOTH
def test_shelf_errors(web, book, reader, htmx):
    response = web.post(f"/books/{book.id}/shelf", {"status": "eaten"}, htmx=htmx)
    assert response.status_code == 422
    html = html_of(response)
    assert 'id="shelf-status-error"' in html and ("<html" in html) is not htmx
    assert web.post("/books/999/shelf", {"status": "read"}).status_code == 404


def test_posting_is_rate_limited_per_reader(make_app, users):
    from tests.conftest import Browserless

    app = make_app(POST_LIMIT_PER_USER="2 per minute")
    with app.app_context():
        users("reader")
        book = make_book("Rate Limited")
        book_id = book.id
    web = Browserless(app.test_client())
    web.post("/login", {"login": "reader", "password": "correct horse battery"})
    for stars in ("3", "4"):
        assert web.post(f"/books/{book_id}/review", {"rating": stars}).status_code == 303
    blocked = web.post(f"/books/{book_id}/review", {"rating": "5"}, htmx=True)
    assert blocked.status_code == 429
    assert blocked.headers["HX-Retarget"] == "#flash"


@pytest.mark.parametrize("sort", ["helpful", "newest"])
def test_own_and_page_is_own_and_for_book_in_one_statement(app, users, book, sort):
    """review_pages.own_and_page: the reader's review, hidden or not, and the others' first
    page with its cursor, as the two separate reads give them."""
    from webapp.services import review_pages

    reader, mod = users("reader"), users("mod", role="moderator")
    others = [make_review(users(), book, "3", body=f"Other {n}") for n in range(22)]
    for review in others[:5]:
        reviews.toggle_helpful(reader, review)
    for who in (reader, mod):
        assert review_pages.own_and_page(book, who, sort=sort) == (
            review_pages.own(book, who),
            *review_pages.for_book(book, sort=sort, exclude_user=who, viewer=who),
        )
    mine = make_review(reader, book, "4", body="Mine")
    moderation.hide(mod, mine, "Off topic")
    got = review_pages.own_and_page(book, reader, sort=sort)
    assert got[0].id == mine.id and got[0].is_hidden and mine.id not in {r.id for r in got[1]}
    assert got == (
        review_pages.own(book, reader),
        *review_pages.for_book(book, sort=sort, exclude_user=reader, viewer=reader),
    )
    assert len(got[1]) == review_pages.REVIEWS_PER_PAGE and got[2]
