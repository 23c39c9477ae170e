"""Web helpers every blueprint shares (views import this, never each other); also Jinja globals."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, abort, url_for
from flask_login import current_user, login_required

from webapp import permissions
from webapp.extensions import db
from webapp.models import REPORT_REASONS, SHELVES, Book, Review, User
from webapp.services import moderation, notices, privacy, reports


def book_url(book, anchor: str | None = None, **args) -> str:
    """A book's canonical address (with its slug), optionally at ``#anchor``."""
    return url_for("books.detail", book_id=book.id, slug=book.slug, _anchor=anchor, **args)


def author_url(author) -> str:
    return url_for("catalog.author", author_id=author.id, slug=author.slug)


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this site (no scheme, host or ``//``), else None."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def user_or_404(username: str) -> User:
    """The reader with this name (matched as ``User.by_username`` does), or a 404."""
    user = User.by_username(username)
    if user is None:
        abort(404)
    return user


def review_or_404(review_id: int) -> Review:
    """The review, unless the viewer may not see it: hidden by moderators, or by a reader whose
    profile is private to the viewer (404 either way: nothing says it exists)."""
    review = db.session.get(Review, review_id)
    if review is None:
        abort(404)
    if review.is_hidden and not permissions.can_see_hidden_review(current_user, review):
        abort(404)
    if not privacy.can_see(current_user, review.user):
        abort(404)
    return review


def me() -> User:
    """The signed-in reader as the model object itself (services store it in relationships)."""
    return current_user._get_current_object()


def loads(load: Callable, arg: str) -> Callable:
    """A view decorator: the view is called with ``load(<arg>)`` in place of its URL's ``arg``
    (the loader answers 404 for what is not there, or not there for this viewer)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(**kwargs):
            return view(load(kwargs.pop(arg)), **kwargs)

        return wrapper

    return decorator


# Routes under ``<int:book_id>``, ``<int:review_id>`` and ``<username>`` take the object itself.
book_view = loads(lambda book_id: db.get_or_404(Book, book_id), "book_id")
review_view = loads(review_or_404, "review_id")
reader_view = loads(user_or_404, "username")


def staff_required(view: Callable) -> Callable:
    """Sign-in first, then 403 for anyone who is not a moderator or admin."""

    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not permissions.can_moderate(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def header_counts() -> dict:
    """Lazy counts for the nav: only pages that show them pay for the query."""
    return {
        "open_report_count": reports.open_count,
        "unread_notice_count": lambda: notices.unread_count(current_user),
        "report_reasons": REPORT_REASONS,
        "moderation_actions": moderation.ACTIONS,
    }


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(book_url=book_url, author_url=author_url, safe_next=safe_next)
    app.jinja_env.globals["shelf_names"] = SHELVES
    app.context_processor(header_counts)


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
    if not privacy.can_see(current_user, reader):  # a private profile, to a non-follower
        abort(403)
    return reader
