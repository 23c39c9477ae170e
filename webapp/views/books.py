"""A book's page, its shelf control, and its generated cover."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from markupsafe import Markup

from webapp import markdown
from webapp.errors import ValidationError
from webapp.extensions import db
from webapp.forms import apply_error
from webapp.forms.reading import reading_context
from webapp.forms.reviews import ReviewForm, ShelfForm
from webapp.htmx import is_partial, redirect_to, render
from webapp.models import SHELVES, Book
from webapp.services import catalog, covers, reports, reviews, shelves

bp = Blueprint("books", __name__)


def get_book_or_404(book_id: int) -> Book:
    book = db.session.get(Book, book_id)
    if book is None:
        abort(404)
    return book


def book_url(book: Book, anchor: str | None = None) -> str:
    return url_for("books.detail", book_id=book.id, slug=book.slug, _anchor=anchor)


def sort_arg() -> str:
    sort = request.args.get("sort", "helpful")
    return sort if sort in reviews.REVIEW_SORTS else "helpful"


def page_context(book: Book, **given) -> dict:
    """Everything the book page shows; a fixed number of queries whatever the review count.

    Visitors get no forms: building one mints a CSRF token, which would write a session
    cookie and make every anonymous page uncacheable (and the forms are not shown to them).
    The description is rendered once, for the page and for its meta description.
    """
    sort = sort_arg()
    signed_in = current_user.is_authenticated
    mine = reviews.find(current_user, book) if signed_in else None
    others, cursor = reviews.for_book(book, sort=sort, exclude_user=current_user)
    shelf = shelves.status_of(current_user, book)
    description_html = markdown.render(book.description)
    ids = [r.id for r in others]
    context = {
        "book": book,
        "description_html": Markup(description_html),  # noqa: S704 (sanitised)
        "description_text": markdown.to_text(description_html),
        "mine": mine,
        "form": None,
        "others": others,
        "cursor": cursor,
        "sort": sort,
        "sorts": reviews.REVIEW_SORTS,
        "voted": reviews.voted_ids(current_user, ids),
        "reported_ids": reports.reported_ids(current_user, ids),
        "shelf": shelf,
        "shelf_form": None,
    }
    context.update(given)
    if signed_in and context["form"] is None:
        context["form"] = ReviewForm.for_review(mine) if mine else ReviewForm()
    if signed_in and context["shelf_form"] is None:
        context["shelf_form"] = ShelfForm(data={"status": shelf or ""})
    if signed_in:
        context = {**reading_context(current_user, book, shelf=shelf), **context}
    return context


def _merged_redirect(book_id: int):
    """A merged-away book's URL leads to the book it was merged into."""
    new_id = catalog.redirect_for(book_id)
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
        args = {"sort": request.args["sort"]} if "sort" in request.args else {}
        return redirect(url_for("books.detail", book_id=book.id, slug=book.slug, **args), code=301)
    return render_template("books/detail.html", **page_context(book))


@bp.post("/books/<int:book_id>/shelf")
@login_required
def shelf(book_id: int):
    book = get_book_or_404(book_id)
    form = ShelfForm()
    if form.validate_on_submit():
        try:
            status = shelves.set_status(current_user, book, form.status.data, form.finished_on.data)
        except ValidationError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            flash(
                f"Shelved as {SHELVES[status]}." if status else "Taken off your shelves.", "success"
            )
            if not is_partial():
                return redirect_to(book_url(book, "shelf-control"))
            # The reading section changes with the shelf (a read started or finished).
            return render(
                "books/detail.html",
                "books/_shelf.html",
                oob=["reads/_reading.html"],
                **reading_context(current_user, book, shelf_form=form),
            )
    return render(
        "books/detail.html",
        "books/_shelf.html",
        status=422,
        **page_context(book, shelf_form=form),
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
