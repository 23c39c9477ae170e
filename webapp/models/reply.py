"""Replies to reviews: one level deep, Markdown sanitised like reviews, hidden not deleted."""

from __future__ import annotations

from sqlalchemy import Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.base import Hideable, Timestamped, cascade_key
from webapp.models.review import Review
from webapp.models.user import User


class Reply(Hideable, Timestamped, db.Model):
    __tablename__ = "replies"
    __table_args__ = (Index("ix_replies_review_created", "review_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = cascade_key("reviews.id")
    user_id: Mapped[int] = cascade_key("users.id", index=True)
    body: Mapped[str] = mapped_column(Text)
    # Sanitised HTML rendered once on save (webapp.markdown), like reviews.
    body_html: Mapped[str] = mapped_column(Text)

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)
    review: Mapped[Review] = relationship(lazy="raise")

    @property
    def is_held(self) -> bool:
        return self.hidden_kind == "held"
