"""Test data built through the real models (one password hash computed once, for speed)."""

from __future__ import annotations

from functools import cache
from itertools import count

from werkzeug.security import generate_password_hash

from webapp.extensions import db
from webapp.models import User

_seq = count(1)


@cache
def _hash(password: str) -> str:
    return generate_password_hash(password)


class UserFactory:
    password = "correct horse battery"

    def __call__(
        self,
        username: str | None = None,
        *,
        email: str | None = None,
        role: str = "reader",
        password: str | None = None,
    ) -> User:
        n = next(_seq)
        username = username or f"reader{n}"
        user = User(
            username=username,
            username_key=username.lower(),
            email=email or f"{username.lower()}@example.com",
            password_hash=_hash(password or self.password),
            role=role,
        )
        db.session.add(user)
        db.session.commit()
        return user


def moderation_book(title: str = "The Moderated Book", author: str = "A. Writer"):
    """A book added through the catalogue service (search entry included)."""
    from webapp.services import catalog

    return catalog.add_book(
        None, catalog.BookData(title=title, authors=[author]), confirm_similar=True
    )


def moderation_review(user: User, book, stars: str = "4", body: str = "A fine, long review."):
    """A review saved through the reviews service, so the book's aggregates are kept."""
    from webapp.services import reviews

    review, _ = reviews.save(user, book, stars=stars, title="My take", body=body)
    return review
