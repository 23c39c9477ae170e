"""Moderation: readers' reports, the staff audit log, notices to readers, merged-book redirects."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.base import UTCDateTime, cascade_key, utcnow
from webapp.models.reply import Reply
from webapp.models.review import Review
from webapp.models.user import User

REPORT_REASONS = {
    "spam": "Spam",
    "abuse": "Abuse or harassment",
    "spoilers": "Unmarked spoilers",
    "off_topic": "Not about the book",
    "other": "Other",
}
_OPEN = text("status = 'open'")


class Report(db.Model):
    """A reader's report about a review (``review_id``), a reply (``reply_id``) or a reader
    (``target_user_id``)."""

    __tablename__ = "reports"
    __table_args__ = (
        # One open report per reader per review / per reported reader; resolved ones may repeat.
        Index(
            "uq_reports_open_review",
            "review_id",
            "reporter_id",
            unique=True,
            sqlite_where=_OPEN,
            postgresql_where=_OPEN,
        ),
        Index(
            "uq_reports_open_user",
            "target_user_id",
            "reporter_id",
            unique=True,
            sqlite_where=_OPEN,
            postgresql_where=_OPEN,
        ),
        Index(
            "uq_reports_open_reply",
            "reply_id",
            "reporter_id",
            unique=True,
            sqlite_where=_OPEN,
            postgresql_where=_OPEN,
        ),
        Index("ix_reports_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int] = cascade_key("users.id", index=True)
    review_id: Mapped[int | None] = cascade_key("reviews.id")
    target_user_id: Mapped[int | None] = cascade_key("users.id")
    reply_id: Mapped[int | None] = cascade_key("replies.id")
    reason: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="open")
    outcome: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id], lazy="joined")
    review: Mapped[Review | None] = relationship(lazy="raise")
    target_user: Mapped[User | None] = relationship(foreign_keys=[target_user_id], lazy="raise")
    reply: Mapped[Reply | None] = relationship(lazy="raise")

    @property
    def reason_label(self) -> str:
        return REPORT_REASONS.get(self.reason, self.reason)

    @property
    def is_open(self) -> bool:
        return self.status == "open"


class AuditEntry(db.Model):
    """One staff (or system) action. Append-only: the ORM refuses updates and deletes."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # None with actor_name "system" for automatic actions; the name survives account deletion.
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    actor_name: Mapped[str] = mapped_column(String(30))
    action: Mapped[str] = mapped_column(String(40), index=True)
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class AppendOnly(RuntimeError):
    """The audit log is never rewritten."""


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _append_only(mapper, connection, target) -> None:
    raise AppendOnly("audit entries cannot be changed or deleted")


class Notice(db.Model):
    """A message to one reader (report outcomes, their review hidden or restored)."""

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = cascade_key("users.id")
    message: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BookRedirect(db.Model):
    """A merged-away book id, so its old URLs lead to the book that was kept."""

    __tablename__ = "book_redirects"

    old_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    new_id: Mapped[int] = cascade_key("books.id", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
