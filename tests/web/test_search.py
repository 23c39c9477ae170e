"""Search that forgives (webapp/search.py): other titles, typos, exact ISBNs, best match first."""

from __future__ import annotations

import pytest

from tests.factories import make_book
from tests.web.test_catalog import get, titles
from webapp import search
from webapp.extensions import db


@pytest.fixture
def shelf(app):
    """Books whose titles, other titles and authors the cases below aim at."""
    return {
        "orwell": make_book(
            "Nineteen Eighty-Four", ["George Orwell"], isbn="9780451524935", other_titles=["1984"]
        ),
        "hobbit": make_book("The Hobbit", ["J.R.R. Tolkien"], isbn="9780547928227"),
        "fellowship": make_book("The Fellowship of the Ring", ["J.R.R. Tolkien"]),
        "ringo": make_book("A Drummer Life", ["Ringo Starr"]),
        "tolstoy": make_book("War and Peace", ["Leo Tolstoy"]),
        "dune": make_book("Dune", ["Frank Herbert"]),
        "june": make_book("June", ["Someone Else"]),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("1984", ["Nineteen Eighty-Four"]),  # another title it is known by
        ("nineteen eighty", ["Nineteen Eighty-Four"]),
        ("tolkein", ["The Fellowship of the Ring", "The Hobbit"]),  # a typo in the author
        ("hobit", ["The Hobbit"]),  # a typo in the title
        ("fellowshp ring", ["The Fellowship of the Ring"]),  # every word, one misspelt
        ("orwel", ["Nineteen Eighty-Four"]),  # a prefix is still a word match
        ("9780451524935", ["Nineteen Eighty-Four"]),  # a full ISBN finds the one book
        ("0-451-52493-4", ["Nineteen Eighty-Four"]),  # as ISBN-10 too
        ("9780", []),  # part of a number is not a search term: no prefix of every ISBN
        ("dune", ["Dune"]),  # a word match does not drag in near spellings ("June")
    ],
)
def test_search_forgives(client, shelf, query, expected):
    _, html = get(client, f"/books?q={query}")
    assert sorted(titles(html)) == sorted(expected)


def test_title_matches_rank_before_author_matches(client, shelf):
    _, html = get(client, "/books?q=ring")
    assert titles(html) == ["The Fellowship of the Ring", "A Drummer Life"]


def test_near_misses_only_when_no_word_matches(client, shelf):
    """Typing "tolki" on the way to "tolkien" lists Tolkien's books, not Tolstoy's beside them."""
    _, html = get(client, "/books?q=tolki")
    assert sorted(titles(html)) == ["The Fellowship of the Ring", "The Hobbit"]
    make_book("Tolkein Was Here", ["A Fan"])  # spelled as typed: a word match wins alone
    _, html = get(client, "/books?q=tolkein")
    assert titles(html) == ["Tolkein Was Here"]


def test_near_misses_rank_the_closest_first(client, shelf):
    make_book("The Hobbyist", ["Model Maker"])
    _, html = get(client, "/books?q=hobbbit")
    assert titles(html)[0] == "The Hobbit"


def test_an_edited_other_title_is_searchable_at_once(web, auth, client, world):
    book = make_book("Der Process", ["Franz Kafka"], isbn=None)
    auth.login("mod")
    response = web.post(
        f"/moderation/books/{book.id}/edit",
        {"title": "Der Process", "other_titles": "The Trial\nLe Procès", "authors": "Franz Kafka"},
    )
    assert response.status_code == 303
    assert db.session.get(type(book), book.id).other_titles == "The Trial\nLe Procès"
    for query in ("trial", "proces", "kafak trial"):
        assert titles(get(client, f"/books?q={query}")[1]) == ["Der Process"], query


def test_adding_a_book_takes_other_titles_and_drops_the_title_itself(web, auth, client, users):
    users("reader")
    auth.login()
    response = web.post(
        "/books/new",
        {"title": "Solaris", "other_titles": "Solaris\nSolyaris", "authors": "Stanisław Lem"},
    )
    assert response.status_code == 303
    assert titles(get(client, "/books?q=solyaris")[1]) == ["Solaris"]
    _, html = get(client, response.headers["Location"])
    assert "Also known as" in html and "Solyaris" in html


def test_word_similarity_matches_pg_trgm_on_the_cases_that_decide():
    """The SQLite scoring stands in for pg_trgm's word_similarity; these are the borders."""
    assert search.word_similarity("tolkein", "tolkien") == pytest.approx(0.5)
    assert search.word_similarity("dune", "june") < search.MIN_SIMILARITY
    assert search.word_similarity("tolstoy", "tolkein") < search.MIN_SIMILARITY


@pytest.fixture
def common(app, monkeypatch):
    """Titles full of common words, with the ranking bound made small enough to pass."""
    monkeypatch.setattr(search, "RANK_LIMIT", 4)
    for title in ("The Hobbit", "It", "Italy by Train"):
        make_book(title, ["Old Writer"])
    for title in (
        "The Long Title 1 of the Series",
        "The Long Title 2 of the Series",
        "The Then There",  # the closest match to "the", but not the newest
        "The Long Title 3 of the Series",
        "The Long Title 4 of the Series",
    ):
        make_book(title, ["New Writer"])


def test_a_query_of_common_words_ranks_only_the_newest_matches(client, common, count_queries):
    """Past RANK_LIMIT matches only the newest are ranked (then the rest, newest first), so a
    query such as "the" costs the same at 100k books as at 100: bench/search.py."""
    with count_queries() as queries:
        _, html = get(client, "/books?q=the")
    assert 'id="result-count"' in html and "6 books for" in html  # the count stays exact
    # The newest four, ranked (ties: the newer first), then the others, newest first.
    assert titles(html) == [
        "The Then There",
        "The Long Title 4 of the Series",
        "The Long Title 3 of the Series",
        "The Long Title 2 of the Series",
        "The Long Title 1 of the Series",
        "The Hobbit",
    ]
    with count_queries() as plain:
        get(client, "/books?q=hobbit")
    # A page across the bound: the ranked part, then the rest (and the rest's authors).
    assert len(queries) == len(plain) + 2


def test_a_common_word_still_finds_its_book(client, common):
    """Words of one or two letters match whole words ("it" is not "Italy"), and a query with
    a rarer word beside a common one ranks as before."""
    _, html = get(client, "/books?q=it")
    assert titles(html) == ["It"]
    _, html = get(client, "/books?q=the%20hobbit")
    assert titles(html)[0] == "The Hobbit"
    _, html = get(client, "/books?q=ital")
    assert titles(html) == ["Italy by Train"]
