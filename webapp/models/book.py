"""Books, their authors, and the rating aggregates each book keeps."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import Float, Integer, SmallInteger, String, Text

from webapp.extensions import db
from webapp.models.base import UTCDateTime, link_key, utcnow

# "Top rated" ranks by a Bayesian average: every book starts with PRIOR_WEIGHT imaginary ratings
# of PRIOR_MEAN stars, so one 5-star rating (score 3.64) ranks below two hundred ratings averaging
# 4.6 (score 4.55). The prior is fixed, not the live site mean, so a score only changes when that
# book's own ratings change and can be kept in an indexed column.
PRIOR_MEAN = 3.5
PRIOR_WEIGHT = 10


def bayesian_score(count: int, total_stars: float) -> float:
    return (PRIOR_MEAN * PRIOR_WEIGHT + total_stars) / (PRIOR_WEIGHT + count)


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:60].rstrip("-") or "book"


class Author(db.Model):
    __tablename__ = "authors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Lower-cased name: the same author typed twice is one row.
    name_key: Mapped[str] = mapped_column(String(200), unique=True)

    @property
    def slug(self) -> str:
        return slugify(self.name)


class BookAuthor(db.Model):
    """Authorship, ordered: the first author is the one shown on covers and lists."""

    __tablename__ = "book_authors"

    book_id: Mapped[int] = link_key("books.id")
    author_id: Mapped[int] = link_key("authors.id", index=True)
    position: Mapped[int] = mapped_column(SmallInteger, default=0)

    author: Mapped[Author] = relationship(lazy="joined", innerjoin=True)


# The kept aggregates below, as recount rebuilds them (services.recount) and as a page version
# ignores them on other pages (services.versions).
KEPT_AGGREGATES = (
    "rating_count",
    "rating_sum",
    "review_count",
    "stars_1",
    "stars_2",
    "stars_3",
    "stars_4",
    "stars_5",
    "bayes_score",
)


class Book(db.Model):
    __tablename__ = "books"
    __table_args__ = (
        CheckConstraint("rating_count >= 0", name="rating_count_positive"),
        Index("ix_books_top", "bayes_score", "id"),
        Index("ix_books_most_reviewed", "review_count", "id"),
        Index("ix_books_last_reviewed", "last_reviewed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    subtitle: Mapped[str | None] = mapped_column(String(300))
    # Other titles the book is known by, one per line ("1984" for Nineteen Eighty-Four,
    # translations, a US title); searched like the title.
    other_titles: Mapped[str | None] = mapped_column(Text)
    isbn13: Mapped[str | None] = mapped_column(String(13), unique=True)
    publisher: Mapped[str | None] = mapped_column(String(200))
    year: Mapped[int | None] = mapped_column(SmallInteger)
    pages: Mapped[int | None] = mapped_column(Integer)
    language: Mapped[str | None] = mapped_column(String(35))
    description: Mapped[str | None] = mapped_column(Text)
    # An address a cover was once linked from (before covers were stored here): never shown,
    # only fetched once by the worker into our own storage (services/covers.py).
    cover_url: Mapped[str | None] = mapped_column(String(500))
    # The stored cover (webapp/media.py): the hash its files are named by; None shows the SVG.
    cover_key: Mapped[str | None] = mapped_column(String(20))
    # When the worker last looked for a cover, found or not: a page view asks for one at most once.
    cover_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When a look was last queued: the claim that keeps one job per book (services/covers.py).
    cover_queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    added_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    # Kept aggregates, changed in the same transaction as every rating (services.reviews).
    rating_count: Mapped[int] = mapped_column(Integer, default=0)
    rating_sum: Mapped[int] = mapped_column(Integer, default=0)  # in half-stars
    review_count: Mapped[int] = mapped_column(Integer, default=0)  # ratings with written text
    stars_1: Mapped[int] = mapped_column(Integer, default=0)  # 0.5 and 1 star
    stars_2: Mapped[int] = mapped_column(Integer, default=0)
    stars_3: Mapped[int] = mapped_column(Integer, default=0)
    stars_4: Mapped[int] = mapped_column(Integer, default=0)
    stars_5: Mapped[int] = mapped_column(Integer, default=0)  # 4.5 and 5 stars
    bayes_score: Mapped[float] = mapped_column(Float, default=PRIOR_MEAN)
    last_reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    book_authors: Mapped[list[BookAuthor]] = relationship(
        order_by=BookAuthor.position, cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def authors(self) -> list[Author]:
        return [link.author for link in self.book_authors]

    @property
    def author_names(self) -> str:
        names = [a.name for a in self.authors]
        if len(names) <= 2:
            return " and ".join(names)
        return ", ".join(names[:-1]) + " and " + names[-1]

    @property
    def slug(self) -> str:
        return slugify(self.title)

    @property
    def average(self) -> float | None:
        """Mean rating in stars, or None before the first rating."""
        if not self.rating_count:
            return None
        return self.rating_sum / 2 / self.rating_count

    @property
    def histogram(self) -> list[tuple[int, int]]:
        """(stars, count) from 5 down to 1; half stars count toward the star above."""
        return [(n, getattr(self, f"stars_{n}")) for n in range(5, 0, -1)]

    def __repr__(self) -> str:
        return f"<Book {self.id} {self.title!r}>"
