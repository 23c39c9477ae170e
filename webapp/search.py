"""Full-text search over books; the one place that knows SQLite FTS5 from PostgreSQL tsvector.

SQLite: an FTS5 table ``book_search`` whose rowid is the book id. PostgreSQL: a ``tsvector``
column ``books.search_vector`` with a GIN index. Both are created by migration 0002 and filled
by ``index_book`` in the same transaction as the book, so search never scans with LIKE.
"""

from __future__ import annotations

import re

from sqlalchemy import column, literal_column, select, table, text
from sqlalchemy.sql import Select

from webapp.extensions import db

FTS_TABLE = "book_search"
MAX_TERMS = 8
_DELETE_SQL = f"DELETE FROM {FTS_TABLE} WHERE rowid = :id"  # noqa: S608 (constant name)
_SQLITE_INSERT_SQL = (
    f"INSERT INTO {FTS_TABLE} (rowid, title, subtitle, authors, isbn) "  # noqa: S608
    "VALUES (:id, :title, :subtitle, :authors, :isbn)"
)
_PG_UPDATE_SQL = (
    "UPDATE books SET search_vector = "
    "setweight(to_tsvector('simple', :title), 'A') || "
    "setweight(to_tsvector('simple', :authors), 'A') || "
    "setweight(to_tsvector('simple', :subtitle), 'B') || "
    "to_tsvector('simple', :isbn) WHERE id = :id"
)


def include_name(name, type_, parent_names) -> bool:
    """Alembic filter: the search structures are managed by hand, not by the models."""
    if type_ == "table" and name and name.startswith(FTS_TABLE):
        return False
    if type_ == "column" and name == "search_vector":
        return False
    return not (type_ == "index" and name == "ix_books_search")


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def terms(query: str) -> list[str]:
    """Words of the query, lower-cased; punctuation is never passed to the search syntax."""
    return re.findall(r"\w+", query.lower())[:MAX_TERMS]


def index_book(book) -> None:
    """(Re)write the search entry for ``book``. Call after flush, before commit."""
    authors = " ".join(a.name for a in book.authors)
    values = {
        "id": book.id,
        "title": book.title,
        "subtitle": book.subtitle or "",
        "authors": authors,
        "isbn": book.isbn13 or "",
    }
    if _dialect() == "postgresql":
        db.session.execute(text(_PG_UPDATE_SQL), values)
    else:
        db.session.execute(text(_DELETE_SQL), values)
        db.session.execute(text(_SQLITE_INSERT_SQL), values)


def index_books(entries: list[dict]) -> None:
    """Write search entries for many new books at once (an import): one executemany.

    Each entry has ``id``, ``title``, ``subtitle``, ``authors`` (names joined) and ``isbn``.
    """
    if not entries:
        return
    if _dialect() == "postgresql":
        db.session.execute(text(_PG_UPDATE_SQL), entries)
        return
    db.session.execute(text(_DELETE_SQL), entries)
    db.session.execute(text(_SQLITE_INSERT_SQL), entries)


def remove_book(book_id: int) -> None:
    """Drop a book's entry (PostgreSQL's column goes with the row)."""
    if _dialect() != "postgresql":
        db.session.execute(text(_DELETE_SQL), {"id": book_id})


def matches(query: str) -> Select | None:
    """A select of (book_id, rank) for books matching every word as a prefix; None if no words.

    Lower rank is better on both databases.
    """
    words = terms(query)
    if not words:
        return None
    if _dialect() == "postgresql":
        tsquery = " & ".join(f"{w}:*" for w in words)
        books = table("books", column("id"), column("search_vector"))
        q = db.func.to_tsquery("simple", tsquery)
        return select(
            books.c.id.label("book_id"),
            (-db.func.ts_rank(books.c.search_vector, q)).label("rank"),
        ).where(books.c.search_vector.op("@@")(q))
    fts_query = " ".join(f'"{w}"*' for w in words)
    fts = table(FTS_TABLE, column("rowid"), column("rank"))
    return select(
        fts.c.rowid.label("book_id"), literal_column(f"{FTS_TABLE}.rank").label("rank")
    ).where(literal_column(FTS_TABLE).op("MATCH")(fts_query))
