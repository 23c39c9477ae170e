"""Ratings and reviews: one per reader per book, with the book's aggregates kept in step."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload

from webapp import markdown, permissions
from webapp.errors import NotAllowed, NotFound, ValidationError
from webapp.extensions import db
from webapp.models import Book, HelpfulVote, Review, ShelfEntry, User, utcnow
from webapp.models.book import bayesian_score
from webapp.services import locks, privacy, reads, versions
from webapp.services.review_pages import REVIEW_SORTS, REVIEWS_PER_PAGE, for_book  # noqa: F401
from webapp.services.text import one_line

MAX_TITLE = 200
MAX_BODY = 20_000
STAR_CHOICES = [f"{n / 2:g}" for n in range(1, 11)]  # "0.5", "1", … "5"


def parse_stars(value: str | float | None) -> int | None:
    """'3.5' → 7 half-stars (fullwidth digits are digits); '' or None → None, not rated.

    Raises ValidationError('rating').
    """
    text = unicodedata.normalize("NFKC", str(value if value is not None else "")).strip()
    if text == "":
        return None
    if any(ch.isdigit() and not ch.isascii() for ch in text):
        raise ValidationError("rating", "Write the rating with the digits 0–9, e.g. 3.5.")
    if not re.fullmatch(r"[0-9]{1,3}(\.[0-9]{1,3})?", text):
        raise ValidationError("rating", "Choose a rating from 0.5 to 5 stars.")
    halves = Decimal(text) * 2
    if halves != halves.to_integral_value() or not 1 <= halves <= 10:
        raise ValidationError("rating", "Choose a rating from 0.5 to 5 stars, in half stars.")
    return int(halves)


@dataclass(frozen=True)
class Tally:
    """What one review adds to its book's kept aggregates; ``rating`` None adds no rating."""

    rating: int | None
    has_text: bool


def tally(review: Review | None) -> Tally | None:
    """What ``review`` would add to its book's aggregates, hidden or not."""
    return None if review is None else Tally(review.rating, review.has_text)


def counted(review: Review | None) -> Tally | None:
    """What ``review`` adds to its book's aggregates now: nothing while it is hidden."""
    return None if review is None or review.is_hidden else tally(review)


VISIBLE = Review.hidden_at.is_(None)


def bucket(rating: int) -> int:
    """Histogram row for a rating in half-stars: 0.5–1 → 1 … 4.5–5 → 5."""
    return (rating + 1) // 2


def deltas(old: Tally | None, new: Tally | None) -> dict[str, int]:
    """How a book's kept counts move from ``old`` to ``new``: ``dc`` ratings, ``ds`` half-star
    sum, ``dr`` reviews with text, ``d1``..``d5`` histogram rows. An unrated (text-only) review
    moves only ``dr``."""
    moved = dict.fromkeys(("dc", "ds", "dr", *BUCKETS), 0)
    for one, sign in ((old, -1), (new, 1)):
        if one is None:
            continue
        moved["dr"] += sign * int(one.has_text)
        if one.rating is not None:
            moved["dc"] += sign
            moved["ds"] += sign * one.rating
            moved[f"d{bucket(one.rating)}"] += sign
    return moved


BUCKETS = tuple(f"d{n}" for n in range(1, 6))


def apply_to_book(book_id: int, old: Tally | None, new: Tally | None) -> None:
    """Move the book's kept aggregates from ``old`` to ``new`` in one UPDATE.

    ``old`` must have been read under the book's lock (services.locks): the increments run in
    SQL, but they are only right if no one else changed the review since it was read.
    """
    d = deltas(old, new)
    dc, ds = d["dc"], d["ds"]
    values: dict = {
        Book.rating_count: Book.rating_count + dc,
        Book.rating_sum: Book.rating_sum + ds,
        Book.review_count: Book.review_count + d["dr"],
        Book.bayes_score: bayesian_score(Book.rating_count + dc, (Book.rating_sum + ds) / 2.0),
    }
    for n in range(1, 6):
        if d[f"d{n}"]:
            column = getattr(Book, f"stars_{n}")
            values[column] = column + d[f"d{n}"]
    if new is not None:
        values[Book.last_reviewed_at] = utcnow()
    db.session.execute(
        update(Book)
        .where(Book.id == book_id)
        .values(values)
        .execution_options(synchronize_session=False)
    )
    versions.touch(book=book_id)


