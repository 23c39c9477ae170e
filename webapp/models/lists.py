"""Readers' public lists of books, each book with a place in the order and a note."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.base import UTCDateTime, cascade_key, utcnow
from webapp.models.book import Book
from webapp.models.user import User


class BookList(db.Model):
    __tablename__ = "book_lists"
    __table_args__ = (Index("ix_book_lists_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = cascade_key("users.id")
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)


class ListItem(db.Model):
    __tablename__ = "list_items"
    __table_args__ = (
        UniqueConstraint("list_id", "book_id", name="uq_list_items_list_book"),
        Index("ix_list_items_list_position", "list_id", "position"),
        Index("ix_list_items_book", "book_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = cascade_key("book_lists.id")
    book_id: Mapped[int] = cascade_key("books.id")
    position: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)

    book: Mapped[Book] = relationship(lazy="joined", innerjoin=True)
