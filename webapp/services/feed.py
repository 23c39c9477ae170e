"""The home feed: what the readers someone follows rated and reviewed, newest first.

One query per page whatever the number followed: the ids of the newest reviews of followed
readers (minus muted, minus blocks either way, minus hidden reviews) picked first, then those
rows with book and reader joined in; read by keyset (created_at, id) so "Show more" never
skips or repeats a row as new ones arrive. A run of bare ratings by one reader is one entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, true
from sqlalchemy.orm import defer

from webapp.extensions import db
from webapp.models import Block, Follow, HelpfulVote, Mute, Review, User, utcnow
from webapp.services import cursors
from webapp.services.reviews import VISIBLE

PAGE_SIZE = 30
LIKED = 8  # four stars and up (ratings are kept in half-stars)


@dataclass
class Entry:
    """One item of the feed: a review, or a run of ratings (``kind`` "ratings")."""

    kind: str
    user: User
    reviews: list[Review] = field(default_factory=list)

    @property
    def when(self) -> datetime:
        return self.reviews[0].created_at


def _authors_for(reader: User):
    """Ids of the readers whose reviews ``reader`` sees: followed, not muted, no block."""
    muted = select(Mute.muted_id).where(Mute.muter_id == reader.id)
    blocked = select(Block.blocker_id).where(Block.blocked_id == reader.id)
    blocking = select(Block.blocked_id).where(Block.blocker_id == reader.id)
    return select(Follow.followee_id.label("uid")).where(
        Follow.follower_id == reader.id,
        Follow.status == "active",
        Follow.followee_id.not_in(muted),
        Follow.followee_id.not_in(blocked),
        Follow.followee_id.not_in(blocking),
    )


def _newest_ids(reader: User, cursor, limit: int):
    """The ids of the page's reviews, without touching any other table.

    On PostgreSQL each followed reader's newest ``limit`` rows come from their own range of
    the (user_id, created_at) index (LATERAL), so the cost is bounded by readers followed ×
    page size, not by how much they ever wrote. SQLite has no LATERAL: it reads the followed
    readers' index ranges and sorts the ids (fine at the sizes SQLite serves).
    """
    newest = (Review.created_at.desc(), Review.id.desc())
    where = [VISIBLE]
    if cursor is not None:
        at, review_id = cursor
        # The first condition alone bounds an index range; the second breaks ties by id.
        where += [Review.created_at <= at, or_(Review.created_at < at, Review.id < review_id)]
    authors = _authors_for(reader)
    if db.engine.dialect.name != "postgresql":
        return (
            select(Review.id)
            .where(Review.user_id.in_(authors), *where)
            .order_by(*newest)
            .limit(limit)
        )
    followed = authors.subquery("followed")
    per_reader = (
        select(Review.id, Review.created_at)
        .where(Review.user_id == followed.c.uid, *where)
        .order_by(*newest)
        .limit(limit)
        .lateral("per_reader")
    )
    return (
        select(per_reader.c.id)
        .select_from(followed.join(per_reader, true()))
        .order_by(per_reader.c.created_at.desc(), per_reader.c.id.desc())
        .limit(limit)
    )


def encode_cursor(review: Review) -> str:
    return f"{review.created_at.isoformat()}_{review.id}"


def decode_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    """None for a missing or malformed cursor (the feed then starts from the newest)."""
    return cursors.time_cursor(cursor)


def group(reviews: list[Review]) -> list[Entry]:
    """Reviews with words stand alone; consecutive bare ratings by one reader are one entry."""
    entries: list[Entry] = []
    for review in reviews:
        bare = not review.title and not review.body_html
        last = entries[-1] if entries else None
        if bare and last and last.kind == "ratings" and last.user.id == review.user_id:
            last.reviews.append(review)
        else:
            entries.append(Entry("ratings" if bare else "review", review.user, [review]))
    return entries


def page(reader: User, after: str | None = None, limit: int | None = None):
    """(entries, next cursor or None) for ``reader``'s feed, after ``after`` if given."""
    limit = limit or PAGE_SIZE
    ids = _newest_ids(reader, decode_cursor(after), limit + 1)
    query = (
        select(Review)
        .options(defer(Review.body))
        .where(Review.id.in_(ids.scalar_subquery()))
        .order_by(Review.created_at.desc(), Review.id.desc())
    )
    rows = list(db.session.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    return group(rows), (encode_cursor(rows[-1]) if more and rows else None)


def _not_followed(reader: User):
    followed = select(Follow.followee_id).where(Follow.follower_id == reader.id)
    return and_(User.id != reader.id, User.id.not_in(followed))


def kindred_readers(reader: User, limit: int = 5) -> list[tuple[User, int]]:
    """Readers who rated highly the books ``reader`` rated highly, most books in common first."""
    liked = select(Review.book_id).where(Review.user_id == reader.id, Review.rating >= LIKED)
    shared = func.count(Review.id).label("shared")
    query = (
        select(User, shared)
        .join(Review, Review.user_id == User.id)
        .where(Review.book_id.in_(liked), Review.rating >= LIKED, VISIBLE, _not_followed(reader))
        .group_by(User.id)
        .order_by(shared.desc(), User.id)
        .limit(limit)
    )
    return [(user, n) for user, n in db.session.execute(query)]


def helpful_reviewers(reader: User, days: int = 7, limit: int = 5) -> list[tuple[User, int]]:
    """Readers whose reviews earned the most helpful votes in the last ``days`` days."""
    votes = func.count(HelpfulVote.review_id).label("votes")
    query = (
        select(User, votes)
        .join(Review, Review.user_id == User.id)
        .join(HelpfulVote, HelpfulVote.review_id == Review.id)
        .where(HelpfulVote.created_at >= utcnow() - timedelta(days=days), _not_followed(reader))
        .group_by(User.id)
        .order_by(votes.desc(), User.id)
        .limit(limit)
    )
    return [(user, n) for user, n in db.session.execute(query)]
