"""The home feed: what the readers someone follows rated, reviewed, started, finished and
listed, newest first.

Three queries per page whatever the number followed: the keys of the page's rows (newest
reviews and feed events of followed readers, minus muted, minus blocks either way, minus
hidden reviews, minus reads kept private), then the reviews and the events by those keys, with
book and reader joined in. Rows are read by keyset (created_at, seq), where ``seq`` is the
row's id doubled (+1 for an event) so the two tables' ids never tie, and "Show more" never
skips or repeats a row as new ones arrive. A run of bare ratings, of books started or of books
finished by one reader is one entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import BigInteger, and_, cast, false, func, or_, select, true, union_all
from sqlalchemy.orm import defaultload, defer

from webapp.extensions import db
from webapp.models import (
    Block,
    Book,
    FeedEvent,
    Follow,
    HelpfulVote,
    Mute,
    Read,
    Review,
    User,
    utcnow,
)
from webapp.services import cursors
from webapp.services.reviews import VISIBLE

PAGE_SIZE = 30
LIKED = 8  # four stars and up (ratings are kept in half-stars)
RUNS = ("ratings", "started", "finished")  # kinds whose runs by one reader make one entry


@dataclass
class Entry:
    """One item of the feed: a review, a run of ratings, of reads started or finished (``items``
    are then feed events), or a list made."""

    kind: str
    user: User
    items: list = field(default_factory=list)

    @property
    def when(self) -> datetime:
        return self.items[0].created_at


def _authors_for(reader: User):
    """The readers whose doings ``reader`` sees (followed, not muted, no block), and whether
    they keep their reading private (then their reads stay out)."""
    muted = select(Mute.muted_id).where(Mute.muter_id == reader.id)
    blocked = select(Block.blocker_id).where(Block.blocked_id == reader.id)
    blocking = select(Block.blocked_id).where(Block.blocker_id == reader.id)
    return (
        select(Follow.followee_id.label("uid"), User.reading_private.label("private"))
        .join(User, User.id == Follow.followee_id)
        .where(
            Follow.follower_id == reader.id,
            Follow.status == "active",
            Follow.followee_id.not_in(muted),
            Follow.followee_id.not_in(blocked),
            Follow.followee_id.not_in(blocking),
        )
    )


def _after(created_at, seq, cursor) -> list:
    if cursor is None:
        return []
    at, last = cursor
    # The first condition alone bounds an index range; the second breaks ties.
    return [created_at <= at, or_(created_at < at, seq < last)]


def _sources(followed, cursor, limit: int, lateral: bool):
    """Per source (reviews, events): the newest ``limit`` keys of the followed readers."""
    # BigInteger: doubling an id near the Integer limit must not overflow on PostgreSQL.
    review_seq = cast(Review.id, BigInteger) * 2
    event_seq = cast(FeedEvent.id, BigInteger) * 2 + 1
    reads_shown = or_(FeedEvent.kind == "listed", followed.c.private == false())
    parts = [
        select(Review.created_at.label("at"), review_seq.label("seq"))
        .where(
            Review.user_id == followed.c.uid,
            VISIBLE,
            *_after(Review.created_at, review_seq, cursor),
        )
        .order_by(Review.created_at.desc(), Review.id.desc()),
        select(FeedEvent.created_at.label("at"), event_seq.label("seq"))
        .where(
            FeedEvent.user_id == followed.c.uid,
            reads_shown,
            *_after(FeedEvent.created_at, event_seq, cursor),
        )
        .order_by(FeedEvent.created_at.desc(), FeedEvent.id.desc()),
    ]
    parts = [part.limit(limit) for part in parts]
    if not lateral:
        return [part.subquery() for part in parts]
    return [part.lateral(f"per_reader_{n}") for n, part in enumerate(parts)]


def _newest_keys(reader: User, cursor, limit: int):
    """(at, seq) of the page's rows, without touching the rows themselves.

    On PostgreSQL each followed reader's newest ``limit`` rows come from their own range of
    the (user_id, created_at) indexes (LATERAL), so the cost is bounded by readers followed ×
    page size, not by how much they ever did. SQLite has no LATERAL: it reads the followed
    readers' index ranges and sorts the keys (fine at the sizes SQLite serves).
    """
    followed = _authors_for(reader).subquery("followed")
    postgres = db.engine.dialect.name == "postgresql"
    if postgres:
        branches = [
            select(part.c.at, part.c.seq).select_from(followed.join(part, true()))
            for part in _sources(followed, cursor, limit, lateral=True)
        ]
    else:
        branches = [
            select(part.c.at, part.c.seq)
            for part in _sources(followed, cursor, limit, lateral=False)
        ]
    keys = union_all(*branches).subquery("keys")
    return select(keys.c.at, keys.c.seq).order_by(keys.c.at.desc(), keys.c.seq.desc()).limit(limit)


def seq(row: Review | FeedEvent) -> int:
    return row.id * 2 + (1 if isinstance(row, FeedEvent) else 0)


def encode_cursor(row: Review | FeedEvent) -> str:
    return cursors.time_key(row.created_at, seq(row))


def decode_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    """None for a missing or malformed cursor (the feed then starts from the newest)."""
    return cursors.time_cursor(cursor)


def _kind(row: Review | FeedEvent) -> str:
    if isinstance(row, FeedEvent):
        return row.kind
    return "ratings" if not row.title and not row.body_html else "review"


def group(rows: list) -> list[Entry]:
    """Reviews with words and lists stand alone; consecutive bare ratings, reads started or
    reads finished by one reader are one entry."""
    entries: list[Entry] = []
    for row in rows:
        kind, last = _kind(row), (entries[-1] if entries else None)
        if kind in RUNS and last and last.kind == kind and last.user.id == row.user_id:
            last.items.append(row)
        else:
            entries.append(Entry(kind, row.user, [row]))
    return entries


def page(reader: User, after: str | None = None, limit: int | None = None):
    """(entries, next cursor or None) for ``reader``'s feed, after ``after`` if given."""
    limit = limit or PAGE_SIZE
    keys = db.session.execute(_newest_keys(reader, decode_cursor(after), limit + 1)).all()
    review_ids = [s // 2 for _, s in keys if s % 2 == 0]
    event_ids = [s // 2 for _, s in keys if s % 2 == 1]
    query = select(Review).options(defer(Review.body)).where(Review.id.in_(review_ids))
    rows: list = list(db.session.scalars(query))
    # The entries show a book's title only: its authors are not loaded.
    no_authors = defaultload(FeedEvent.read).defaultload(Read.book).lazyload(Book.book_authors)
    events = select(FeedEvent).options(no_authors).where(FeedEvent.id.in_(event_ids))
    rows += db.session.scalars(events).unique()
    rows.sort(key=lambda row: (row.created_at, seq(row)), reverse=True)
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
