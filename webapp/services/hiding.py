"""Hiding a review and showing it again: the shared step under moderation, reports and
suspensions. The book's kept aggregates, the audit entry and the author's notice move together.

A hidden review leaves its book's aggregates (services.reviews.apply_to_book) and comes back
into them when shown again. Nothing here checks permissions or commits: callers do.
"""

from __future__ import annotations

from webapp.models import Review, User, utcnow
from webapp.services import reviews
from webapp.services.audit import audit, review_snapshot
from webapp.services.notices import notify


def hide_review(actor: User | None, review: Review, reason: str, *, kind: str) -> None:
    """Hide ``review`` (``kind``: moderation, reports or suspension). A suspension tells no one
    and writes no entry of its own: the suspension's one entry lists the reviews it hid."""
    before = review_snapshot(review)
    if not review.is_hidden:
        reviews.apply_to_book(review.book_id, reviews.tally(review), None)
    review.hidden_at = utcnow()
    review.hidden_by_id = actor.id if actor else None
    review.hidden_reason = reason
    review.hidden_kind = kind
    if kind == "suspension":
        return
    audit(
        actor,
        "hide_review",
        "review",
        review.id,
        reason=reason,
        before=before,
        after=review_snapshot(review),
    )
    notify(
        review.user_id,
        f"Your review of {review.book.title} was hidden: {reason}",
        f"/books/{review.book_id}",
        topic="moderation",
    )


def show_review(actor: User | None, review: Review, *, notice: bool = True) -> None:
    """Show a hidden review again (a visible one is left alone). Without ``notice`` (the end
    of a suspension) it writes no entry either: the suspension's end lists what it restored."""
    if not review.is_hidden:
        return
    before = review_snapshot(review)
    review.hidden_at = review.hidden_by_id = review.hidden_reason = review.hidden_kind = None
    reviews.apply_to_book(review.book_id, None, reviews.tally(review))
    if not notice:
        return
    audit(
        actor, "restore_review", "review", review.id, before=before, after=review_snapshot(review)
    )
    notify(
        review.user_id,
        f"Your review of {review.book.title} is visible again.",
        f"/books/{review.book_id}",
        topic="moderation",
    )
