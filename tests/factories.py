"""Test data built through the real models and services (one password hash computed once).

One factory per kind of row — ``UserFactory`` (the ``users`` fixture), ``make_book``,
``make_review`` — and one ``World``: the rows most web and moderation tests start from.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cache
from itertools import count

from werkzeug.security import generate_password_hash

from webapp.config import TEST_HASH_METHOD
from webapp.extensions import db
from webapp.models import Book, Review, User

_seq = count(1)
# Factory users' hashes use scrypt with a small work factor: the app checks a stored hash with
# the parameters it names, so logging in stays real but costs ~3 ms instead of ~100 ms. The
# app's own hashing (sign-up, password change) does the same under the testing config
# (PASSWORD_HASH_METHOD); tests/unit/test_config.py holds production to werkzeug's default.
FAST_SCRYPT = TEST_HASH_METHOD


@cache
def _hash(password: str) -> str:
    return generate_password_hash(password, method=FAST_SCRYPT)


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
    """A book added through services.catalog (so it is indexed for search like real ones).

    Without an ``isbn`` it gets a fresh valid one; pass ``isbn=None`` for a book without.
    """
    from webapp.services import catalog

    title = title or f"Book {next(_seq)}"
    if "isbn13" in fields:
        fields["isbn"] = fields.pop("isbn13")
    fields.setdefault("isbn", isbn13_for(next(_isbn_seq)))
    cover_url = fields.pop("cover_url", None)  # an old cover link (before migration 0013)
    data = catalog.BookData(title=title, authors=list(authors), **fields)
    book = catalog.add_book(None, data, confirm_similar=True)
    if cover_url:
        book.cover_url = cover_url
        db.session.commit()
    return book


def make_review(user, book, stars=4, **fields):
    """A rating/review saved through services.reviews, keeping the book's aggregates right."""
    from webapp.services import reviews

    review, _ = reviews.save(user, book, stars=stars, **fields)
    return review


def moderation_book(title: str = "The Moderated Book", author: str = "A. Writer"):
    """``make_book`` with the moderation tests' defaults: no ISBN, one author."""
    return make_book(title, [author], isbn=None)


def moderation_review(user: User, book, stars: str = "4", body: str = "A fine, long review."):
    """``make_review`` with the moderation tests' defaults (titled "My take")."""
    return make_review(user, book, stars, title="My take", body=body)


@dataclass
class World:
    """Readers of every role, a book and one review: what most web and staff tests need.

    Usernames: ``author`` (wrote ``review`` of ``book``), ``reader``, ``mod`` (moderator) and
    ``boss`` (admin, as ``world.admin``); all with ``UserFactory.password``. Read it as
    attributes or, like the older dict form, ``world["review"]``.
    """

    author: User
    book: Book
    review: Review
    reader: User
    mod: User
    admin: User

    def __getitem__(self, name: str):
        return getattr(self, name)

    def ids(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name).id for f in fields(self)}

    @classmethod
    def load(cls, ids: dict[str, int]) -> World:
        """The same rows, read again through the current ``db.session``."""
        models = {"User": User, "Book": Book, "Review": Review}
        return cls(**{f.name: db.session.get(models[f.type], ids[f.name]) for f in fields(cls)})


def build_world() -> World:
    users = UserFactory()
    author = users("author")
    book = moderation_book()
    review = moderation_review(author, book)
    return World(
        author=author,
        book=book,
        review=review,
        reader=users("reader"),
        mod=users("mod", role="moderator"),
        admin=users("boss", role="admin"),
    )
