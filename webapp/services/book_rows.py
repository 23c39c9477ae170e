"""The book page's book as plain values: every column of ``books``, its authors in order, and
the lists the page shows beside it.

A GET of a book's page only reads the book, so it comes from one Core ``SELECT``, one row,
without the ORM's identity map and instance building (the ORM load with ``contains_eager``
was a tenth of a cold visitor's page). Its authors, the lists including it that the viewer
may see and a reader's own lists come in the same row as JSON (``plain.JSONRows``): one
statement and one round trip, not two, and the book's ~40 values read once, not once an
author. ``BookRow`` has every column attribute of ``Book`` and Book's own derived properties
(the same functions), so templates and services read it as a Book; a page that writes (a form
sent back) has the ORM Book and reads the lists itself, and the pages drawn from either are
the same (tests/web/test_book_rows.py).
"""

from __future__ import annotations

from collections import namedtuple
from typing import NamedTuple

from sqlalchemy import bindparam, select

from webapp.models import Author, Book, BookAuthor, BookList, User
from webapp.models.book import slugify
from webapp.services import lists, plain, privacy
from webapp.services.plain import JSONRows

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


class ListRow(NamedTuple):
    """A list as the book page names it; ``username``, its maker's, is None for one's own."""

    id: int
    title: str
    username: str | None = None


class BookPage(NamedTuple):
    """The book, and the lists including it and the reader's own (``lists.on_book_page``'s
    two; the second empty for a visitor)."""

    book: BookRow
    lists: tuple[list[ListRow], list[ListRow]]


def _page_statement(kind: str):
    """One statement for one ``privacy.viewer_kind``, built once: a page view binds the ids."""
    by_place = (
        select(BookAuthor.position, Author.id, Author.name)
        .join(Author, Author.id == BookAuthor.author_id)
        .where(BookAuthor.book_id == bindparam("book_id"))
        .order_by(BookAuthor.position)
        .subquery()
    )
    shown = lists.including_statement(kind).add_columns(BookList.created_at).subquery()
    newest = (shown.c.created_at.desc(), shown.c.id.desc())
    folded = [
        JSONRows((by_place.c.id, by_place.c.name), (by_place.c.position,)),
        JSONRows((shown.c.id, shown.c.title, shown.c.username), newest),
    ]
    if kind != "visitor":
        own = lists.own_statement().subquery()
        folded.append(JSONRows((own.c.id, own.c.title), (own.c.created_at.desc(), own.c.id.desc())))
    return select(
        *(getattr(Book, name) for name in COLUMNS),
        *(select(json).scalar_subquery() for json in folded),
    ).where(Book.id == bindparam("book_id"))


_PAGE = {kind: _page_statement(kind) for kind in ("staff", "reader", "visitor")}


def for_page(book_id: int, viewer: User | None) -> BookPage | None:
    """The book with its authors and the lists its page shows ``viewer``, in one statement,
    or None when there is no such book."""
    kind = privacy.viewer_kind(viewer)
    params = {"book_id": book_id, "limit": lists.ON_BOOK_PAGE}
    if kind != "visitor":
        params["user_id"] = viewer.id
    if kind == "reader":
        params["viewer_id"] = viewer.id
    rows = plain.rows(_PAGE[kind], params)
    if not rows:
        return None
    values = rows[0]
    n = len(COLUMNS)
    authors = [AuthorRow(key, name, slugify(name)) for key, name in values[n] or ()]
    book = BookRow(*values[:n], authors, slugify(values[_TITLE]))
    own = plain.unfold(values[n + 2], ListRow) if kind != "visitor" else []
    return BookPage(book, (plain.unfold(values[n + 1], ListRow), own))
