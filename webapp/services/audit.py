"""The audit log: an append-only record of every staff (and system) action.

Entries are added in the same transaction as the change they record; nothing here commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select

from webapp.extensions import db
from webapp.models import AuditEntry, Book, Reply, Review, User
from webapp.services import cursors

LOG_PER_PAGE = 100


def audit(
    actor: User | None,
    action: str,
    target_type: str,
    target_id: int,
    *,
    reason: str | None = None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEntry:
    """Record one action (``actor`` None means the system did it). Does not commit."""
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        actor_name=actor.username if actor else "system",
        action=action,
        target_type=target_type,
        target_id=target_id,
        reason=reason,
        before=before,
        after=after,
    )
    db.session.add(entry)
    return entry


def review_snapshot(review: Review) -> dict:
    """What the log keeps of a review, before and after a change (and after its deletion)."""
    return {
        "book_id": review.book_id,
        "user_id": review.user_id,
        "rating": review.rating,
        "title": review.title,
        "body": review.body,
        "spoiler": review.spoiler,
        "hidden": review.is_hidden,
        "hidden_reason": review.hidden_reason,
    }


@dataclass
class LogFilter:
    actor: str = ""
    action: str = ""
    target_type: str = ""
    target_id: int | None = None

    def args(self) -> dict:
        """The filters given, as query arguments (for the links to other pages)."""
        return {k: v for k, v in vars(self).items() if v not in ("", None)}


def log(
    filters: LogFilter, before: tuple | None = None, limit: int = LOG_PER_PAGE
) -> tuple[list[AuditEntry], str | None]:
    """The newest entries that match every filter given, older than ``before`` (a
    ``cursors.time_cursor``), and the cursor of the page after them (None on the last)."""
    query = select(AuditEntry)
    if filters.actor:
        query = query.where(AuditEntry.actor_name == filters.actor)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.target_type:
        query = query.where(AuditEntry.target_type == filters.target_type)
    if filters.target_id is not None:
        query = query.where(AuditEntry.target_id == filters.target_id)
    if before is not None:
        at, entry_id = before
        query = query.where(
            or_(
                AuditEntry.created_at < at,
                and_(AuditEntry.created_at == at, AuditEntry.id < entry_id),
            )
        )
    query = query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(limit + 1)
    entries = list(db.session.scalars(query))
    if len(entries) <= limit:
        return entries, None
    last = entries[limit - 1]
    return entries[:limit], cursors.time_key(last.created_at, last.id)


def log_actions() -> list[str]:
    """Every action name the log holds (for its filter)."""
    return list(db.session.scalars(select(AuditEntry.action).distinct().order_by("action")))


# --- who and what a page of entries names ------------------------------------------------------

# Keys of ``before``/``after`` that hold ids of other rows (kept so a log line can name them).
ID_KEYS = {
    "user_id": "user",
    "book_id": "book",
    "merged_into": "book",
    "kept_review": "review",
    "hidden_reviews": "review",
    "restored_reviews": "review",
}


@dataclass
class Cast:
    """The readers, books, reviews and replies a page of entries names, by id. A row that is
    gone is simply missing: the log still reads sensibly from the entry's own snapshot."""

    users: dict[int, User] = field(default_factory=dict)
    books: dict[int, Book] = field(default_factory=dict)
    reviews: dict[int, Review] = field(default_factory=dict)
    replies: dict[int, Reply] = field(default_factory=dict)


def _named_ids(entries: Iterable[AuditEntry]) -> dict[str, set[int]]:
    wanted: dict[str, set[int]] = {"user": set(), "book": set(), "review": set(), "reply": set()}
    for entry in entries:
        if entry.actor_id is not None:
            wanted["user"].add(entry.actor_id)
        if entry.target_type in wanted:
            wanted[entry.target_type].add(entry.target_id)
        for snapshot in (entry.before, entry.after):
            for key, kind in ID_KEYS.items():
                value = snapshot.get(key) if isinstance(snapshot, dict) else None
                values = value if isinstance(value, list) else [value]
                wanted[kind].update(v for v in values if isinstance(v, int))
    return wanted


def _by_id(model, ids: set[int]) -> dict:
    if not ids:
        return {}
    return {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(ids)))}


def cast_for(entries: list[AuditEntry]) -> Cast:
    """Everyone and everything ``entries`` name, in at most four queries whatever their number."""
    wanted = _named_ids(entries)
    cast = Cast(replies=_by_id(Reply, wanted["reply"]))
    for reply in cast.replies.values():
        wanted["review"].add(reply.review_id)
        wanted["user"].add(reply.user_id)
    cast.reviews = _by_id(Review, wanted["review"])
    for review in cast.reviews.values():
        wanted["user"].add(review.user_id)
        wanted["book"].add(review.book_id)
    cast.users, cast.books = _by_id(User, wanted["user"]), _by_id(Book, wanted["book"])
    return cast
