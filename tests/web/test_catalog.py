"""The catalogue: browse, live search, sorts, pagination, adding books, authors, home, profiles."""

from __future__ import annotations

import re

import pytest
from flask import render_template_string
from markupsafe import Markup
from sqlalchemy import select

from tests.factories import make_book, make_review
from webapp.extensions import db
from webapp.models import Book
from webapp.services import book_rows, catalog, shelves

PW = "correct horse battery"
HTMX = {"HX-Request": "true"}


def titles(html: str) -> list[str]:
    """Book titles in the order the result cards show them."""
    return re.findall(r'class="book-card-title"><a href="[^"]+">([^<]+)</a>', html)


def get(client, url: str, htmx: bool = False):
    response = client.get(url, headers=HTMX if htmx else {})
    return response, response.get_data(as_text=True)


@pytest.fixture
def library(app):
    """A small catalogue with authors shared between books."""
    return {
        "hobbit": make_book(
            "The Hobbit", ["J.R.R. Tolkien"], subtitle="There and Back Again", isbn="9780547928227"
        ),
        "fellowship": make_book(
            "The Fellowship of the Ring", ["J.R.R. Tolkien"], isbn="978-0-547-92821-0"
        ),
        "omens": make_book("Good Omens", ["Terry Pratchett", "Neil Gaiman"], isbn="0060853980"),
        "dune": make_book("Dune", ["Frank Herbert"], isbn=None),
    }


# --- /books: browse and search ---------------------------------------------------------------


def test_books_page_is_a_get_form_that_htmx_upgrades(client, library):
    response, html = get(client, "/books")
    assert response.status_code == 200 and "<html" in html
    assert "HX-Request" in response.headers["Vary"]
    assert '<form class="search-form" role="search" method="get" action="/books"' in html
    assert '<label for="q">Search books</label>' in html
    assert 'type="search" id="q" name="q"' in html
    search_input = re.search(r"<input type=\"search\" id=\"q\"[^>]+>", html).group(0)
    for attr in (
        'hx-get="/books"',
        'hx-trigger="input changed delay:300ms, search"',
        'hx-target="#results"',
        'hx-replace-url="true"',  # typing replaces the history entry: one Back leaves the search
    ):
        assert attr in search_input
    assert "data-drop-empty" in html  # site.js drops empty parameters (no "&sort=")
    assert 'hx-disinherit="hx-push-url"' in html and "hx-push-url" not in search_input
    assert '<select id="sort" name="sort"' in html and 'type="submit"' in html
    assert 'id="results"' in html
    assert re.search(r'id="result-count"[^>]*role="status"[^>]*aria-live="polite"', html)
    assert "4 books" in html
    assert "<title>Books · Colophon</title>" in html
    assert '<meta name="description" content="Browse the Colophon catalogue' in html
    assert " style=" not in html


def test_live_search_returns_only_the_results_fragment(client, library):
    response, html = get(client, "/books?q=hobb", htmx=True)
    assert response.status_code == 200
    assert "<html" not in html and "<form" not in html
    assert html.count('id="results"') == 1
    assert titles(html) == ["The Hobbit"]
    # The live count line and the sort options are updated out of band.
    assert '<p id="result-count" hx-swap-oob="innerHTML">1 book for “hobb”</p>' in html
    assert '<option value="" selected>Best match</option>' in html
    assert "HX-Request" in response.headers["Vary"]


