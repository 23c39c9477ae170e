"""Reading shelves: want to read, reading, read, did not finish."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload

from webapp.errors import ValidationError
from webapp.extensions import db
from webapp.models import SHELVES, Book, ShelfEntry, User, utcnow
from webapp.services import reads, versions


def status_of(user: User | None, book: Book) -> str | None:
    if user is None or not user.is_authenticated:
        return None
    return db.session.scalar(
        select(ShelfEntry.status).where(
            ShelfEntry.user_id == user.id, ShelfEntry.book_id == book.id
        )
    )


def entry_of(user: User | None, book: Book) -> ShelfEntry | None:
    """The reader's shelf entry for ``book`` (status and their private fields), one query."""
    if user is None or not user.is_authenticated:
        return None
    return db.session.scalar(
        select(ShelfEntry)
        .options(lazyload(ShelfEntry.book))
        .where(ShelfEntry.user_id == user.id, ShelfEntry.book_id == book.id)
    )


def set_status(
    user: User, book: Book, status: str | None, finished_on: date | None = None
) -> str | None:
    """Put ``book`` on one of ``user``'s shelves, or take it off with an empty status.

    Reading starts a read; Read and Did not finish end one on ``finished_on`` (unknown when
    None). Taking a book off the shelves keeps its reads (they are history) but drops its tags.
    """
    if not status:
        db.session.execute(
            delete(ShelfEntry).where(ShelfEntry.user_id == user.id, ShelfEntry.book_id == book.id)
        )
        versions.touch(user=user.id, book=book.id)
        db.session.commit()
        return None
    if status not in SHELVES:
        raise ValidationError("status", "Choose one of the shelves.")
    entry = db.session.get(ShelfEntry, (user.id, book.id), with_for_update=True)
    if entry is None or entry.status != status:
        reads.on_shelved(user, book, status, finished_on)
    if entry is None:
        db.session.add(ShelfEntry(user_id=user.id, book_id=book.id, status=status))
    else:
        entry.status = status
        entry.updated_at = utcnow()
    db.session.commit()
    return status


MAX_PRIVATE = 5000
MAX_COPIES = 999


def set_private(
    user: User,
    book: Book,
    *,
    notes: str | None,
    owned_copies: int | str | None,
    content_warnings: str | None,
) -> ShelfEntry:
    """The reader's private notes, copies owned and content warnings for a shelved book.
    Raises ValidationError beside the field (the book must be on a shelf)."""
    text = str(owned_copies if owned_copies is not None else "").strip() or "0"
    if not (text.isascii() and text.isdigit()):
        raise ValidationError("owned_copies", "Give the number of copies as a whole number.")
    owned_copies = int(text)
    entry = db.session.get(ShelfEntry, (user.id, book.id), with_for_update=True)
    if entry is None:
        raise ValidationError("notes", "Put the book on a shelf first.")
    notes = (notes or "").strip() or None
    content_warnings = (content_warnings or "").strip() or None
    for name, value in (("notes", notes), ("content_warnings", content_warnings)):
        if value and len(value) > MAX_PRIVATE:
            raise ValidationError(name, f"Keep it under {MAX_PRIVATE:,} characters.")
    if not 0 <= owned_copies <= MAX_COPIES:
        raise ValidationError("owned_copies", f"Give a number from 0 to {MAX_COPIES}.")
    # ``updated_at`` stays: it orders the public shelves, and nothing public changed.
    entry.private_notes, entry.owned_copies = notes, owned_copies
    entry.content_warnings = content_warnings
    db.session.commit()
    return entry


def want(user: User, book: Book, on: bool = True) -> str | None:
    """One click "Want to read" (a book card) puts the book on that shelf, and a second
    (``on=False``) takes it off again. A book on another shelf (being read, read) stays where
    it is: a card's button never moves it. Returns the shelf the book is on, if any."""
    current = status_of(user, book)
    if current and current != "want_to_read":
        return current
    if not on:
        return set_status(user, book, None) if current else None
    if current:
        return current
    try:
        return set_status(user, book, "want_to_read")
    except IntegrityError:  # a double click: the first click shelved it
        db.session.rollback()
        return status_of(user, book) or "want_to_read"


def statuses(user: User | None, book_ids: list[int]) -> dict[int, str]:
    """The reader's shelf of each of these books (one query; none for visitors), for cards."""
    if user is None or not user.is_authenticated or not book_ids:
        return {}
    query = select(ShelfEntry.book_id, ShelfEntry.status).where(
        ShelfEntry.user_id == user.id, ShelfEntry.book_id.in_(book_ids)
    )
    return {book_id: status for book_id, status in db.session.execute(query)}


def shelves_of(user: User, limit_per_shelf: int = 12) -> dict[str, list[ShelfEntry]]:
    """The reader's shelves, newest first, at most ``limit_per_shelf`` each (one query).

    Each shelf's newest entries come from its own LIMITed range of the (user, status,
    updated_at) index, so a reader with thousands of shelved books costs what one with a
    dozen does; each entry's book is joined in.
    """
    newest = [
        select(ShelfEntry.book_id)
        .where(ShelfEntry.user_id == user.id, ShelfEntry.status == status)
        .order_by(ShelfEntry.updated_at.desc())
        .limit(limit_per_shelf)
        .subquery()
        for status in SHELVES
    ]
    picked = union_all(*(select(shelf.c.book_id) for shelf in newest))
    query = (
        select(ShelfEntry)
        .where(ShelfEntry.user_id == user.id, ShelfEntry.book_id.in_(picked))
        .order_by(ShelfEntry.updated_at.desc())
    )
    grouped: dict[str, list[ShelfEntry]] = {key: [] for key in SHELVES}
    for entry in db.session.scalars(query):
        grouped[entry.status].append(entry)
    return grouped
