"""Shared column types and helpers for the models."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, MappedColumn, mapped_column
from sqlalchemy.types import TypeDecorator

# The largest value an Integer column holds on both databases (ids, page numbers, counts).
MAX_INT = 2**31 - 1


def utcnow() -> datetime:
    """The current time, timezone-aware UTC. Used as a column default *callable*."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores UTC and always hands back aware datetimes, on SQLite (no tz support) too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; use webapp.models.base.utcnow()")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        return None if value is None else _as_utc(value)

    def result_processor(self, dialect, coltype):
        """``process_result_value`` after the driver's own conversion, as TypeDecorator's does,
        in one function a value instead of two (75 values a book page)."""
        parse = self.impl_instance.result_processor(dialect, coltype)

        def process(value):
            if value is None:
                return None
            return _as_utc(value if parse is None else parse(value))

        return process


def _as_utc(value: datetime) -> datetime:
    """A naive value (SQLite keeps no zone) is UTC; an aware one is moved to UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def cascade_key(target: str, *, index: bool = False) -> MappedColumn:
    """A reference to ``target``'s row that goes with it (its owner, or what it is about)."""
    return mapped_column(ForeignKey(target, ondelete="CASCADE"), index=index)


def link_key(target: str, *, index: bool = False) -> MappedColumn:
    """One half of a link table's primary key: the row goes when ``target``'s row does."""
    return mapped_column(ForeignKey(target, ondelete="CASCADE"), primary_key=True, index=index)


class Timestamped:
    """When the row was made, and when its owner last changed it (services set ``updated_at``)."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Hideable:
    """Hidden, not deleted: moderation keeps the row but shows it only to its author and staff."""

    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # No foreign key (see migration 0003); the audit log names who hid it, for good.
    hidden_by_id: Mapped[int | None] = mapped_column(Integer)
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    # Why: "moderation", "reports" (automatic), "suspension" (author suspended) or "held"
    # (a new account's reply with a link, held for review on posting).
    hidden_kind: Mapped[str | None] = mapped_column(String(16))

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None