def test_history_restore_gets_the_full_page(client, library):
    response = client.get("/books?q=hobb", headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert "<html" in response.get_data(as_text=True)


def test_card_shows_cover_title_authors_and_rating(app, client, users, library):
    omens = library["omens"]
    make_review(users("ann"), omens, stars=4)
    make_review(users("bob"), omens, stars="4.5")
    _, html = get(client, "/books?q=omens")
    assert f'src="/books/{omens.id}/cover.svg"' in html
    assert f'href="/books/{omens.id}-good-omens">Good Omens</a>' in html
    for author in omens.authors:
        assert f'href="/authors/{author.id}-{author.slug}">{author.name}</a>' in html
    assert "4.2" in html and "2 ratings" in html  # (4 + 4.5) / 2 = 4.25 → one decimal

    # An old cover link is never shown: the page points at this site only (issue 15).
    covered = make_book("Covered", ["Cover Artist"], cover_url="https://example.com/c.jpg")
    _, html = get(client, "/books?q=covered")
    assert "example.com" not in html and f'src="/books/{covered.id}/cover.svg"' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hob", ["The Hobbit"]),  # a word prefix
        ("fellow ring", ["The Fellowship of the Ring"]),  # every word must match
        ("THERE and back", ["The Hobbit"]),  # the subtitle, any case
        ("gaiman", ["Good Omens"]),  # the second author
        ("pratch", ["Good Omens"]),
        ("978-0-547-92822-7", ["The Hobbit"]),  # ISBN-13 with hyphens
        ("9780547928210", ["The Fellowship of the Ring"]),  # ISBN-13 plain
        ("0-06-085398-0", ["Good Omens"]),  # ISBN-10 with hyphens
        ("0 06 085398 0", ["Good Omens"]),  # ISBN-10 with spaces
    ],
)
def test_search(client, library, query, expected):
    _, html = get(client, f"/books?q={query}")
    assert titles(html) == expected


def test_search_by_author_finds_all_their_books(client, library):
    _, html = get(client, "/books?q=tolkien")
    assert sorted(titles(html)) == ["The Fellowship of the Ring", "The Hobbit"]


def test_search_without_matches_says_so(client, auth, users, library):
    _, html = get(client, "/books?q=zzyzx")
    assert titles(html) == []
    assert "No books match “zzyzx”" in html and "No books found for “zzyzx”" in html
    assert 'href="/books/new"' not in html.split('id="results"')[1]
    users("reader")
    auth.login()
    _, html = get(client, "/books?q=zzyzx", htmx=True)
    assert "No books match" in html and 'href="/books/new"' in html


def test_punctuation_only_query_is_harmless(client, library):
    response, html = get(client, "/books?q=%22%2A%28")
    assert response.status_code == 200 and titles(html) == []


def test_newest_first_by_default(client, library):
    _, html = get(client, "/books")
    assert titles(html) == ["Dune", "Good Omens", "The Fellowship of the Ring", "The Hobbit"]


def test_top_rated_uses_the_bayesian_score(client, users, library):
    """One 5-star rating ranks below many ratings averaging 4.6."""
    make_review(users("lone"), library["dune"], stars=5)
    crowd = [users(f"fan{n}") for n in range(10)]
    for n, reader in enumerate(crowd):  # 6 × 5 + 4 × 4 = 46 / 10 = 4.6
        make_review(reader, library["hobbit"], stars=5 if n < 6 else 4)
    make_review(crowd[0], library["omens"], stars=3)
    db.session.refresh(library["hobbit"])
    assert library["hobbit"].average == pytest.approx(4.6)

    _, html = get(client, "/books?sort=top")
    assert titles(html)[:3] == ["The Hobbit", "Dune", "The Fellowship of the Ring"]
    assert titles(html)[-1] == "Good Omens"  # 3 stars sits below the unrated prior of 3.5
    assert '<option value="top" selected>Top rated</option>' in html


def test_most_reviewed_counts_written_reviews(client, users, library):
    readers = [users(f"r{n}") for n in range(3)]
    for reader in readers:
        make_review(reader, library["omens"], stars=4, body="Funny and kind.")
    make_review(readers[0], library["dune"], stars=5, title="Spice")
    for reader in readers[1:]:  # ratings without words are not reviews
        make_review(reader, library["hobbit"], stars=4)
    _, html = get(client, "/books?sort=reviews")
    assert titles(html)[:2] == ["Good Omens", "Dune"]


def test_search_sorts_by_relevance_unless_asked(client, library):
    _, html = get(client, "/books?q=tolkien")
    assert '<option value="" selected>Best match</option>' in html
    _, html = get(client, "/books?q=tolkien&sort=newest")
    assert titles(html) == ["The Fellowship of the Ring", "The Hobbit"]
    assert '<option value="newest" selected>Newest</option>' in html