def _clean_text(title: str | None, body: str | None) -> tuple[str | None, str | None]:
    title = one_line(title, "title", MAX_TITLE, f"Keep the title under {MAX_TITLE} characters.")
    body = (body or "").strip() or None
    if body and len(body) > MAX_BODY:
        raise ValidationError("body", f"Keep the review under {MAX_BODY:,} characters.")
    return title, body


def find(user: User, book: Book) -> Review | None:
    # The caller holds ``book``: skip the eager join (review.book comes from the identity map).
    # Read afresh even if the session has the review: under a lock, the stored row is the truth.
    return db.session.scalar(
        select(Review)
        .options(lazyload(Review.book))
        .where(Review.user_id == user.id, Review.book_id == book.id)
        .execution_options(populate_existing=True)
    )


def _lock_for_posting(user: User, book: Book) -> None:
    """Lock the reader and the book before reading the reader's review of it.

    Raises NotFound when the book was merged away (or the account deleted) meanwhile.
    """
    if not locks.lock_reader(user.id):
        raise NotFound("Your account no longer exists.")
    if not locks.lock_books([book.id]):
        raise NotFound("That book is no longer in the catalogue.")


def save(
    user: User,
    book: Book,
    *,
    stars: str | float | None,
    title: str | None = None,
    body: str | None = None,
    spoiler: bool = False,
) -> tuple[Review, bool]:
    """Create or update ``user``'s review of ``book``; returns (review, created).

    A review needs a rating or a body (``stars`` empty: a text-only review, not rated).
    The book is locked before the old review is read, so two simultaneous first posts (a
    double click) run one after the other: the second finds the first's review and edits it.
    Raises ValidationError, or NotFound when the book was merged away meanwhile.
    """
    rating = parse_stars(stars)
    title, body = _clean_text(title, body)
    if rating is None and body is None:
        # A title alone says too little to stand as a review; the message goes where the
        # missing part is.
        if title:
            raise ValidationError("body", "Write your review, or choose a star rating.")
        raise ValidationError("rating", "Choose a star rating, write a review, or both.")
    fields = {
        "rating": rating,
        "title": title,
        "body": body,
        "body_html": markdown.render(body),
        "spoiler": bool(spoiler and body),
    }
    _lock_for_posting(user, book)
    review = find(user, book)
    created = review is None
    if created:
        review = Review(user_id=user.id, book_id=book.id, **fields)
        db.session.add(review)
        db.session.flush()
        apply_to_book(book.id, None, tally(review))
    else:
        # A hidden review stays hidden when edited, and out of the aggregates.
        old = counted(review)
        for name, value in fields.items():
            setattr(review, name, value)
        review.updated_at = utcnow()
        if old is not None or not review.is_hidden:
            apply_to_book(book.id, old, counted(review))
    _shelve_as_read(user, book)
    db.session.commit()
    db.session.refresh(book)
    return review, created


def _shelve_as_read(user: User, book: Book) -> None:
    """Rating a book shelves it as Read (one finished read, date unknown), unless shelved."""
    shelved = db.session.scalar(
        select(exists().where(ShelfEntry.user_id == user.id, ShelfEntry.book_id == book.id))
    )
    if not shelved:
        try:
            with db.session.begin_nested():
                db.session.add(ShelfEntry(user_id=user.id, book_id=book.id, status="read"))
                reads.ensure_finished_read(user, book)
        except IntegrityError:
            pass  # shelved meanwhile by a concurrent request: theirs stands


def remove(actor: User, review: Review) -> Book:
    """Delete a review (its author or staff). Raises NotAllowed, or NotFound if already gone."""
    if not permissions.can_delete_review(actor, review):
        raise NotAllowed("You can only delete your own reviews.")
    review = locks.review_for_write(review.id, delete=True)
    if review is None:
        raise NotFound("That review was already deleted.")
    book = review.book
    apply_to_book(book.id, counted(review), None)
    db.session.delete(review)
    db.session.commit()
    db.session.refresh(book)
    return book


