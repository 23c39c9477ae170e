"""Place a Goodreads or StoryGraph export on a reader's shelves: match or add each book, then
shelf, reads, tags and rating/review. Idempotent: placing the same rows again changes nothing.

Ratings and reviews go through ``reviews.save`` (locks and kept aggregates as for a typed
review), so a recount after an import finds nothing to correct.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import select

from webapp.errors import DomainError, ValidationError
from webapp.extensions import db
from webapp.models import (
    SHELVES,
    Author,
    Book,
    BookAuthor,
    Read,
    ShelfEntry,
    ShelfTag,
    Tag,
    User,
    utcnow,
)
from webapp.services import catalog, locks, reads, reviews
from webapp.services.import_formats import ImportRow

KEEP_MINE = "keep_mine"
TAKE_FILE = "take_file"
CHOICES = {KEEP_MINE: "Keep what I have on Colophon", TAKE_FILE: "Take the file's"}
SERIES = re.compile(r"\s*\([^()]*#\s*[\d.]+(\s*-\s*[\d.]+)?\)\s*$")


@dataclass
class Outcome:
    """What happened to one row: ``kind`` is matched, added, unchanged or failed."""

    number: int
    kind: str
    book_id: int | None = None
    changed: bool = False
    notes: list[str] = field(default_factory=list)
    undo: dict = field(default_factory=dict)  # what undoing the import must reverse

    @property
    def partial(self) -> bool:
        return self.kind == "failed" or bool(self.notes)


def title_key(title: str) -> str:
    """Title for matching: series suffix ("(The Expanse, #1)"), case, accents and punctuation
    ignored."""
    title = SERIES.sub("", unicodedata.normalize("NFKC", title))
    title = "".join(c for c in unicodedata.normalize("NFKD", title) if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", title.lower()).split())


def find_book(row: ImportRow) -> Book | None:
    if row.isbn13:
        book = db.session.scalar(select(Book).where(Book.isbn13 == row.isbn13))
        if book is not None:
            return book
    wanted = title_key(row.title)
    candidates = db.session.scalars(
        select(Book)
        .join(BookAuthor, BookAuthor.book_id == Book.id)
        .join(Author, Author.id == BookAuthor.author_id)
        .where(Author.name_key == row.authors[0].lower(), BookAuthor.position == 0)
        .order_by(Book.id)
    )
    return next((b for b in candidates if title_key(b.title) == wanted), None)


def add_book(user: User, row: ImportRow) -> Book:
    data = catalog.BookData(
        title=row.title[:300],
        authors=row.authors,
        isbn=row.isbn13,
        publisher=row.publisher,
        pages=row.pages,
        year=row.year if row.year and 0 < row.year < 10000 else None,
    )
    return catalog.add_book(user, data, confirm_similar=True)


def place_shelf(user: User, book: Book, row: ImportRow, choice: str, undo: dict) -> bool:
    """Shelf entry, reads and tags (the caller commits). True when anything changed."""
    changed = False
    entry = db.session.get(ShelfEntry, (user.id, book.id), with_for_update=True)
    if row.status is None and entry is None and not row.tags:
        return False
    if entry is None:
        entry = ShelfEntry(user_id=user.id, book_id=book.id, status=row.status or "want_to_read")
        if row.added_on:
            entry.created_at = entry.updated_at = _midnight(row.added_on)
        db.session.add(entry)
        changed = undo["entry_created"] = True
    elif row.status and entry.status != row.status and choice == TAKE_FILE:
        undo["entry_was"] = entry.status
        entry.status, entry.updated_at, changed = row.status, utcnow(), True
    elif row.status and entry.status != row.status:
        # Keep mine: the reader's shelf and reads stand; the file's reads would contradict them.
        row.notes.append(f"Kept your shelf ({entry.label}); the file said {SHELVES[row.status]}.")
        return add_tags(user, book, row.tags, undo)
    db.session.flush()
    changed |= add_reads(user, book, row, undo)
    reads.follow_reads(user, book)
    changed |= add_tags(user, book, row.tags, undo)
    return changed


def add_reads(user: User, book: Book, row: ImportRow, undo: dict) -> bool:
    """Add the row's reads the reader does not have yet (same status and dates = the same read;
    a read of unknown dates matches any of that status)."""
    have = list(
        db.session.scalars(select(Read).where(Read.user_id == user.id, Read.book_id == book.id))
    )
    added = []
    for status, started, finished in sorted(row.reads, key=lambda r: r[1] is None and r[2] is None):
        same = next(
            (
                r
                for r in have
                if r.status == status
                and (
                    (started is None and finished is None)
                    or (r.started_on, r.finished_on) == (started, finished)
                )
            ),
            None,
        )
        if same is not None:
            have.remove(same)
            continue
        if started and finished and finished < started:
            started = None
        read = Read(
            user_id=user.id,
            book_id=book.id,
            status=status,
            started_on=started,
            finished_on=finished,
        )
        if row.format:
            read.format = row.format
        db.session.add(read)
        added.append(read)
    db.session.flush()
    undo["reads"] = [read.id for read in added]
    return bool(added)


def add_tags(user: User, book: Book, names: list[str], undo: dict) -> bool:
    added = undo.setdefault("tags", [])
    have = set(
        db.session.scalars(
            select(Tag.name_key)
            .join(ShelfTag, ShelfTag.tag_id == Tag.id)
            .where(ShelfTag.user_id == user.id, ShelfTag.book_id == book.id)
        )
    )
    for name in names:
        name = name.replace(",", " ").strip()
        if not name or name.lower() in have:
            continue
        tag = db.session.scalar(
            select(Tag).where(Tag.user_id == user.id, Tag.name_key == name.lower())
        )
        if tag is None:
            tag = Tag(user_id=user.id, name=name, name_key=name.lower())
            db.session.add(tag)
            db.session.flush()
        db.session.add(ShelfTag(user_id=user.id, book_id=book.id, tag_id=tag.id))
        have.add(name.lower())
        added.append(tag.id)
    return bool(added)


def place_review(user: User, book: Book, row: ImportRow, choice: str, undo: dict) -> bool:
    if row.rating is None:
        if row.review:
            row.notes.append("A review without a rating cannot be kept on Colophon; add a rating.")
        return False
    mine = reviews.find(user, book)
    wanted = (row.rating, row.review or None, bool(row.spoiler and row.review))
    if mine is not None and (mine.rating, mine.body, mine.spoiler) == wanted:
        return False
    if mine is not None and choice == KEEP_MINE:
        row.notes.append("Kept your own rating and review; the file's differ.")
        return False
    undo["review"] = (
        None
        if mine is None
        else {"rating": mine.rating, "body": mine.body, "spoiler": mine.spoiler}
    )
    reviews.save(user, book, stars=row.rating / 2, body=row.review, spoiler=row.spoiler)
    return True


def place(user: User, row: ImportRow, choice: str = KEEP_MINE) -> Outcome:
    """Place one row for ``user``, committing it. Never raises for bad data: a row that cannot
    be placed comes back failed with the reason."""
    if row.problem:
        return Outcome(row.number, "failed", notes=[row.problem, *row.notes])
    try:
        book = find_book(row)
        kind = "matched"
        if book is None:
            book, kind = add_book(user, row), "added"
        undo: dict = {}
        locks.lock_reader(user.id)
        changed = place_shelf(user, book, row, choice, undo)
        db.session.commit()
        changed |= place_review(user, book, row, choice, undo)
    except (ValidationError, DomainError) as error:
        db.session.rollback()
        return Outcome(row.number, "failed", notes=[str(error), *row.notes])
    if kind == "matched" and not changed:
        kind = "unchanged"
    return Outcome(row.number, kind, book.id, changed or kind == "added", list(row.notes), undo)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
