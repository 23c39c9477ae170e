"""The book page drawn from the plain ``BookRow`` (services/book_rows.py) and ``ReadRow``
(services/reads.py) is the page the ORM Book and Reads draw, byte for byte but the CSRF
token: for visitors and for readers with a review, a shelf, reads, tags and lists, for staff,
for a book with every field, a stored cover or no author. The lists that come folded with the
book's row are the lists ``lists.including`` and ``lists.on_book_page`` read themselves."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.client import AuthActions, Browserless
from tests.factories import make_book, make_review
from webapp.extensions import db
from webapp.models import Book, BookList
from webapp.services import book_rows, follows, lists, reads, shelves, tags

# The token in either attribute order (the logout form's has name first): it carries the second.
TOKEN = re.compile(r'(X-CSRFToken": "|name="csrf_token"(?: type="hidden")? value=")[^"]+')


def orm_page(book_id: int, viewer) -> book_rows.BookPage:
    """The ORM Book, and no lists: the page reads them itself (lists.including, on_book_page)."""
    return book_rows.BookPage(db.session.get(Book, book_id), None)


def drawn(client, path: str, **headers) -> str:
    response = client.get(path, headers=headers)
    assert response.status_code == 200
    return TOKEN.sub(r"\1T", response.get_data(as_text=True))


def both(monkeypatch, client, path: str, **headers) -> tuple[str, str]:
    """The page from the plain row, then the same page from the ORM Book."""
    plain = drawn(client, path, **headers)
    with monkeypatch.context() as patch:
        patch.setattr(book_rows, "for_page", orm_page)
        orm = drawn(client, path, **headers)
    return plain, orm


@pytest.fixture
def full(app, users):
    book = make_book(
        "Middlemarch",
        authors=("George Eliot", "A. N. Editor", "Third Hand"),
        subtitle="A Study of Provincial Life",
        other_titles=["Middlemarch, or Life", "Mittelmarsch"],
        publisher="Blackwood",
        year=1871,
        pages=880,
        language="en",
        description="A *study* of a town.",
    )
    pat, ann = users("pat"), users("ann")
    make_review(pat, book, "4", title="Slow burn", body="Worth the *time*.")
    make_review(ann, book, "3.5", body="Mine.")
    shelves.set_status(ann, book, "reading")
    current = next(r for r in reads.reads_of(ann, book) if r.status == "reading")
    reads.record_progress(ann, current, "120", None, "Dorothea!")
    finished = reads.ReadData("finished", date(2024, 3, 1), date(2024, 4, 2), "ebook")
    reads.add(ann, book, finished)
    tags.set_for_book(ann, book, "favourites, Book club")
    lists.add(ann, lists.create(ann, "Victorians"), book)
    return book


def path(book) -> str:
    return f"/books/{book.id}-{book.slug}"


def signed_in(app, name: str):
    web = Browserless(app.test_client())
    AuthActions(web).login(name)
    web.client.get("/").close()  # the "Signed in" flash shown
    return web.client


def test_a_visitor_gets_the_same_page_from_the_plain_row(monkeypatch, client, full):
    for query, headers in (("", {}), ("?sort=newest", {}), ("", {"HX-Request": "true"})):
        plain, orm = both(monkeypatch, client, path(full) + query, **headers)
        assert plain == orm
    assert "Third Hand" in plain and "Mittelmarsch" in plain and "880" in plain


@pytest.mark.parametrize("name", ["ann", "pat", "boss"])
def test_readers_and_staff_get_the_same_page_from_the_plain_row(
    monkeypatch, app, users, full, name
):
    if name == "boss":
        users("boss", role="admin")
    plain, orm = both(monkeypatch, signed_in(app, name), path(full))
    assert plain == orm
    if name == "ann":  # her read in progress names the book (read.book is the row)
        assert "120" in plain and "Dorothea!" in plain and "of Middlemarch</span>" in plain


def test_a_stored_cover_and_a_book_without_authors(monkeypatch, app, client, users):
    covered = make_book("Covered")
    covered.cover_key = "abc123"
    alone = make_book("Orphan")
    alone.book_authors.clear()
    db.session.commit()
    for book in (covered, alone):
        plain, orm = both(monkeypatch, client, path(book))
        assert plain == orm
    users("boss", role="admin")
    plain, orm = both(monkeypatch, signed_in(app, "boss"), path(covered))
    assert plain == orm and "Remove the cover" in plain


def test_a_readers_reads_are_the_same_as_plain_rows(monkeypatch, app, full):
    """Her reads (one in progress with a note, one finished with dates and a format) drawn
    from ``reads.read_rows`` and from Read objects, on the ORM Book."""
    client = signed_in(app, "ann")
    plain = drawn(client, path(full))
    with monkeypatch.context() as patch:
        patch.setattr(book_rows, "for_page", orm_page)
        patch.setattr(reads, "read_rows", reads.reads_of)
        orm = drawn(client, path(full))
    assert plain == orm
    assert "Ebook" in plain and "Dorothea!" in plain and "read-finished" in plain


def test_the_lists_and_authors_folded_with_the_book_are_the_ones_read_apart(
    monkeypatch, app, client, users
):
    """Twelve lists with the book (the page shows ten) made in one instant, so the order falls
    to their ids; one by a private reader whom pat follows (hidden from visitors); titles that
    need escaping; pat's own lists; authors whose places run against their ids."""
    make_book("Earlier", authors=("Second Hand",))
    book = make_book("Pair", authors=("First Hand", "Second Hand"))
    pat, hid = users("pat"), users("hid")
    follows.follow(pat, hid)
    hid.is_private = True
    titles = [*(f"List {n}" for n in range(10)), "Tom & Jerry's <picks>", 'Ünïcödé “quoted” "too"']
    for title in titles:
        maker = hid if title.startswith("Ü") else users()
        lists.add(maker, lists.create(maker, title), book)
    mine = [lists.create(pat, f"Pat's {n}") for n in range(3)]
    db.session.query(BookList).update({"created_at": mine[0].created_at})
    db.session.commit()
    plain, orm = both(monkeypatch, client, path(book))
    assert plain == orm and "Tom &amp; Jerry" in plain and "Ünïcödé" not in plain
    assert "List 1<" in plain and "List 0<" not in plain  # ten shown, newest (highest id) first
    assert plain.index("First Hand") < plain.index("Second Hand")
    plain, orm = both(monkeypatch, signed_in(app, "pat"), path(book))
    assert plain == orm and "Ünïcödé" in plain and "List 1<" not in plain and "Pat&#39;s 2" in plain
    assert plain.index("Pat&#39;s 2") < plain.index("Pat&#39;s 1") < plain.index("Pat&#39;s 0")
