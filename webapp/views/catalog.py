"""The catalogue: browse and search books, add a book, author pages."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from webapp.errors import ValidationError
from webapp.extensions import db, posting_limit
from webapp.forms import apply_error
from webapp.forms.catalog import BookForm
from webapp.htmx import redirect_to, render
from webapp.inputs import page_arg
from webapp.models import Author, Book
from webapp.services import catalog

bp = Blueprint("catalog", __name__)


def book_url(book: Book) -> str:
    return url_for("books.detail", book_id=book.id, slug=book.slug)


@bp.get("/books")
def index():
    """One URL for browsing and searching; htmx live search swaps only ``#results``."""
    query = request.args.get("q", "").strip()[:200]
    choice, order = catalog.sort_for(query, request.args.get("sort"))
    page = page_arg()
    return render(
        "catalog/index.html",
        "catalog/_results.html",
        q=query,
        sort=choice,
        sorts=catalog.sort_choices(query),
        results=catalog.browse(query, order, page),
    )


@bp.route("/books/new", methods=["GET", "POST"])
@login_required
@posting_limit()
def new():
    form = BookForm()
    similar: list[Book] = []
    if form.validate_on_submit():
        try:
            book = catalog.add_book(
                current_user, form.to_data(), confirm_similar=form.confirm_similar.data
            )
        except catalog.DuplicateBook as duplicate:
            flash(str(duplicate), "info")
            return redirect_to(book_url(duplicate.book))
        except catalog.LikelyDuplicate as likely:
            similar = likely.books
        except ValidationError as error:
            apply_error(form, error)
        else:
            flash(f"Thank you! {book.title} is now in the catalogue.", "success")
            return redirect_to(book_url(book))
    status = 422 if form.is_submitted() else 200
    return render(
        "catalog/new.html", "catalog/_book_form.html", status=status, form=form, similar=similar
    )


@bp.get("/authors/<int:author_id>")
@bp.get("/authors/<int:author_id>-<slug>")
def author(author_id: int, slug: str | None = None):
    person = db.session.get(Author, author_id)
    if person is None:
        abort(404)
    if slug != person.slug:
        return redirect(url_for("catalog.author", author_id=person.id, slug=person.slug), 301)
    return render("catalog/author.html", author=person, books=catalog.books_by_author(person))