def test_unknown_sort_and_page_fall_back(client, library):
    response, html = get(client, "/books?sort=bogus&page=abc")
    assert response.status_code == 200 and len(titles(html)) == 4


def test_pagination_keeps_query_and_sort(app, client):
    for n in range(catalog.PER_PAGE + 3):
        make_book(f"Volume {n:02d}", ["Serial Writer"])
    make_book("Unrelated", ["Someone Else"])
    _, html = get(client, "/books?q=volume&sort=top")
    assert len(titles(html)) == catalog.PER_PAGE
    assert f"{catalog.PER_PAGE + 3} books for “volume”, page 1 of 2" in html
    assert 'href="/books?q=volume&amp;sort=top&amp;page=2"' in html and 'rel="prev"' not in html

    response, html = get(client, "/books?q=volume&sort=top&page=2", htmx=True)
    assert len(titles(html)) == 3 and "Unrelated" not in html
    assert 'href="/books?q=volume&amp;sort=top&amp;page=1"' in html
    _, html = get(client, "/books?page=9")
    assert titles(html) == [] and "There are no more books" in html


def test_books_page_query_count_does_not_grow_with_books(app, client, users, count_queries):
    reader = users("counter")

    def statements_for_page() -> int:
        with count_queries() as statements:
            assert client.get("/books").status_code == 200
        return len(statements)

    for n in range(5):
        book = make_book(f"Early {n}", [f"Author {n}", "Shared Coauthor"])
        make_review(reader, book, stars=4, body="Fine.")
    small = statements_for_page()
    for n in range(15):
        make_review(reader, make_book(f"Later {n}", [f"Writer {n}"]), stars=3)
    assert statements_for_page() == small
    with count_queries() as statements:
        client.get("/")
    home = len(statements)
    make_review(users("another"), make_book("One more", ["New Author"]), stars=5, body="Yes.")
    with count_queries() as statements:
        client.get("/")
    assert len(statements) == home


# --- /books/new ------------------------------------------------------------------------------

GOOD = {
    "title": "The Dispossessed",
    "subtitle": "An Ambiguous Utopia",
    "authors": "Ursula K. Le Guin\n",
    "isbn": "978-0-06-051275-0",
    "publisher": "Harper Voyager",
    "year": "1974",
    "pages": "387",
    "language": "English",
    "description": "Shevek, a *physicist*, crosses the wall.<script>alert(1)</script>",
}


def test_add_book_needs_login(client, web):
    response = client.get("/books/new")
    assert response.status_code == 303 and "/login?next=/books/new" in response.headers["Location"]
    response = web.post("/books/new", GOOD, htmx=True, page="/books/new")
    assert response.status_code == 401 and response.headers["HX-Redirect"].startswith("/login")
    assert db.session.scalar(select(Book)) is None


def test_add_book_form(client, reader):
    response, html = get(client, "/books/new")
    assert response.status_code == 200
    assert "<title>Add a book · Colophon</title>" in html and '<meta name="description"' in html
    for name in ("title", "subtitle", "authors", "isbn", "publisher", "year", "pages"):
        assert f'name="{name}"' in html
    for name in ("language", "description"):
        assert f'name="{name}"' in html
    assert 'name="cover_url"' not in html  # covers are uploaded, never linked (issue 15)
    assert re.search(r'<textarea aria-describedby="authors-hint" id="authors"[^>]*rows="3"', html)
    assert 'hx-post="/books/new"' in html and 'action="/books/new"' in html
    assert "confirm_similar" not in html


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_add_book(web, reader, htmx):
    response = web.post("/books/new", GOOD, htmx=htmx, page="/books/new")
    book = db.session.scalar(select(Book).where(Book.title == "The Dispossessed"))
    assert book is not None
    url = f"/books/{book.id}-the-dispossessed"
    if htmx:
        assert response.status_code == 204 and response.headers["HX-Redirect"] == url
    else:
        assert response.status_code == 303 and response.headers["Location"] == url
    assert book.isbn13 == "9780060512750" and book.year == 1974 and book.pages == 387
    assert [a.name for a in book.authors] == ["Ursula K. Le Guin"]
    assert book.added_by_id == reader.id
    html = web.client.get("/books/new").get_data(as_text=True)
    assert "The Dispossessed is now in the catalogue" in html
    # Searchable at once, by the new author.
    html = web.client.get("/books?q=le+guin").get_data(as_text=True)
    assert titles(html) == ["The Dispossessed"]


