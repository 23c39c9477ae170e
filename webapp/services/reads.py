"""Reads of a book: when a reader started and finished (either may be unknown), as often as
they read it, and how far along they are. The book's shelf follows its reads."""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import lazyload

from webapp.errors import NotFound, ValidationError
from webapp.extensions import db
from webapp.filters import date as spell_date
from webapp.models import (
    FORMATS,
    READ_STATUSES,
    Book,
    ProgressUpdate,
    Read,
    ShelfEntry,
    User,
    utcnow,
)
from webapp.models.reading import MAX_NOTE
from webapp.pagination import newest
from webapp.services import activity, plain
from webapp.services.text import one_line

# A read's status and the shelf it puts its book on.
SHELF_FOR = {"reading": "reading", "finished": "read", "dnf": "did_not_finish"}
IN_PROGRESS_LIMIT = 12


def today() -> date:
    """Today in UTC: the reader's own date is not known to the server."""
    return utcnow().date()


@dataclass
class ReadData:
    status: str
    started_on: date | None = None
    finished_on: date | None = None
    format: str | None = None


@dataclass(frozen=True)
class ReadSummary:
    """What the book page says above the list: "You read this 3 times — last finished …"."""

    finished: int
    last_finished: date | None

    @property
    def sentence(self) -> str:
        if not self.finished:
            return "You haven't finished this book yet."
        times = {1: "once", 2: "twice"}.get(self.finished, f"{self.finished} times")
        if self.last_finished is None:
            return f"You read this {times}."
        return f"You read this {times} — last finished {spell_date(self.last_finished)}."


@dataclass
class BookReading:
    """A reader's record of one book, for its page: reads, the one in progress, its notes."""

    reads: list[ReadRow]
    summary: ReadSummary
    current: ReadRow | None
    notes: list


def newest_first():
    """Reads in the order a reader thinks of them: the one in progress, then latest first."""
    latest = func.coalesce(Read.finished_on, Read.started_on)
    return (
        (Read.status != "reading"),
        latest.is_(None),
        latest.desc(),
        Read.created_at.desc(),
        Read.id.desc(),
    )


# Built once: a page view binds the ids (building it was a quarter of the call).
def _one_readers_book(query):
    """``query`` narrowed to one reader's reads of one book (bound at run time), newest first."""
    return query.where(
        Read.user_id == bindparam("user_id"), Read.book_id == bindparam("book_id")
    ).order_by(*newest_first())


READS_OF = _one_readers_book(select(Read).options(lazyload(Read.book)))


def reads_of(user: User, book: Book) -> list[Read]:
    """The reader's reads of one book; ``read.book`` is the ``book`` already loaded (no join)."""
    return list(db.session.scalars(READS_OF, {"user_id": user.id, "book_id": book.id}))


_READ_COLUMNS = tuple(attribute.key for attribute in Read.__mapper__.column_attrs)


class ReadRow(namedtuple("ReadValues", (*_READ_COLUMNS, "book"))):
    """A read as the book page shows it: Read's columns and derived properties, its ``book``
    the page's own (a plain ``BookRow`` or the ORM Book). Plain values: loading Read objects
    through the ORM cost more than the query."""

    __slots__ = ()
    label = Read.label
    format_label = Read.format_label
    percent = Read.percent
    days = Read.days


# Built once: the same reads as READS_OF, in its order, as plain values.
READ_ROWS = _one_readers_book(select(*(getattr(Read, name) for name in _READ_COLUMNS)))


def read_rows(user: User, book: Book) -> list[ReadRow]:
    """The reader's reads of one book, to show (``reads_of`` for objects to change)."""
    found = plain.rows(READ_ROWS, {"user_id": user.id, "book_id": book.id})
    return [ReadRow(*values, book) for values in found]


def for_book(user: User, book: Book) -> BookReading:
    """Two queries at most: the reads, and the notes of the read in progress."""
    found = read_rows(user, book)
    current = next((r for r in found if r.status == "reading"), None)
    notes = progress_notes(current) if current else []
    return BookReading(found, summary(found), current, notes)


def summary(reads: list[Read]) -> ReadSummary:
    finished = [r for r in reads if r.status == "finished"]
    dates = [r.finished_on for r in finished if r.finished_on]
    return ReadSummary(len(finished), max(dates, default=None))


def get_own(user: User, read_id: int) -> Read:
    """The reader's own read; anyone else's is NotFound (reads are nobody else's business)."""
    read = db.session.get(Read, read_id)
    if read is None or read.user_id != user.id:
        raise NotFound("No such read.")
    return read


