"""Recounting the kept numbers from the rows they summarise, and saying what differed.

The kept numbers are each book's rating count, sum, histogram, review count and Bayesian
score, and each review's helpful count and score. Writers keep them exact (services.reviews
locks what it reads); ``flask recount --check`` proves it, and ``flask recount`` repairs and
reports any drift left by an outside change.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, or_, select, update

from webapp.extensions import db
from webapp.models import Book, HelpfulVote, Review
from webapp.models.book import KEPT_AGGREGATES, bayesian_score
from webapp.services import versions
from webapp.services.reviews import VISIBLE, bucket, helpful_score

BOOK_FIELDS = KEPT_AGGREGATES
REVIEW_FIELDS = ("helpful_count", "helpful_score")
# Scores are floats computed by SQL on one side and Python on the other.
TOLERANCE = 1e-9


@dataclass(frozen=True)
class Difference:
    """One kept number that disagrees with its recount."""

    kind: str  # "book" or "review"
    id: int
    label: str
    field: str
    kept: int | float
    counted: int | float

    def line(self) -> str:
        return f"{self.kind} {self.id} ({self.label}): {self.field} {self.kept} → {self.counted}"


def _differs(kept, counted) -> bool:
    if isinstance(kept, float) or isinstance(counted, float):
        return abs((kept or 0) - counted) > TOLERANCE
    return kept != counted


def empty_totals() -> dict:
    return dict.fromkeys(BOOK_FIELDS, 0) | {"bayes_score": bayesian_score(0, 0)}


def _book_totals(book_ids: list[int] | None) -> tuple[dict[int, dict], dict[int, object]]:
    """Counted aggregates per book from its visible reviews, and the newest review's time."""
    grouped = (
        select(
            Review.book_id,
            Review.rating,
            func.count(),
            func.sum(case((or_(Review.title.is_not(None), Review.body.is_not(None)), 1), else_=0)),
            func.max(Review.created_at),
        )
        .where(VISIBLE)
        .group_by(Review.book_id, Review.rating)
    )
    if book_ids is not None:
        grouped = grouped.where(Review.book_id.in_(book_ids))
    totals: dict[int, dict] = {}
    newest: dict[int, object] = {}
    for book_id, rating, n, with_text, last in db.session.execute(grouped):
        t = totals.setdefault(book_id, empty_totals())
        t["review_count"] += int(with_text or 0)
        if rating is not None:  # text-only reviews are in no rating number
            t["rating_count"] += n
            t["rating_sum"] += rating * n
            t[f"stars_{bucket(rating)}"] += n
        if last is not None and (book_id not in newest or last > newest[book_id]):
            newest[book_id] = last
    for t in totals.values():
        t["bayes_score"] = bayesian_score(t["rating_count"], t["rating_sum"] / 2)
    return totals, newest


def _book_differences(book_ids: list[int] | None) -> tuple[list[Difference], dict[int, object]]:
    totals, newest = _book_totals(book_ids)
    columns = [getattr(Book, name) for name in BOOK_FIELDS]
    query = select(Book.id, Book.title, Book.last_reviewed_at, *columns).order_by(Book.id)
    if book_ids is not None:
        query = query.where(Book.id.in_(book_ids))
    found: list[Difference] = []
    stale: dict[int, object] = {}
    for book_id, title, last_reviewed, *kept in db.session.execute(query):
        counted = totals.get(book_id) or empty_totals()
        for name, value in zip(BOOK_FIELDS, kept, strict=True):
            if _differs(value, counted[name]):
                found.append(Difference("book", book_id, title, name, value, counted[name]))
        last = newest.get(book_id)
        if last is not None and (last_reviewed is None or last_reviewed < last):
            stale[book_id] = last
    return found, stale


def _review_differences(
    book_ids: list[int] | None, review_ids: list[int] | None = None
) -> list[Difference]:
    votes = (
        select(HelpfulVote.review_id, func.count().label("n"))
        .group_by(HelpfulVote.review_id)
        .subquery()
    )
    query = (
        select(Review.id, Review.book_id, Review.helpful_count, Review.helpful_score, votes.c.n)
        .outerjoin(votes, votes.c.review_id == Review.id)
        .where(
            or_(
                Review.helpful_count != func.coalesce(votes.c.n, 0),
                Review.helpful_count > 0,
                Review.helpful_score != 0,
            )
        )
        .order_by(Review.id)
    )
    if book_ids is not None:
        query = query.where(Review.book_id.in_(book_ids))
    if review_ids is not None:
        query = query.where(Review.id.in_(review_ids))
    found: list[Difference] = []
    for review_id, book_id, count, score, n in db.session.execute(query):
        label = f"book {book_id}"
        n = n or 0
        if count != n:
            found.append(Difference("review", review_id, label, "helpful_count", count, n))
        if _differs(score, helpful_score(n)):
            found.append(
                Difference("review", review_id, label, "helpful_score", score, helpful_score(n))
            )
    return found


def check(book_ids: list[int] | None = None) -> list[Difference]:
    """Every kept number of ``book_ids`` (default: all books) that differs from a recount.

    Changes nothing; the caller's transaction is left open (read-only).
    """
    books, _ = _book_differences(book_ids)
    return books + _review_differences(book_ids)


def repair(book_ids: list[int] | None = None) -> list[Difference]:
    """Set every differing kept number to its recount, commit, and return what was corrected.

    A first look finds the rows that differ; they are then locked and counted again, so a
    reader saving meanwhile is neither lost nor counted twice. Also moves ``last_reviewed_at``
    forward where a review is newer (a merge brings some).
    """
    from webapp.services import locks

    found = check(book_ids)
    books = {d.id for d in found if d.kind == "book"}
    books = sorted(books if book_ids is None else set(book_ids))
    review_ids = sorted({d.id for d in found if d.kind == "review"})
    locks.begin_write()
    locks.lock_books(books)
    locks.lock_reviews(review_ids)
    fixed, stale = _book_differences(books) if books else ([], {})
    if review_ids:
        fixed += _review_differences(None, review_ids)
    changes: dict[tuple[str, int], dict] = {}
    for diff in fixed:
        changes.setdefault((diff.kind, diff.id), {})[diff.field] = diff.counted
    for book_id, last in stale.items():
        changes.setdefault(("book", book_id), {})["last_reviewed_at"] = last
    for (kind, row_id), values in changes.items():
        model = Book if kind == "book" else Review
        db.session.execute(
            update(model)
            .where(model.id == row_id)
            .values(values)
            .execution_options(synchronize_session=False)
        )
        versions.touch(**{kind: row_id})
    db.session.commit()
    return fixed
