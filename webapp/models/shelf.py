"""Each reader's shelf status for a book: one status per reader per book."""

from __future__ import annotations

from sqlalchemy import Index, String
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
    """``created_at``: when the book first went on a shelf ("date added" in imports)."""

    __tablename__ = "shelf_entries"
    __table_args__ = (Index("ix_shelf_entries_user_status", "user_id", "status", "updated_at"),)

    user_id: Mapped[int] = link_key("users.id")
    book_id: Mapped[int] = link_key("books.id", index=True)
    status: Mapped[str] = mapped_column(String(20))

    book: Mapped[Book] = relationship(lazy="joined", innerjoin=True)

    @property
    def label(self) -> str:
        return SHELVES[self.status]
