"""The catalogue side of an import: find the books a chunk of rows names and add the missing
ones, in a few statements for the whole chunk (a row at a time took ~30 statements per book).

Matching: ISBN-13 (ISBN-10s were converted when the row was read), then title + first author
with series suffixes, case, accents and punctuation ignored. Rows of one chunk naming the same
new book share it: the first row adds it, the others match it.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite

from webapp import search
from webapp.extensions import db
from webapp.models import Author, Book, BookAuthor, User
from webapp.services import versions
from webapp.services.import_formats import ImportRow

SERIES = re.compile(r"\s*\([^()]*#\s*[\d.]+(\s*-\s*[\d.]+)?\)\s*$")
MAX_AUTHOR = 200


def title_key(title: str) -> str:
    """Title for matching: series suffix ("(The Expanse, #1)"), case, accents and punctuation
    ignored."""
    title = SERIES.sub("", unicodedata.normalize("NFKC", title))
    title = "".join(c for c in unicodedata.normalize("NFKD", title) if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", title.lower()).split())


def _match_key(row: ImportRow) -> tuple[str, str]:
    return row.authors[0].lower(), title_key(row.title)


def _existing(rows: list[ImportRow]) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    """Books already in the catalogue, by ISBN-13 and by (first author, title key): two
    queries. The lowest id wins a title tie, as one book per title + author is the rule."""
    isbns = {row.isbn13 for row in rows if row.isbn13}
    by_isbn: dict[str, int] = {}
    if isbns:
        query = select(Book.isbn13, Book.id).where(Book.isbn13.in_(isbns))
        by_isbn = {isbn: book_id for isbn, book_id in db.session.execute(query)}
    names = {row.authors[0].lower() for row in rows if row.isbn13 not in by_isbn}
    by_title: dict[tuple[str, str], int] = {}
    if names:
        query = (
            select(Author.name_key, Book.title, Book.id)
            .join(BookAuthor, BookAuthor.author_id == Author.id)
            .join(Book, Book.id == BookAuthor.book_id)
            .where(Author.name_key.in_(names), BookAuthor.position == 0)
            .order_by(Book.id)
        )
        for name_key, title, book_id in db.session.execute(query):
            by_title.setdefault((name_key, title_key(title)), book_id)
    return by_isbn, by_title


def author_ids(names: list[str]) -> dict[str, int]:
    """Author id by lower-cased name, adding the missing authors (a concurrent import adding
    the same one is no conflict: the insert skips names already there)."""
    wanted: dict[str, str] = {}
    for name in names:
        wanted.setdefault(name.lower(), name)
    if not wanted:
        return {}
    dialect = db.session.get_bind().dialect.name
    make_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    have = dict(
        db.session.execute(
            select(Author.name_key, Author.id).where(Author.name_key.in_(wanted))
        ).all()
    )
    missing = [{"name": name, "name_key": key} for key, name in wanted.items() if key not in have]
    if missing:
        statement = make_insert(Author).on_conflict_do_nothing(index_elements=["name_key"])
        db.session.execute(statement, missing)
        added = select(Author.name_key, Author.id).where(
            Author.name_key.in_([m["name_key"] for m in missing])
        )
        have.update(db.session.execute(added).all())
    return have


def problem(row: ImportRow) -> str | None:
    """Why the catalogue could not take this row's book, if it would have to add it."""
    if any(len(name) > MAX_AUTHOR for name in row.authors):
        return f"An author's name is over {MAX_AUTHOR} characters; the book was not added."
    return None


def resolve(user: User, rows: list[ImportRow]) -> dict[int, tuple[int | None, str]]:
    """For each row (by number): (book id, "matched" or "added"), or (None, why) when the book
    could not be added. New books are flushed, with their authors and search entries."""
    by_isbn, by_title = _existing(rows)
    found: dict[int, tuple[int | None, str]] = {}
    new: dict[int, tuple[Book, ImportRow]] = {}  # row number → the book it adds
    pending_isbn: dict[str, Book] = {}
    pending_title: dict[tuple[str, str], Book] = {}
    shared: dict[int, Book] = {}  # row number → a book another row of the chunk adds
    for row in rows:
        key = _match_key(row)
        book_id = by_isbn.get(row.isbn13) if row.isbn13 else None
        if book_id is None:
            book_id = by_title.get(key)
        if book_id is not None:
            found[row.number] = (book_id, "matched")
            continue
        pending = (pending_isbn.get(row.isbn13) if row.isbn13 else None) or pending_title.get(key)
        if pending is not None:
            shared[row.number] = pending
            continue
        if (why := problem(row)) is not None:
            found[row.number] = (None, why)
            continue
        book = Book(
            title=row.title[:300],
            isbn13=row.isbn13,
            publisher=row.publisher,
            pages=row.pages,
            year=row.year if row.year and 0 < row.year < 10000 else None,
            added_by_id=user.id,
        )
        new[row.number] = (book, row)
        if row.isbn13:
            pending_isbn[row.isbn13] = book
        pending_title.setdefault(key, book)
    if new:
        _add_books(list(new.values()))
    for number, (book, _) in new.items():
        found[number] = (book.id, "added")
    for number, book in shared.items():
        found[number] = (book.id, "matched")
    return found


def _add_books(pairs: list[tuple[Book, ImportRow]]) -> None:
    """Insert the books (one multi-row INSERT … RETURNING), their authorship and search
    entries (one executemany each)."""
    db.session.add_all(book for book, _ in pairs)
    db.session.flush()
    ids = author_ids([name for _, row in pairs for name in row.authors])
    links = [
        {"book_id": book.id, "author_id": ids[key], "position": position}
        for book, row in pairs
        for position, key in enumerate(dict.fromkeys(name.lower() for name in row.authors))
    ]
    db.session.execute(insert(BookAuthor), links)
    versions.touch(book=[book.id for book, _ in pairs])  # their authors came by statement
    search.index_books(
        [
            {
                "id": book.id,
                "title": book.title,
                "subtitle": "",
                "authors": " ".join(row.authors),
            }
            for book, row in pairs
        ]
    )