def delete_all_by(user: User) -> int:
    """Remove every review by ``user`` (account deletion), keeping book aggregates right.

    Locks the account first, so no review or vote of theirs can arrive meanwhile; the caller
    deletes the user row in the same transaction.
    """
    locks.lock_reader(user.id, delete=True)
    own = select(Review.book_id).where(Review.user_id == user.id)
    books: set[int] = set()
    while missing := set(db.session.scalars(own)) - books:  # a merge may move one meanwhile
        books |= set(locks.lock_books(missing)) | missing
    voted = list(
        db.session.scalars(select(HelpfulVote.review_id).where(HelpfulVote.user_id == user.id))
    )
    mine = db.session.scalars(select(Review.id).where(Review.user_id == user.id))
    locks.lock_reviews([*voted, *mine], delete=True)
    if voted:
        db.session.execute(delete(HelpfulVote).where(HelpfulVote.user_id == user.id))
        for review_id in voted:
            _recount_helpful(review_id)
    reviews = list(
        db.session.scalars(
            select(Review)
            .where(Review.user_id == user.id)
            .execution_options(populate_existing=True)
        )
    )
    for review in reviews:
        if not review.is_hidden:
            apply_to_book(review.book_id, tally(review), None)
        db.session.delete(review)
    return len(reviews)


def helpful_score(votes: int) -> float:
    """Rank for "most helpful": the Wilson lower bound (95%) of a helpful share.

    Readers can only mark a review helpful, so each review is scored as if it also had
    UNHELPFUL_PRIOR "not helpful" votes. The score grows with votes but flattens
    (0 → 0, 1 → 0.06, 5 → 0.36, 20 → 0.72, 100 → 0.93), so a handful of early votes cannot
    lock a review at the top; ties fall back to newest first.
    """
    n = votes + UNHELPFUL_PRIOR
    if votes == 0:
        return 0.0
    z = 1.96
    p = votes / n
    return (p + z * z / (2 * n) - z * math.sqrt((p * (1 - p) + z * z / (4 * n)) / n)) / (
        1 + z * z / n
    )


UNHELPFUL_PRIOR = 2


def toggle_helpful(user: User, review: Review) -> bool:
    """Mark or unmark ``review`` helpful for ``user``; returns the new state.

    The review is locked first, so votes on it are counted one after another (a double
    click marks, then unmarks). Raises NotAllowed, or NotFound if the review is gone.
    """
    if not permissions.can_vote_helpful(user, review):
        raise NotAllowed("You cannot mark your own review helpful.")
    if not locks.lock_reader(user.id) or not locks.lock_reviews([review.id]):
        raise NotFound("That review was deleted.")
    removed = db.session.execute(
        delete(HelpfulVote).where(
            HelpfulVote.review_id == review.id, HelpfulVote.user_id == user.id
        )
    ).rowcount
    marked = not removed
    if marked:
        db.session.add(HelpfulVote(review_id=review.id, user_id=user.id))
        db.session.flush()
    _recount_helpful(review.id)
    db.session.commit()
    db.session.refresh(review)
    return marked


def _recount_helpful(review_id: int) -> None:
    """Set a review's vote count and score from its votes (the caller holds the review's lock)."""
    votes = db.session.scalar(
        select(func.count()).select_from(HelpfulVote).where(HelpfulVote.review_id == review_id)
    )
    db.session.execute(
        update(Review)
        .where(Review.id == review_id)
        .values(helpful_count=votes, helpful_score=helpful_score(votes))
        .execution_options(synchronize_session=False)
    )
    versions.touch(review=review_id)


def voted_ids(user: User | None, review_ids: list[int]) -> set[int]:
    """Which of these reviews ``user`` marked helpful (one query for a whole page)."""
    if not permissions.is_signed_in(user) or not review_ids:
        return set()
    query = select(HelpfulVote.review_id).where(
        HelpfulVote.user_id == user.id, HelpfulVote.review_id.in_(review_ids)
    )
    return set(db.session.scalars(query))


def recent(limit: int = 10) -> list[Review]:
    query = (
        select(Review)
        .where(or_(Review.title.is_not(None), Review.body.is_not(None)), VISIBLE)
        .where(privacy.shown_to(None, Review.user_id))  # for visitors: public readers only
        .order_by(Review.created_at.desc(), Review.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))
