"""Readers and readers: who follows whom (or asked to), who blocked or muted whom."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.base import UTCDateTime, link_key, utcnow

FOLLOW_STATES = ("active", "pending")


class Follow(db.Model):
    """``follower`` follows ``followee``; ``pending`` until a private reader approves it."""

    __tablename__ = "follows"
    __table_args__ = (
        CheckConstraint("follower_id <> followee_id", name="not_self"),
        CheckConstraint("status IN ('active', 'pending')", name="status"),
        # Followers of a reader, and the feed's "whom do I follow" read, each from one index.
        Index("ix_follows_followee_status", "followee_id", "status", "created_at"),
        Index("ix_follows_follower_status", "follower_id", "status", "created_at"),
    )

    follower_id: Mapped[int] = link_key("users.id")
    followee_id: Mapped[int] = link_key("users.id")
    status: Mapped[str] = mapped_column(String(8), default="active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Block(db.Model):
    """``blocker`` blocked ``blocked``: no follows either way, no replies, not in feeds."""

    __tablename__ = "blocks"
    __table_args__ = (CheckConstraint("blocker_id <> blocked_id", name="not_self"),)

    blocker_id: Mapped[int] = link_key("users.id")
    blocked_id: Mapped[int] = link_key("users.id", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Mute(db.Model):
    """``muter`` no longer sees ``muted`` in feed or notices; ``muted`` is not told."""

    __tablename__ = "mutes"
    __table_args__ = (CheckConstraint("muter_id <> muted_id", name="not_self"),)

    muter_id: Mapped[int] = link_key("users.id")
    muted_id: Mapped[int] = link_key("users.id")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
