"""The audit log: an append-only record of every staff (and system) action.

Entries are added in the same transaction as the change they record; nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import AuditEntry, Review, User

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


def log(filters: LogFilter, limit: int = LOG_PER_PAGE) -> list[AuditEntry]:
    """The newest entries that match every filter given."""
    query = select(AuditEntry)
    if filters.actor:
        query = query.where(AuditEntry.actor_name == filters.actor)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.target_type:
        query = query.where(AuditEntry.target_type == filters.target_type)
    if filters.target_id is not None:
        query = query.where(AuditEntry.target_id == filters.target_id)
    query = query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(limit)
    return list(db.session.scalars(query))


def log_actions() -> list[str]:
    """Every action name the log holds (for its filter)."""
    return list(db.session.scalars(select(AuditEntry.action).distinct().order_by("action")))
