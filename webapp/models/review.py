"""Ratings and reviews (one per reader per book) and helpful votes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.base import Hideable, Timestamped, UTCDateTime, cascade_key, link_key, utcnow
from webapp.models.book import Book
from webapp.models.user import User


class Review(Hideable, Timestamped, db.Model):
    """A rating, a written review, or both. ``rating`` is in half-stars (1..10); None is "not
    rated" (a text-only review), counted in no rating aggregate. A review without a rating
    needs a body: the constraint keeps an empty row from standing for a review."""

    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("user_id", "book_id", name="uq_reviews_user_book"),
        CheckConstraint("rating BETWEEN 1 AND 10", name="rating_range"),
        CheckConstraint("rating IS NOT NULL OR body IS NOT NULL", name="rating_or_body"),
        Index("ix_reviews_book_helpful", "book_id", "helpful_score", "id"),
        Index("ix_reviews_book_newest", "book_id", "created_at", "id"),
        Index("ix_reviews_user_created", "user_id", "created_at"),
        Index("ix_reviews_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    book_id: Mapped[int] = cascade_key("books.id")
    user_id: Mapped[int] = cascade_key("users.id")
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    title: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text)
    # Sanitised HTML rendered once on save, so pages never re-render Markdown.
    body_html: Mapped[str | None] = mapped_column(Text)
    spoiler: Mapped[bool] = mapped_column(Boolean, default=False)
    helpful_count: Mapped[int] = mapped_column(Integer, default=0)
    helpful_score: Mapped[float] = mapped_column(Float, default=0.0)

    book: Mapped[Book] = relationship(lazy="joined", innerjoin=True)
    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)

    @property
    def stars(self) -> float | None:
        return None if self.rating is None else self.rating / 2

    @property
    def has_text(self) -> bool:
        return bool(self.title or self.body)

    def __repr__(self) -> str:
        return f"<Review {self.id} book={self.book_id} user={self.user_id} {self.stars}>"


class HelpfulVote(db.Model):
    __tablename__ = "helpful_votes"

    review_id: Mapped[int] = link_key("reviews.id")
    user_id: Mapped[int] = link_key("users.id", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