def test_add_book_several_authors_in_order(web, reader):
    data = {**GOOD, "title": "Good Omens", "isbn": "", "authors": "Terry Pratchett\n\nNeil Gaiman"}
    assert web.post("/books/new", data).status_code == 303
    book = db.session.scalar(select(Book).where(Book.title == "Good Omens"))
    assert [a.name for a in book.authors] == ["Terry Pratchett", "Neil Gaiman"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "  "}, "title", "Give the book&#39;s title."),
        ({"authors": "\n"}, "authors", "Name at least one author."),
        ({"authors": "A" * 201}, "authors", "under 200 characters"),
        ({"isbn": "978-0-06-051275-4"}, "isbn", "wrong check digit"),
        ({"isbn": "12345"}, "isbn", "10 or 13 digits"),
        ({"year": "nineteen"}, "year", "Not a valid integer value"),
        ({"pages": "0"}, "pages", "from 1 to 100,000"),
    ],
)
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_add_book_invalid(web, reader, changes, field, message, htmx):
    data = {**GOOD, **changes}
    response = web.post("/books/new", data, htmx=htmx, page="/books/new")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert ("<html" in html) is not htmx
    error = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', html)
    assert error and message in error.group(1)
    assert 'aria-invalid="true"' in html
    assert "Harper Voyager" in html and "Shevek, a *physicist*" in html  # text kept
    assert db.session.scalar(select(Book)) is None


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_duplicate_isbn_redirects_to_the_existing_book(web, reader, htmx):
    existing = make_book("The Dispossessed", ["Ursula K. Le Guin"], isbn="006051275X")
    data = {**GOOD, "title": "Dispossessed (another edition?)"}
    response = web.post("/books/new", data, htmx=htmx, page="/books/new")
    url = f"/books/{existing.id}-the-dispossessed"
    if htmx:
        assert response.status_code == 204 and response.headers["HX-Redirect"] == url
    else:
        assert response.status_code == 303 and response.headers["Location"] == url
    assert len(db.session.scalars(select(Book)).all()) == 1
    html = web.client.get("/books/new").get_data(as_text=True)
    assert "The Dispossessed is already in the catalogue." in html


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_likely_duplicate_needs_confirmation(web, reader, htmx):
    existing = make_book("The Dispossessed", ["Ursula K. Le Guin"], isbn=None, year=1974)
    data = {**GOOD, "title": "the dispossessed", "isbn": ""}
    response = web.post("/books/new", data, htmx=htmx, page="/books/new")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert ("<html" in html) is not htmx
    assert "may already be in the catalogue" in html
    assert f'href="/books/{existing.id}-the-dispossessed"' in html
    assert 'name="confirm_similar"' in html
    assert "This is a different book — add it anyway" in html
    assert 'value="the dispossessed"' in html
    assert len(db.session.scalars(select(Book)).all()) == 1

    response = web.post(
        "/books/new", {**data, "confirm_similar": "y"}, htmx=htmx, page="/books/new"
    )
    assert response.status_code == (204 if htmx else 303)
    assert len(db.session.scalars(select(Book)).all()) == 2


def test_add_book_needs_csrf(client, reader):
    assert client.post("/books/new", data=GOOD).status_code == 400
    assert db.session.scalar(select(Book)) is None