def in_progress(user: User, limit: int = IN_PROGRESS_LIMIT) -> list[Read]:
    """Books the reader is reading now, most recently moved first (one query, books joined)."""
    query = (
        select(Read)
        .where(Read.user_id == user.id, Read.status == "reading")
        .order_by(func.coalesce(Read.progress_at, Read.created_at).desc(), Read.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def check(data: ReadData) -> ReadData:
    """Raises ValidationError (beside the field) for a status, format or dates that can't be."""
    if data.status not in READ_STATUSES:
        raise ValidationError("status", "Choose reading, finished or did not finish.")
    if data.format and data.format not in FORMATS:
        raise ValidationError("format", "Choose one of the formats, or leave it unknown.")
    for field in ("started_on", "finished_on"):
        if (value := getattr(data, field)) and value > today():
            raise ValidationError(field, "That date is in the future.")
    if data.status == "reading" and data.finished_on:
        raise ValidationError("finished_on", "A read still in progress has no finish date.")
    if data.started_on and data.finished_on and data.finished_on < data.started_on:
        raise ValidationError("finished_on", "The finish date is before the start date.")
    return data


def add(user: User, book: Book, data: ReadData) -> Read:
    read = Read(user_id=user.id, book_id=book.id, **vars(check(data)))
    db.session.add(read)
    activity.read_changed(read, None)
    follow_reads(user, book)
    db.session.commit()
    return read


def update(user: User, read: Read, data: ReadData) -> Read:
    was = read.status
    for name, value in vars(check(data)).items():
        setattr(read, name, value)
    read.updated_at = utcnow()
    activity.read_changed(read, was)
    follow_reads(user, read.book)
    db.session.commit()
    return read


def remove(user: User, read: Read) -> Book:
    book = read.book
    db.session.delete(read)
    db.session.flush()
    follow_reads(user, book)
    db.session.commit()
    return book


def follow_reads(user: User, book: Book) -> None:
    """Put the book on the shelf its reads say: one in progress → Reading, else the latest.

    With no reads left the shelf stays as it was (a want-to-read stays one).
    """
    reads = reads_of(user, book)
    if not reads:
        return
    current = next((r for r in reads if r.status == "reading"), reads[0])
    status = SHELF_FOR[current.status]
    entry = db.session.get(ShelfEntry, (user.id, book.id), with_for_update=True)
    if entry is None:
        db.session.add(ShelfEntry(user_id=user.id, book_id=book.id, status=status))
    elif entry.status != status:
        entry.status = status
        entry.updated_at = utcnow()


def on_shelved(user: User, book: Book, status: str, on: date | None) -> None:
    """The reads a shelf change implies (the caller commits).

    Reading starts a read today unless one is open; Read and Did not finish end the open
    read on ``on`` (or record a new one that ended then). Want to read touches no read.
    """
    if status not in ("reading", "read", "did_not_finish"):
        return
    open_read = db.session.scalar(
        select(Read)
        .where(Read.user_id == user.id, Read.book_id == book.id, Read.status == "reading")
        .order_by(Read.created_at.desc())
        .limit(1)
        .with_for_update()
    )
    if status == "reading":
        if open_read is None:
            read = Read(user_id=user.id, book_id=book.id, status="reading", started_on=today())
            db.session.add(read)
            activity.read_changed(read, None)
        return
    ending = "finished" if status == "read" else "dnf"
    if on and on > today():
        raise ValidationError("finished_on", "That date is in the future.")
    if open_read is not None:
        if on and open_read.started_on and on < open_read.started_on:
            raise ValidationError("finished_on", "That is before you started this read.")
        open_read.status, open_read.finished_on = ending, on
        open_read.updated_at = utcnow()
        if ending == "finished":
            open_read.progress_percent = 100
        activity.read_changed(open_read, "reading")
        return
    read = Read(user_id=user.id, book_id=book.id, status=ending, finished_on=on)
    db.session.add(read)
    activity.read_changed(read, None)


def ensure_finished_read(user: User, book: Book) -> None:
    """Rating a book that had no read records one finished read, date unknown."""
    has_read = db.session.scalar(
        select(func.count(Read.id)).where(Read.user_id == user.id, Read.book_id == book.id)
    )
    if not has_read:
        db.session.add(Read(user_id=user.id, book_id=book.id, status="finished"))


def parse_progress(book: Book, page: str | None, percent: str | None) -> tuple[int | None, int]:
    """A page (of the book's pages) or a percentage → (page, percent). Raises ValidationError."""
    page, percent = (page or "").strip(), (percent or "").strip().rstrip("%")
    if page:
        if not (page.isascii() and page.isdigit()):
            raise ValidationError("page", "Give the page as a whole number.")
        number = int(page)
        if book.pages and number > book.pages:
            raise ValidationError("page", f"This book has {book.pages} pages.")
        if not book.pages:
            raise ValidationError("page", "This book's length is unknown: give a percentage.")
        return number, min(100, round(number * 100 / book.pages))
    if percent:
        if not (percent.isascii() and percent.isdigit()) or int(percent) > 100:
            raise ValidationError("percent", "Give a percentage from 0 to 100.")
        value = int(percent)
        return (round(value * book.pages / 100) if book.pages else None), value
    raise ValidationError("page", "Give the page you are on, or a percentage.")


def record_progress(
    user: User, read: Read, page: str | None, percent: str | None, note: str | None
) -> Read:
    """Move a read in progress along; the note (optional, short) is kept with the step."""
    if read.status != "reading":
        raise ValidationError("page", "Only a read in progress moves along.")
    note = one_line(note, "note", MAX_NOTE, f"Keep the note to {MAX_NOTE} characters.")
    number, value = parse_progress(read.book, page, percent)
    read.progress_page, read.progress_percent = number, value
    read.progress_at = read.updated_at = utcnow()
    db.session.add(ProgressUpdate(read_id=read.id, page=number, percent=value, note=note))
    db.session.commit()
    return read


def progress_notes(read: Read, limit: int = 5) -> list[ProgressUpdate]:
    return newest(ProgressUpdate, ProgressUpdate.read_id == read.id, limit=limit)


def set_private(user: User, private: bool) -> bool:
    """Show reads, progress, tags, goal and stats to the reader alone (or to everyone)."""
    user.reading_private = bool(private)
    db.session.commit()
    return user.reading_private
