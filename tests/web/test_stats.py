"""Stats, the year in books, goals and reading privacy through the web."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import insert

from tests.factories import make_book, make_review
from webapp.extensions import db
from webapp.models import Read, ShelfEntry
from webapp.services import goals, reads, shelves, tags
from webapp.services.reads import ReadData


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def shelf_of_2024(users):
    """A reader with three books finished in 2024 and one in 2023."""
    reader = users("reader")
    long_book = make_book("The Long One", authors=("Ann Author",), pages=900)
    short_book = make_book("Short Stories", authors=("Bo Writer",), pages=120)
    reads.add(reader, long_book, ReadData("finished", date(2024, 1, 2), date(2024, 1, 31), "ebook"))
    reads.add(reader, short_book, ReadData("finished", None, date(2024, 3, 5), "paperback"))
    reads.add(reader, short_book, ReadData("finished", None, date(2024, 3, 9), "paperback"))
    reads.add(reader, short_book, ReadData("finished", None, date(2023, 7, 1)))
    make_review(reader, long_book, "5")
    return reader


def test_stats_page_charts_and_tables_agree(client, shelf_of_2024):
    response = client.get("/u/reader/stats?year=2024")
    assert response.status_code == 200
    html = text(response)
    assert "<h1>reader's reading in 2024</h1>" in html
    # Headline numbers.
    assert "<dt>Books finished</dt><dd>3</dd>" in html
    assert "<dt>Pages read</dt><dd>1,140</dd>" in html
    assert "30.0 days per book" in html and "The Long One</a>, 900 pages" in html
    # Each chart: a visible caption, an SVG without script or style, the numbers as a table.
    figures = re.findall(r"<figure.*?</figure>", html, re.S)
    assert len(figures) == 6
    for figure in figures:
        assert "<figcaption" in figure and "<table" in figure and 'scope="row"' in figure
        assert "style=" not in figure and "<script" not in figure
    books = figures[0]
    assert "Books finished each month of 2024" in books
    assert '<th scope="row">Jan</th><td class="num">1</td>' in books
    assert '<th scope="row">Mar</th><td class="num">2</td>' in books
    assert books.count("<rect") == 3 - 0 + 9  # a bar per month (empty months are 0 tall)
    assert '<th scope="row">5 stars</th><td class="num">1</td>' in figures[2]
    assert '<th scope="row">Bo Writer</th><td class="num">2</td>' in figures[3]
    assert '<th scope="row">Paperback</th><td class="num">2</td>' in figures[4]
    assert '<th scope="row">2023</th><td class="num">1</td>' in figures[5]
    assert '<option value="2023">' in html  # the year picker offers the years with reads


def test_stats_for_an_empty_year_and_odd_years(client, shelf_of_2024):
    html = text(client.get("/u/reader/stats?year=2001"))
    assert "<dt>Books finished</dt><dd>0</dd>" in html
    months = re.search(r'<figure[^>]*id="books-per-month".*?</figure>', html, re.S).group(0)
    assert "<svg" not in months and '<th scope="row">Jan</th><td class="num">0</td>' in months
    authors = re.search(r'<figure[^>]*id="authors".*?</figure>', html, re.S).group(0)
    assert "Nothing to show yet." in authors
    assert client.get("/u/reader/stats?year=junk").status_code == 200
    assert client.get("/u/nobody/stats").status_code == 404


def test_year_in_books(client, shelf_of_2024):
    html = text(client.get("/u/reader/year/2024"))
    assert "reader's 2024 in books" in html
    assert html.index("The Long One") < html.index("Short Stories")
    assert "3 books and 1,140 pages" in html and "31 January 2024" in html
    assert "No books finished in 1999" in text(client.get("/u/reader/year/1999"))
    assert client.get("/u/reader/year/99999").status_code == 404


def test_stats_take_a_fixed_number_of_queries(client, users, count_queries):
    """A reader with 2,000 reads costs what one with none does: every number is an aggregate."""
    busy = users("busy")
    users("idle")
    books = [make_book(f"Book {n}", authors=(f"Author {n % 7}",), pages=100 + n) for n in range(40)]
    db.session.execute(
        insert(ShelfEntry), [{"user_id": busy.id, "book_id": b.id, "status": "read"} for b in books]
    )
    start = date(2024, 1, 1)
    rows = [
        {
            "user_id": busy.id,
            "book_id": books[n % 40].id,
            "status": "finished",
            "started_on": start + timedelta(days=n % 300),
            "finished_on": start + timedelta(days=n % 300 + n % 9),
            "format": ("ebook", "paperback", None)[n % 3],
        }
        for n in range(2000)
    ]
    db.session.execute(insert(Read), rows)
    db.session.commit()

    def queries(name: str) -> int:
        with count_queries() as statements:
            response = client.get(f"/u/{name}/stats?year=2024")
            assert response.status_code == 200
        return len(statements)

    assert queries("busy") == queries("idle")
    # reader, months, years, ratings, authors, formats, lengths and pace, longest/shortest
    assert queries("busy") == 8
    html = text(client.get("/u/busy/stats?year=2024"))
    assert "<dt>Books finished</dt><dd>2,000</dd>" in html


# Goals ------------------------------------------------------------------------------------


def test_set_a_goal_and_see_it_on_the_profile(web, client, users, auth):
    reader = users("reader")
    auth.login("reader")
    year = reads.today().year
    assert client.get("/goal").status_code == 200
    bad = web.post("/goal", {"year": str(year), "kind": "books", "target": "lots"})
    assert bad.status_code == 422 and 'value="lots"' in text(bad)
    assert "Give a number from 1 to 1,000." in text(bad)
    assert (
        web.post("/goal", {"year": str(year), "kind": "books", "target": "24"}).status_code == 303
    )
    book = make_book("Goal Book", pages=300)
    reads.add(reader, book, ReadData("finished", None, reads.today()))
    profile = text(client.get("/u/reader"))
    assert "1 of 24 books</strong> read toward the" in profile
    assert re.search(r"(ahead of|behind|Right on) schedule for", profile)
    assert 'id="goal"' in text(client.get("/"))
    assert web.post("/goal/delete", {"year": str(year)}).status_code == 303
    assert goals.progress(reader) is None


# Privacy ----------------------------------------------------------------------------------


def test_private_reading_is_for_the_reader_alone(web, client, users, auth, shelf_of_2024):
    reader = shelf_of_2024
    book = make_book("Secret", pages=10)
    shelves.set_status(reader, book, "reading")
    tags.set_for_book(reader, book, "guilty pleasures")
    tag_id = tags.tags_of(reader)[0][0].id
    pages = ["/u/reader/stats", "/u/reader/year/2024", "/u/reader/tags", f"/u/reader/tags/{tag_id}"]
    assert all(client.get(p).status_code == 200 for p in pages)
    assert "Reading now" in text(client.get("/u/reader"))

    auth.login("reader")
    assert web.post("/account/reading-privacy", {"reading_private": "y"}).status_code == 303
    assert all(client.get(p).status_code == 200 for p in pages)  # still theirs to see
    auth.logout()
    users("nosy", role="moderator")
    for who in (None, "nosy"):
        if who:
            auth.login(who)
        assert [client.get(p).status_code for p in pages] == [403] * 4
        profile = text(client.get("/u/reader"))
        assert "Reading now" not in profile and "/u/reader/stats" not in profile
    auth.logout()
    auth.login("reader")
    assert web.post("/account/reading-privacy", {}).status_code == 303
    db.session.refresh(reader)
    assert reader.reading_private is False