def test_markdown_filter_is_sanitised_and_safe(app):
    html = render_template_string(
        "{{ text|markdown }}", text="*Hi* <script>alert(1)</script> [x](javascript:alert(1))"
    )
    assert "<em>Hi</em>" in html and "<script>" not in html and 'href="javascript' not in html
    assert isinstance(app.jinja_env.filters["markdown"]("**b**"), Markup)
    assert render_template_string("{{ none|markdown }}", none=None) == ""


# --- authors ---------------------------------------------------------------------------------


def test_author_page(client, library):
    tolkien = library["hobbit"].authors[0]
    response, html = get(client, f"/authors/{tolkien.id}-{tolkien.slug}")
    assert response.status_code == 200
    assert "<h1>J.R.R. Tolkien</h1>" in html and "2 books in the catalogue" in html
    assert sorted(titles(html)) == ["The Fellowship of the Ring", "The Hobbit"]
    assert "<title>J.R.R. Tolkien · Colophon</title>" in html
    assert '<meta name="description" content="Books by J.R.R. Tolkien' in html


@pytest.mark.parametrize("suffix", ["", "-wrong-slug"])
def test_author_page_redirects_to_the_canonical_slug(client, library, suffix):
    gaiman = library["omens"].authors[1]
    response = client.get(f"/authors/{gaiman.id}{suffix}")
    assert response.status_code == 301
    assert response.headers["Location"] == f"/authors/{gaiman.id}-neil-gaiman"


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_unknown_author_is_404(client, htmx):
    response, html = get(client, "/authors/999-nobody", htmx=htmx)
    assert response.status_code == 404 and ("<html" in html) is not htmx


# --- home ------------------------------------------------------------------------------------


def test_home_lists_reviewed_books_recent_reviews_and_top_rated(client, users, library):
    ann, bob = users("ann"), users("bob")
    make_review(ann, library["hobbit"], stars=5, title="Second breakfast", body="A *warm* read.")
    make_review(
        bob,
        library["dune"],
        stars=2,
        title="Sandworms",
        body="The Baron dies at the end.",
        spoiler=True,
    )
    make_review(bob, library["omens"], stars=4)  # a rating without words: not a "review"
    response, html = get(client, "/")
    assert response.status_code == 200
    assert "<title>Home · Colophon</title>" in html and '<meta name="description"' in html
    recently, reviews_part, top = (
        html.split('id="recently-reviewed-heading"')[1].split('id="recent-reviews-heading"')[0],
        html.split('id="recent-reviews-heading"')[1].split('id="top-rated-heading"')[0],
        html.split('id="top-rated-heading"')[1],
    )
    assert titles(recently) == ["Good Omens", "Dune", "The Hobbit"]
    assert 'href="/u/ann">ann</a>' in reviews_part and "Second breakfast" in reviews_part
    assert "A warm read." in reviews_part and "5" in reviews_part
    assert "Sandworms" in reviews_part and "contains spoilers" in reviews_part
    assert "The Baron dies" not in html
    assert titles(top) == ["The Hobbit", "Good Omens", "Dune"]
    assert "Join Colophon" in html and " style=" not in html


def test_home_when_empty_and_signed_in(client, reader):
    """Signed in, home is the reader's feed (issue 14): here empty, with suggestions."""
    html = client.get("/").get_data(as_text=True)
    assert "Join Colophon" not in html
    assert "Your feed is empty" in html and "No one yet." in html


# --- profiles --------------------------------------------------------------------------------


