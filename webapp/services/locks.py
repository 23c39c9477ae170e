"""Row locks for writes that change kept numbers (book aggregates, helpful counts).

A writer locks what it reads before it computes a change from it, so two transactions can
never both start from the same old value. The order is fixed to avoid deadlocks:
the acting reader, then books (by id), then reviews (by id).

PostgreSQL: ``SELECT … FOR NO KEY UPDATE`` (``FOR UPDATE`` for rows about to be deleted); a
reader's own row takes ``FOR KEY SHARE``, which only an account deletion waits for.
SQLite has no row locks: the first lock turns the transaction into an immediate write
transaction (``BEGIN IMMEDIATE``), so writers run one at a time and each reads what the
previous one committed. Reads made before it ran outside any transaction (pysqlite begins
only before a write), so callers reload what they read earlier once they hold the lock.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from webapp.errors import NotFound
from webapp.extensions import db
from webapp.models import Book, BookList, Review, User


def _is_sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


def begin_write() -> None:
    """Make this transaction a write transaction from here on (SQLite; PostgreSQL needs none)."""
    if not _is_sqlite():
        return
    connection = db.session.connection()
    if not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _lock(model, ids: Iterable[int], *, mode: str) -> list[int]:
    """Lock rows of ``model`` in id order; returns the ids that still exist."""
    begin_write()
    ids = sorted(set(ids))
    if not ids:
        return []
    query = select(model.id).where(model.id.in_(ids)).order_by(model.id)
    if mode == "share":
        query = query.with_for_update(read=True, key_share=True)
    elif mode == "update":
        query = query.with_for_update(key_share=True)
    else:  # "delete"
        query = query.with_for_update()
    return list(db.session.scalars(query))


def lock_reader(user_id: int, *, delete: bool = False) -> bool:
    """Hold the acting reader's row (until commit) so their account cannot vanish mid-write.

    Returns False when the account no longer exists.
    """
    return bool(_lock(User, [user_id], mode="delete" if delete else "share"))


def lock_list(list_id: int, *, delete: bool = False) -> bool:
    """Hold a reader's list while its books' positions are read and rewritten (or it is
    deleted); False when it no longer exists. Adding a book's row only takes a key-share lock
    on the list, so it waits here and never deadlocks with a reorder."""
    return bool(_lock(BookList, [list_id], mode="delete" if delete else "update"))


def lock_books(book_ids: Iterable[int], *, delete: Iterable[int] = ()) -> list[int]:
    """Lock books whose aggregates will change (``delete``: books about to be deleted)."""
    doomed = set(delete)
    if not doomed:
        return _lock(Book, book_ids, mode="update")
    found = []  # a merge: two books, each in its own mode, still in id order
    for book_id in sorted(set(book_ids) | doomed):
        found += _lock(Book, [book_id], mode="delete" if book_id in doomed else "update")
    return found


def lock_reviews(review_ids: Iterable[int], *, delete: bool = False) -> list[int]:
    """Lock reviews whose counted state or helpful votes will change; returns those that exist."""
    return _lock(Review, review_ids, mode="delete" if delete else "update")


def reviews_for_write(review_ids: Iterable[int], *, delete: bool = False) -> list[Review]:
    """Lock the reviews' books, then the reviews; return them as committed now, by id.

    Deleted reviews are left out. A merge may move a review to another book between the
    first look and the lock: then that book is locked too (the old one is gone, so no one
    else waits for it).
    """
    ids = sorted(set(review_ids))
    locked: set[int] = set()
    while ids:
        books = set(db.session.scalars(select(Review.book_id).where(Review.id.in_(ids))))
        if books <= locked:
            break
        locked |= set(lock_books(books - locked)) | books
    found = lock_reviews(ids, delete=delete)
    if not found:
        return []
    query = (
        select(Review)
        .where(Review.id.in_(found))
        .order_by(Review.id)
        .execution_options(populate_existing=True)
    )
    return list(db.session.scalars(query))


def review_for_write(review_id: int, *, delete: bool = False) -> Review | None:
    """One review, locked with its book (see reviews_for_write); None if it was deleted."""
    found = reviews_for_write([review_id], delete=delete)
    return found[0] if found else None


def locked_review(review: Review, *, delete: bool = False) -> Review:
    """``review`` as committed now, locked with its book. Raises NotFound if it was deleted."""
    found = review_for_write(review.id, delete=delete)
    if found is None:
        raise NotFound("That review was deleted.")
    return found
