"""Demo data: real, well-known books (facts only) and reviews written for this project."""

from __future__ import annotations

import json
from importlib import resources

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from webapp.extensions import db
from webapp.models import Book, User
from webapp.services import catalog, reviews, shelves

DEMO_PASSWORD = "colophon demo reader"  # noqa: S105 (public demo accounts)


def is_empty() -> bool:
    return not db.session.scalar(select(func.count(Book.id)))


def load() -> dict:
    text = resources.files("webapp.data").joinpath("demo_books.json").read_text()
    return json.loads(text)


def seed() -> dict[str, int]:
    """Fill an empty catalogue. Demo readers share the password DEMO_PASSWORD."""
    data = load()
    method = current_app.config["PASSWORD_HASH_METHOD"]
    password_hash = generate_password_hash(DEMO_PASSWORD, method=method)
    readers: dict[str, User] = {}
    for entry in data["readers"]:
        user = User.by_username(entry["username"])
        if user is None:
            user = User(
                username=entry["username"],
                username_key=entry["username"].lower(),
                email=entry["email"].lower(),
                password_hash=password_hash,
                bio=entry.get("bio"),
            )
            db.session.add(user)
        readers[entry["username"]] = user
    db.session.commit()

    by_isbn: dict[str, Book] = {}
    review_count = 0
    for entry in data["books"]:
        book = catalog.add_book(
            None,
            catalog.BookData(
                title=entry["title"],
                subtitle=entry.get("subtitle"),
                other_titles=entry.get("other_titles", []),
                authors=entry["authors"],
                isbn=entry.get("isbn13"),
                publisher=entry.get("publisher"),
                year=entry.get("year"),
                pages=entry.get("pages"),
                language=entry.get("language"),
                description=entry.get("description"),
            ),
            confirm_similar=True,
        )
        by_isbn[book.isbn13] = book
        for review in entry.get("reviews", []):
            reviews.save(
                readers[review["reader"]],
                book,
                stars=review["stars"],
                title=review.get("title"),
                body=review.get("body"),
                spoiler=review.get("spoiler", False),
            )
            review_count += 1
    for entry in data.get("shelves", []):
        shelves.set_status(readers[entry["reader"]], by_isbn[entry["isbn13"]], entry["status"])
    return {"readers": len(readers), "books": len(by_isbn), "reviews": review_count}
