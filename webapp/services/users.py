"""Public reader profiles: who they are, what they shelved, what they wrote."""

from __future__ import annotations

from sqlalchemy import func, select

from webapp.errors import ValidationError
from webapp.extensions import db
from webapp.models import Review, User
from webapp.pagination import Page
from webapp.services import reviews, versions

PROFILE_REVIEWS = 10
MAX_BIO = 1000


def set_bio(user: User, text: str | None) -> None:
    """The few lines about themselves a reader shows on their profile (Markdown, sanitised when
    shown, like reviews). Raises ValidationError('bio') past MAX_BIO characters."""
    bio = (text or "").strip() or None
    if bio and len(bio) > MAX_BIO:
        raise ValidationError("bio", f"Keep it under {MAX_BIO:,} characters ({len(bio):,} now).")
    user.bio = bio
    versions.touch(user=user.id)  # the cached public profile shows it
    db.session.commit()


def reviews_by(
    user: User, page: int = 1, per_page: int = PROFILE_REVIEWS, *, include_hidden: bool = False
) -> Page:
    """The reader's ratings and reviews, newest first (book and authors eager-loaded).

    Hidden reviews are listed only for the author themselves and staff (``include_hidden``).
    """
    page = max(1, page)
    where = [Review.user_id == user.id]
    if not include_hidden:
        where.append(reviews.VISIBLE)
    total = db.session.scalar(select(func.count(Review.id)).where(*where))
    query = (
        select(Review)
        .where(*where)
        .order_by(Review.created_at.desc(), Review.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return Page(list(db.session.scalars(query)), page, per_page, total or 0)


def stats_for(user: User) -> dict:
    """Rating statistics for a profile: count, average and a 5-row histogram (text-only
    reviews are not ratings)."""
    rows = db.session.execute(
        select(Review.rating, func.count())
        .where(Review.user_id == user.id, Review.rating.is_not(None), reviews.VISIBLE)
        .group_by(Review.rating)
    ).all()
    counts = {n: 0 for n in range(1, 6)}
    total = halves = 0
    for rating, n in rows:
        counts[reviews.bucket(rating)] += n
        total += n
        halves += rating * n
    return {
        "count": total,
        "average": (halves / 2 / total) if total else None,
        "histogram": [(n, counts[n]) for n in range(5, 0, -1)],
    }
