"""The book page's book as plain values: every column of ``books`` and its authors in order.

A GET of a book's page only reads the book, so it comes from one Core ``SELECT`` with plain
left joins to its authors, as rows, without the ORM's identity map and instance building
(the ORM load with ``contains_eager`` was a tenth of a cold visitor's page). ``BookRow`` has
every column attribute of ``Book`` and Book's own derived properties (the same functions), so
templates and services read it as a Book; a page that writes (a form sent back) has the ORM
Book, and the pages drawn from either are the same (tests/web/test_book_rows.py).
"""

from __future__ import annotations

from collections import namedtuple
from typing import NamedTuple

from sqlalchemy import bindparam, select

from webapp.models import Author, Book, BookAuthor
from webapp.models.book import slugify
from webapp.services import plain

COLUMNS = tuple(attribute.key for attribute in Book.__mapper__.column_attrs)
_TITLE = COLUMNS.index("title")


class AuthorRow(NamedTuple):
    """An author as a book's byline and links read it; ``slug`` as ``Author.slug`` makes it,
    once, not at each of the page's reads."""

    id: int
    name: str
    slug: str


class BookRow(namedtuple("BookValues", (*COLUMNS, "authors", "slug"))):
    """A book's column values and its ``authors``, with Book's derived properties (``slug``
    made once: the page reads it six times). A named tuple: read like attributes, built and
    compared without Python code."""

    __slots__ = ()
    author_names = Book.author_names
    average = Book.average
    histogram = Book.histogram


# Built once: a page view binds the id. Ordered as Book.book_authors (by position).
_WITH_AUTHORS = (
    select(*(getattr(Book, name) for name in COLUMNS), Author.id, Author.name)
    .outerjoin(BookAuthor, BookAuthor.book_id == Book.id)
    .outerjoin(Author, Author.id == BookAuthor.author_id)
    .where(Book.id == bindparam("book_id"))
    .order_by(BookAuthor.position)
)


def book_with_authors(book_id: int) -> BookRow | None:
    """The book and its authors in one statement, or None.

    Plain left joins: ``joinedload`` nests the author's inner join inside the outer one,
    which SQLite plans badly (65 ms)."""
    rows = plain.rows(_WITH_AUTHORS, {"book_id": book_id})
    if not rows:
        return None
    authors = [AuthorRow(row[-2], row[-1], slugify(row[-1])) for row in rows if row[-2] is not None]
    values = rows[0][:-2]
    return BookRow(*values, authors, slugify(values[_TITLE]))
