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


_isbn_seq = count(1)


def isbn13_for(n: int) -> str:
    """A valid ISBN-13 (978 prefix, right check digit) unique per ``n``."""
    first12 = f"978{n:09d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


def make_book(title: str | None = None, authors=("Some Author",), **fields):
    """A book added through services.catalog (so it is indexed for search like real ones)."""
    from webapp.services import catalog

    title = title or f"Book {next(_seq)}"
    if "isbn13" in fields:
        fields["isbn"] = fields.pop("isbn13")
    fields.setdefault("isbn", isbn13_for(next(_isbn_seq)))
    data = catalog.BookData(title=title, authors=list(authors), **fields)
    return catalog.add_book(None, data, confirm_similar=True)


def make_review(user, book, stars=4, **fields):
    """A rating/review saved through services.reviews, keeping the book's aggregates right."""
    from webapp.services import reviews

    review, _ = reviews.save(user, book, stars=stars, **fields)
    return review


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
