"""Web helpers every blueprint shares (views import this, never each other); also Jinja globals."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, url_for


def book_url(book, anchor: str | None = None, **args) -> str:
    """A book's canonical address (with its slug), optionally at ``#anchor``."""
    return url_for("books.detail", book_id=book.id, slug=book.slug, _anchor=anchor, **args)


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this site (no scheme, host or ``//``), else None."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(book_url=book_url, safe_next=safe_next)


def reading_owner(username: str):
    """The reader whose reading record (stats, tags, year) is asked for: 404 for no such
    reader, 403 when they keep their reading private from the one asking."""
    from flask import abort
    from flask_login import current_user

    from webapp import permissions
    from webapp.models import User

    reader = User.by_username(username)
    if reader is None:
        abort(404)
    if not permissions.can_see_reading(current_user, reader):
        abort(403)
    return reader