def test_profile(client, users, library):
    ann = users("Ann_Reads")
    make_review(ann, library["hobbit"], stars=5, title="Lovely", body="Cosy.")
    make_review(ann, library["fellowship"], stars="4.5")
    make_review(ann, library["omens"], stars=1, body="Secret twist.", spoiler=True)
    shelves.set_status(ann, library["dune"], "want_to_read")
    response, html = get(client, "/u/ann_reads")
    assert response.status_code == 200
    assert "<h1>Ann_Reads</h1>" in html and "<title>Ann_Reads · Colophon</title>" in html
    assert '<meta name="description" content="Ann_Reads on Colophon: 3 ratings' in html
    assert "3 ratings, averaging 3.5 stars." in html
    histogram = re.findall(
        r'<th scope="row">(\d) stars?</th>\s*<td><span class="bar" aria-hidden="true">'
        r'<span class="bar-fill bar-w-(\d+)"></span></span>\s*'
        r'<span class="visually-hidden">(\d+)%</span></td>\s*'
        r'<td class="histogram-count">(\d+)</td>',
        html,
    )
    assert histogram == [
        ("5", "65", "67", "2"),  # bar and text: each row's share of all, as on the book page
        ("4", "0", "0", "0"),
        ("3", "0", "0", "0"),
        ("2", "0", "0", "0"),
        ("1", "35", "33", "1"),
    ]
    shelves_part = html.split('id="shelves-heading"')[1].split('id="profile-reviews"')[0]
    assert "<h3>Read</h3>" in shelves_part and "<h3>Want to read</h3>" in shelves_part
    assert "Dune" in shelves_part and "Reading</h3>" not in shelves_part
    reviews_part = html.split('id="profile-reviews"')[1]
    assert titles(reviews_part) == []  # excerpts link books without card headings
    order = [reviews_part.index(t) for t in ("Good Omens", "The Fellowship", "The Hobbit")]
    assert order == sorted(order)  # newest first
    assert "Lovely" in reviews_part and "Cosy." in reviews_part
    assert "Secret twist" not in html and "contains spoilers" in reviews_part
    assert " style=" not in html
    assert 'href="/account"' not in html.split("<main")[1]


def test_own_profile_links_to_account(client, reader):
    html = client.get("/u/reader").get_data(as_text=True)
    assert "Account settings" in html and "has not rated any books yet" in html
    assert "No ratings yet." in html


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_unknown_profile_is_404(client, htmx):
    response, html = get(client, "/u/nobody", htmx=htmx)
    assert response.status_code == 404 and ("<html" in html) is not htmx


def test_profile_reviews_are_paginated(client, users):
    ann = users("ann")
    for n in range(12):
        make_review(ann, make_book(f"Book {n:02d}", ["Prolific"]), stars=3, title=f"Take {n:02d}")
    _, html = get(client, "/u/ann")
    assert html.count('class="review-excerpt"') == 10
    assert "Take 11" in html and "Take 01" not in html
    assert 'rel="next" href="/u/ann?page=2" hx-get="/u/ann?page=2"' in html

    response, html = get(client, "/u/ann?page=2", htmx=True)
    assert "<html" not in html and html.lstrip().startswith('<section id="profile-reviews"')
    assert html.count('class="review-excerpt"') == 2 and "Take 01" in html
    assert 'rel="prev" href="/u/ann?page=1"' in html


# --- navigation ------------------------------------------------------------------------------


def test_nav_links(client, users, auth):
    html = client.get("/").get_data(as_text=True)
    nav = html.split('<nav aria-label="Main"')[1].split("</nav>")[0]
    assert 'href="/books">Books</a>' in nav and "Add a book" not in nav
    users("Reader")
    auth.login("reader")
    nav = client.get("/").get_data(as_text=True).split('<nav aria-label="Main"')[1]
    nav = nav.split("</nav>")[0]
    assert 'href="/books/new">Add a book</a>' in nav
    assert 'href="/u/Reader">Reader</a>' in nav and 'href="/account">Account</a>' in nav


def test_a_book_comes_with_its_authors_in_order_from_one_statement(app, count_queries):
    book = make_book("Good Omens", authors=("Terry Pratchett", "Neil Gaiman"))
    alone = make_book("Orphan")
    alone.book_authors.clear()
    db.session.commit()
    ids = book.id, alone.id
    db.session.expunge_all()
    with count_queries() as statements:
        loaded = book_rows.for_page(ids[0], None).book
        assert loaded.author_names == "Terry Pratchett and Neil Gaiman"
        assert book_rows.for_page(ids[1], None).book.authors == []
        assert book_rows.for_page(sum(ids) + 1, None) is None
    assert len(statements) == 3
