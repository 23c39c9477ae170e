"""Notices: what a reader is told about staff actions on their reviews and reports."""

from __future__ import annotations

from sqlalchemy import bindparam, func, select, update

from webapp.extensions import db
from webapp.models import Notice, User, utcnow
from webapp.pagination import newest
from webapp.services import mail


def notify(user_id: int, message: str, link: str | None = None, topic: str | None = None) -> None:
    """Queue a notice in the caller's transaction. Does not commit.

    With a ``topic`` the reader may get it by mail too, if they asked (services.mail.TOPICS:
    ``moderation`` for their own reviews, ``reports`` for outcomes of their reports, ``replies``,
    ``imports`` for a library import that is done).
    """
    db.session.add(Notice(user_id=user_id, message=message, link=link))
    if topic is not None:
        mail.notify(user_id, topic, message, link)


# Built once: it runs on every signed-in page (the header's count).
UNREAD = select(func.count(Notice.id)).where(
    Notice.user_id == bindparam("user_id"), Notice.read_at.is_(None)
)


def unread_count(user: User) -> int:
    return db.session.scalar(UNREAD, {"user_id": user.id})


def notices_for(user: User, limit: int = 100) -> list[Notice]:
    return newest(Notice, Notice.user_id == user.id, limit=limit)


def mark_all_read(user: User) -> int:
    """Mark every unread notice read; returns how many changed."""
    changed = db.session.execute(
        update(Notice)
        .where(Notice.user_id == user.id, Notice.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return changed
