"""A book's page, its shelf control, its cover (uploaded, or the generated placeholder)."""

from __future__ import annotations

from flask import Blueprint, abort, make_response, redirect, request
from flask_login import current_user, login_required

from webapp import book_page, og_images, permissions
from webapp.extensions import db, posting_limit
from webapp.forms import EmptyForm, errors_to
from webapp.forms.media import MAX_BODY, CoverForm
from webapp.forms.reading import PrivateNotesForm, reading_context
from webapp.forms.reviews import ShelfForm
from webapp.htmx import invalid, render, respond
from webapp.models import SHELVES, Book
from webapp.services import book_rows, catalog, covers, shelves
from webapp.web import book_url, book_view, safe_next

bp = Blueprint("books", __name__)


@bp.get("/books/<int:book_id>")
@bp.get("/books/<int:book_id>-<slug>")
def detail(book_id: int, slug: str | None = None):
    page = book_rows.for_page(book_id, current_user)
    if page is None:
        # A merged-away book's URL leads to the book it was merged into.
        new_id = catalog.redirect_for(book_id)
        if new_id is None:
            abort(404)
        return redirect(book_url(db.get_or_404(Book, new_id)), code=301)
    book = page.book
    if slug != book.slug:
        return redirect(book_url(book, sort=request.args.get("sort")), code=301)
    covers.request_fetch(book)  # queued for the worker; never fetched inside the request
    return render(book_page.PAGE, **book_page.context(book, lists_shown=page.lists))


@bp.post("/books/<int:book_id>/shelf")
@login_required
@book_view
@book_page.form_view(ShelfForm, "books/_shelf.html", "shelf_form")
def shelf(book: Book, form: ShelfForm):
    # The service raises before it changes anything.
    status = shelves.set_status(current_user, book, form.status.data, form.finished_on.data)
    # The reading section changes with the shelf (a read started or finished).
    return respond(
        book_url(book, "shelf-control"),
        "books/_shelf.html",
        message=f"Shelved as {SHELVES[status]}." if status else "Taken off your shelves.",
        oob=["reads/_reading.html"],
        **reading_context(current_user, book, shelf_form=form),
    )


@bp.post("/books/<int:book_id>/want")
@login_required
@book_view
def want(book: Book):
    """One-click "Want to read" on a book card, and again to take it back off (``want=0``):
    back to the card's page at the card, or for htmx the toggle, focus kept on it."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    on = request.form.get("want") != "0"
    status = shelves.want(current_user, book, on=on)
    back = safe_next(request.form.get("next"))
    if status:
        message = f"{book.title}: on your {SHELVES[status]} shelf."
    else:
        message = f"{book.title}: taken off your Want to read shelf."
    url = f"{back}#want-{book.id}" if back else book_url(book)
    return respond(
        url, "books/_want.html", message=message, quiet=True, book=book, status=status, back=back
    )


@bp.post("/books/<int:book_id>/private")
@login_required
@book_view
@book_page.form_view(PrivateNotesForm, "books/_private.html", "private_form")
def private(book: Book, form: PrivateNotesForm):
    entry = shelves.set_private(
        current_user,
        book,
        notes=form.notes.data,
        owned_copies=form.owned_copies.data,
        content_warnings=form.content_warnings.data,
    )
    return respond(
        book_url(book, "private-notes"),
        "books/_private.html",
        message="Private notes saved.",
        book=book,
        shelf_entry=entry,
    )


@bp.get("/books/<int:book_id>/cover.svg")
@book_view
def cover(book: Book):
    """A typographic placeholder cover for books without an image."""
    response = make_response(covers.placeholder_svg(book))
    response.mimetype = "image/svg+xml"
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


@bp.get("/books/<int:book_id>/share.png")
@book_view
def share_image(book: Book):
    """The PNG a book without a cover shares (``og:image``); a year's caching at the URL of
    what it draws (``v``, from covers.share_src), an hour at any other."""
    card = covers.share_card(book)
    version = og_images.book_card_version(*card)
    response = make_response(og_images.book_card(*card))
    response.mimetype = "image/png"
    response.cache_control.public = True
    response.cache_control.max_age = 31536000 if request.args.get("v") == version else 3600
    response.set_etag(version)
    return response.make_conditional(request)


@bp.post("/books/<int:book_id>/cover")
@login_required
@posting_limit()
@book_view
def upload_cover(book: Book):
    """Upload a cover: staff at any time, a reader when the book has none (NotAllowed: 403)."""
    if not permissions.can_upload_cover(current_user, book):
        abort(403)
    form = CoverForm()
    if form.validate_on_submit():
        data = form.image_bytes()
        with errors_to(form):
            covers.upload(current_user, book, data)
            return _cover_changed(book, "Cover saved.")
    return invalid(book_page.PAGE, "books/_cover.html", **book_page.context(book, cover_form=form))


upload_cover.max_body = MAX_BODY


@bp.post("/books/<int:book_id>/cover/remove")
@login_required
@book_view
def remove_cover(book: Book):
    if not permissions.can_moderate(current_user):
        abort(403)
    if EmptyForm().validate_on_submit():
        covers.remove(current_user, book)
        return _cover_changed(book, "Cover removed.")
    return respond(book_url(book))


def _cover_changed(book: Book, message: str):
    fresh = CoverForm(formdata=None)
    return respond(
        book_url(book), "books/_cover.html", message=message, book=book, cover_form=fresh
    )
