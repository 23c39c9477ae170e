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


def make_book(title: str | None = None, *, authors: tuple[str, ...] = ("Ann Author",), **fields):
    """A book with its authors, inserted directly (no duplicate checks or search indexing)."""
    from webapp.models import Author, Book, BookAuthor

    n = next(_seq)
    book = Book(title=title or f"Book {n}", **fields)
    for position, name in enumerate(authors):
        author = db.session.scalar(db.select(Author).where(Author.name_key == name.lower()))
        author = author or Author(name=name, name_key=name.lower())
        book.book_authors.append(BookAuthor(author=author, position=position))
    db.session.add(book)
    db.session.commit()
    return book


def make_review(user, book, stars="4", **text):
    """A review through the real service, so the book's kept aggregates stay right."""
    from webapp.services import reviews

    review, _ = reviews.save(user, book, stars=stars, **text)
    return review
