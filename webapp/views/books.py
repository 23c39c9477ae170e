"""A book's page, and its generated cover."""

from __future__ import annotations

from flask import Blueprint, abort, make_response, redirect, render_template, url_for
from flask_login import current_user

from webapp.extensions import db
from webapp.models import Book
from webapp.services import covers, moderation, reviews, shelves

bp = Blueprint("books", __name__)


def get_book_or_404(book_id: int) -> Book:
    book = db.session.get(Book, book_id)
    if book is None:
        abort(404)
    return book


def _merged_redirect(book_id: int):
    """A merged-away book's URL leads to the book it was merged into."""
    new_id = moderation.redirect_for(book_id)
    if new_id is None:
        abort(404)
    book = get_book_or_404(new_id)
    return redirect(url_for("books.detail", book_id=book.id, slug=book.slug), code=301)


@bp.get("/books/<int:book_id>")
@bp.get("/books/<int:book_id>-<slug>")
def detail(book_id: int, slug: str | None = None):
    book = db.session.get(Book, book_id)
    if book is None:
        return _merged_redirect(book_id)
    if slug != book.slug:
        return redirect(url_for("books.detail", book_id=book.id, slug=book.slug), code=301)
    mine = reviews.find(current_user, book) if current_user.is_authenticated else None
    others, cursor = reviews.for_book(book, exclude_user=current_user)
    return render_template(
        "books/detail.html",
        book=book,
        mine=mine,
        others=others,
        cursor=cursor,
        shelf=shelves.status_of(current_user, book),
    )


@bp.get("/books/<int:book_id>/cover.svg")
def cover(book_id: int):
    """A typographic placeholder cover for books without an image."""
    book = get_book_or_404(book_id)
    response = make_response(covers.placeholder_svg(book))
    response.mimetype = "image/svg+xml"
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response
