"""The catalogue: browse and search books, add a book, author pages."""

from __future__ import annotations

from flask import Blueprint, redirect, request
from flask_login import current_user, login_required

from webapp.extensions import db, posting_limit
from webapp.forms import errors_to
from webapp.forms.catalog import BookForm
from webapp.htmx import invalid, render, respond
from webapp.inputs import page_arg
from webapp.models import Author, Book
from webapp.services import catalog, shelves
from webapp.web import author_url, book_url

bp = Blueprint("catalog", __name__)


@bp.get("/books")
def index():
    """One URL for browsing and searching; htmx live search swaps only ``#results``."""
    query = request.args.get("q", "").strip()[:200]
    choice, order = catalog.sort_for(query, request.args.get("sort"))
    results = catalog.browse(query, order, page_arg())
    return render(
        "catalog/index.html",
        "catalog/_results.html",
        oob=["catalog/_count.html", "catalog/_sort.html", "catalog/_title.html"],
        q=query,
        sort=choice,
        sorts=catalog.sort_choices(query),
        results=results,
        shelf_of=shelves.statuses(current_user, [book.id for book in results.items]),
    )


@bp.route("/books/new", methods=["GET", "POST"])
@login_required
@posting_limit()
def new():
    form = BookForm()
    similar: list[Book] = []
    if form.validate_on_submit():
        try:
            with errors_to(form):
                book = catalog.add_book(
                    current_user, form.to_data(), confirm_similar=form.confirm_similar.data
                )
                message = f"Thank you! {book.title} is now in the catalogue."
                return respond(book_url(book), message=message)
        except catalog.DuplicateBook as duplicate:
            return respond(book_url(duplicate.book), message=str(duplicate), category="info")
        except catalog.LikelyDuplicate as likely:
            similar = likely.books
    return invalid("catalog/new.html", "catalog/_book_form.html", form=form, similar=similar)


@bp.get("/authors/<int:author_id>")
@bp.get("/authors/<int:author_id>-<slug>")
def author(author_id: int, slug: str | None = None):
    person = db.get_or_404(Author, author_id)
    if slug != person.slug:
        return redirect(author_url(person), 301)
    books = catalog.books_by_author(person)
    shelf_of = shelves.statuses(current_user, [book.id for book in books])
    return render("catalog/author.html", author=person, books=books, shelf_of=shelf_of)
