"""Each reader's shelf status for a book: one status per reader per book."""

from __future__ import annotations

from sqlalchemy import Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.base import Timestamped, link_key
from webapp.models.book import Book

SHELVES = {
    "want_to_read": "Want to read",
    "reading": "Reading",
    "read": "Read",
    "did_not_finish": "Did not finish",
}


class ShelfEntry(Timestamped, db.Model):
    """``created_at``: when the book first went on a shelf ("date added" in imports).

    ``private_notes``, ``owned_copies`` and ``content_warnings`` are the reader's own (shown
    to them alone): Goodreads' private notes and owned copies, StoryGraph's content warnings.
    """

    __tablename__ = "shelf_entries"
    __table_args__ = (Index("ix_shelf_entries_user_status", "user_id", "status", "updated_at"),)

    user_id: Mapped[int] = link_key("users.id")
    book_id: Mapped[int] = link_key("books.id", index=True)
    status: Mapped[str] = mapped_column(String(20))
    private_notes: Mapped[str | None] = mapped_column(Text)
    owned_copies: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    content_warnings: Mapped[str | None] = mapped_column(Text)

    book: Mapped[Book] = relationship(lazy="joined", innerjoin=True)

    @property
    def label(self) -> str:
        return SHELVES[self.status]
