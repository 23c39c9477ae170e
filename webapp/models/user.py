"""Readers and staff."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Index, String, Text, false, select, text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.base import UTCDateTime, cascade_key, utcnow
from webapp.usernames import fold

ROLES = ("reader", "moderator", "admin")
STAFF_ROLES = ("moderator", "admin")
# ``suspended_until`` for an indefinite suspension: far enough never to pass.
SUSPENDED_FOREVER = datetime(9999, 1, 1, tzinfo=UTC)


def _fold_username(context) -> str:
    return fold(context.get_current_parameters()["username"])


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        # The few private readers: a signed-in book page asks "is this reviewer private?" of
        # every review it lists, and without this PostgreSQL answered by scanning all users.
        Index(
            "ix_users_private",
            "id",
            sqlite_where=text("is_private"),
            postgresql_where=text("is_private"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(30))
    # Lower-cased copy: uniqueness ignores case, display keeps the reader's spelling.
    username_key: Mapped[str] = mapped_column(String(30), unique=True)
    # Look-alikes share a fold (webapp/usernames.py): a new name may not take one in use.
    username_fold: Mapped[str] = mapped_column(String(120), unique=True, default=_fold_username)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="reader")
    bio: Mapped[str | None] = mapped_column(Text)
    # The reader's picture (webapp/media.py): the hash its files are named by; None: initials.
    avatar_key: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A suspension ends by itself when this passes (SUSPENDED_FOREVER: until lifted).
    suspended_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    suspension_reason: Mapped[str | None] = mapped_column(Text)
    # Private readers approve each follower first (webapp/services/follows.py).
    is_private: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Reads, progress, tags, goal and stats shown to the reader alone.
    reading_private: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Set when the reader follows the link mailed to ``email``.
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A new address waits here until its own link is followed.
    pending_email: Mapped[str | None] = mapped_column(String(254))
    # Mail about moderation of the reader's reviews, and about reports they filed.
    notify_moderation: Mapped[bool] = mapped_column(Boolean, default=True)
    notify_replies: Mapped[bool] = mapped_column(Boolean, default=True)
    notify_reports: Mapped[bool] = mapped_column(Boolean, default=True)
    notify_imports: Mapped[bool] = mapped_column(Boolean, default=True)
    # One mail a day gathering those notices, instead of one mail each.
    digest: Mapped[bool] = mapped_column(Boolean, default=False)

    # The signed-in session this object was loaded for (set by webapp.sessions, not stored).
    login_session_key = None

    def get_id(self) -> str:
        """Flask-Login's id, kept in the session and the remember cookie: user and session."""
        return f"{self.id}:{self.login_session_key}"

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_suspended(self) -> bool:
        """Suspended now; a suspension whose end has passed no longer counts (checked lazily)."""
        return self.suspended_until is not None and self.suspended_until > utcnow()

    @property
    def suspended_indefinitely(self) -> bool:
        return self.suspended_until == SUSPENDED_FOREVER

    @classmethod
    def by_login(cls, login: str) -> User | None:
        """Find by username or email, ignoring case."""
        key = login.strip().lower()
        column = cls.email if "@" in key else cls.username_key
        return db.session.scalar(select(cls).where(column == key))

    @classmethod
    def by_username(cls, username: str) -> User | None:
        return db.session.scalar(select(cls).where(cls.username_key == username.lower()))

    def __repr__(self) -> str:
        return f"<User {self.username}>"


def hash_session_key(key: str) -> str:
    """Stored instead of the key: a leaked table does not hand out sessions."""
    return hashlib.sha256(key.encode()).hexdigest()


def new_session_key() -> str:
    return secrets.token_urlsafe(32)


class LoginSession(db.Model):
    """One signed-in browser. Deleting the row ends that session and its remember cookie."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = cascade_key("users.id", index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
