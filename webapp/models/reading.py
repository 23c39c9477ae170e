"""A reader's record: reads of a book (with dates and progress), tags on shelf entries, goals.

A shelf entry (``models.shelf``) says where a book stands for a reader now; reads say when
they read it, as often as they did. Importers (Goodreads, StoryGraph) map onto the same rows:
one ``Read`` per dated read, a ``Tag`` per custom shelf, ``ShelfEntry.created_at`` as the
date added.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.base import Timestamped, UTCDateTime, cascade_key, utcnow
from webapp.models.book import Book

READ_STATUSES = {"reading": "Reading", "finished": "Finished", "dnf": "Did not finish"}
FORMATS = {
    "paperback": "Paperback",
    "hardcover": "Hardcover",
    "ebook": "Ebook",
    "audiobook": "Audiobook",
}
GOAL_KINDS = {"books": "books", "pages": "pages"}
MAX_NOTE = 280
MAX_TAG = 50


class Read(Timestamped, db.Model):
    """One reading of a book. Either date may be unknown; ``finished_on`` is when a read
    ended, finished or abandoned. The latest progress is kept here; its history (with notes)
    is in ``ProgressUpdate``."""

    __tablename__ = "reads"
    __table_args__ = (
        CheckConstraint("status IN ('reading', 'finished', 'dnf')", name="read_status"),
        CheckConstraint(
            "started_on IS NULL OR finished_on IS NULL OR finished_on >= started_on",
            name="read_dates_in_order",
        ),
        CheckConstraint("progress_percent BETWEEN 0 AND 100", name="read_percent_range"),
        Index("ix_reads_user_book", "user_id", "book_id"),
        Index("ix_reads_user_finished", "user_id", "finished_on"),
        Index("ix_reads_user_status", "user_id", "status"),
        Index("ix_reads_book", "book_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = cascade_key("users.id")
    book_id: Mapped[int] = cascade_key("books.id")
    status: Mapped[str] = mapped_column(String(10))
    started_on: Mapped[date | None] = mapped_column(Date)
    finished_on: Mapped[date | None] = mapped_column(Date)
    format: Mapped[str | None] = mapped_column(String(12))
    progress_page: Mapped[int | None] = mapped_column(Integer)
    progress_percent: Mapped[int | None] = mapped_column(SmallInteger)
    progress_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    book: Mapped[Book] = relationship(lazy="joined", innerjoin=True)

    @property
    def label(self) -> str:
        return READ_STATUSES[self.status]

    @property
    def format_label(self) -> str | None:
        return FORMATS.get(self.format) if self.format else None

    @property
    def percent(self) -> int:
        """How far along, 0–100 (a finished read is 100)."""
        if self.status == "finished":
            return 100
        return self.progress_percent or 0

    @property
    def days(self) -> int | None:
        """Days from start to finish, both counted; None when a date is unknown."""
        if self.started_on is None or self.finished_on is None:
            return None
        return (self.finished_on - self.started_on).days + 1


class ProgressUpdate(db.Model):
    """A step through a read: a page or a percentage, with an optional short note."""

    __tablename__ = "progress_updates"
    __table_args__ = (Index("ix_progress_updates_read", "read_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    read_id: Mapped[int] = cascade_key("reads.id")
    page: Mapped[int | None] = mapped_column(Integer)
    percent: Mapped[int] = mapped_column(SmallInteger)
    note: Mapped[str | None] = mapped_column(String(MAX_NOTE))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Tag(db.Model):
    """A reader's own label ("favourites", "book club 2025"), shown as a page on their profile."""

    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("user_id", "name_key", name="uq_tags_user_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = cascade_key("users.id")
    name: Mapped[str] = mapped_column(String(MAX_TAG))
    # Lower-cased name: "Favourites" and "favourites" are one tag.
    name_key: Mapped[str] = mapped_column(String(MAX_TAG))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ShelfTag(db.Model):
    """A tag on a shelf entry: goes with the entry (and follows it when books are merged)."""

    __tablename__ = "shelf_tags"
    __table_args__ = (
        ForeignKeyConstraint(
            ["user_id", "book_id"],
            ["shelf_entries.user_id", "shelf_entries.book_id"],
            ondelete="CASCADE",
            onupdate="CASCADE",
        ),
        Index("ix_shelf_tags_tag", "tag_id", "book_id"),
    )

    user_id: Mapped[int] = mapped_column(primary_key=True)
    book_id: Mapped[int] = mapped_column(primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)

    tag: Mapped[Tag] = relationship(lazy="joined", innerjoin=True)


class ReadingGoal(db.Model):
    """A number of books or pages to read in a year, one goal per reader per year."""

    __tablename__ = "reading_goals"
    __table_args__ = (
        CheckConstraint("target > 0", name="goal_target_positive"),
        CheckConstraint("kind IN ('books', 'pages')", name="goal_kind"),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(String(5), default="books")
    target: Mapped[int] = mapped_column(Integer)
