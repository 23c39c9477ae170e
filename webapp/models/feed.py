"""What readers did besides rating and reviewing, for their followers' feeds.

A read started or finished and a list made leave an event here when they happen: a read's row
alone cannot say when it was started *and* when it was finished, and a book marked finished
today with no finish date would have no time to sort by. Events go with what they are about
(a deleted read or list takes its events along).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.base import UTCDateTime, cascade_key, utcnow
from webapp.models.lists import BookList
from webapp.models.reading import Read
from webapp.models.user import User

EVENT_KINDS = ("started", "finished", "listed")


class FeedEvent(db.Model):
    __tablename__ = "feed_events"
    __table_args__ = (
        CheckConstraint("kind IN ('started', 'finished', 'listed')", name="feed_event_kind"),
        # One "started" and one "finished" per read, however often it is edited.
        UniqueConstraint("read_id", "kind", name="uq_feed_events_read_kind"),
        # The feed reads each followed reader's newest events from this index.
        Index("ix_feed_events_user_created", "user_id", "created_at", "id"),
        Index("ix_feed_events_list", "list_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = cascade_key("users.id")
    kind: Mapped[str] = mapped_column(String(10))
    read_id: Mapped[int | None] = mapped_column(ForeignKey("reads.id", ondelete="CASCADE"))
    list_id: Mapped[int | None] = mapped_column(ForeignKey("book_lists.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)
    # The book through the read: a merge of duplicate books moves reads, and events with them.
    read: Mapped[Read | None] = relationship(lazy="joined")
    book_list: Mapped[BookList | None] = relationship(lazy="joined")
