"""Ratings and reviews on a book page: save, edit, delete, helpful votes, more reviews."""

from __future__ import annotations

from flask import Blueprint, abort, request
from flask_login import current_user, login_required
from markupsafe import Markup

from webapp import book_page, markdown, permissions
from webapp.extensions import db, posting_limit
from webapp.forms import EmptyForm
from webapp.forms.reviews import ReviewForm
from webapp.guards import confirmed_required
from webapp.htmx import render, respond
from webapp.models import Book, Review
from webapp.services import reviews
from webapp.web import book_url, book_view, review_view

bp = Blueprint("reviews", __name__)

# The reader's review area, and out of band the book's stats, shelf and the reader's reading.
MINE = "reviews/_mine.html"
MINE_OOB = ["books/_stats.html", "books/_shelf.html", "reads/_reading.html"]


@bp.post("/books/<int:book_id>/review")
@login_required
@confirmed_required
@posting_limit()
@book_view
@book_page.form_view(ReviewForm, MINE, "form", editing=True)
def save(book: Book, form: ReviewForm):
    review, created = reviews.save(
        current_user,
        book,
        stars=form.rating.data,
        title=form.title.data,
        body=form.body.data,
        spoiler=form.spoiler.data,
    )
    saved = "Your review was saved." if review.has_text else "Your rating was saved."
    message = saved if created else "Your review was updated."
    context = book_page.mine_context(book, review)
    return respond(book_url(book, "my-review"), MINE, message=message, oob=MINE_OOB, **context)


@bp.post("/books/<int:book_id>/review/preview")
@login_required
def preview(book_id: int):
    """The review's Markdown as it will show (same sanitiser), nothing saved: htmx swaps the
    preview beside the editor; without JS the book page shows the form, text kept, with it."""
    book = db.get_or_404(Book, book_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        abort(400)
    preview_html = Markup(markdown.render((form.body.data or "")[: reviews.MAX_BODY]))  # noqa: S704
    context = book_page.context(book, form=form, editing=True, preview_html=preview_html)
    return render(book_page.PAGE, "reviews/_preview.html", **context)


@bp.get("/books/<int:book_id>/reviews")
@book_view
def more(book: Book):
    """The next page of a book's reviews: a real page, or items to append for htmx."""
    sort = book_page.sort_arg()
    after = request.args.get("after")
    items, cursor = reviews.for_book(
        book, sort=sort, after=after, exclude_user=current_user, viewer=current_user
    )
    return render(
        "reviews/index.html",
        "reviews/_page.html",
        book=book,
        items=items,
        cursor=cursor,
        sort=sort,
        sorts=reviews.REVIEW_SORTS,
        **book_page.review_marks(items),
    )


@bp.get("/reviews/<int:review_id>")
@review_view
def show(review: Review):
    context = book_page.thread_context(review)
    # Cancel (of an edit) swaps the review back in: focus it (the page ignores this).
    return render("reviews/show.html", "reviews/_review.html", focus_review=True, **context)


@bp.get("/reviews/<int:review_id>/edit")
@login_required
@review_view
def edit(review: Review):
    if not permissions.can_edit_review(current_user, review):
        abort(403)
    form = ReviewForm.for_review(review)
    return render(
        "reviews/edit.html", "reviews/_form.html", book=review.book, mine=review, form=form
    )


@bp.route("/reviews/<int:review_id>/delete", methods=["GET", "POST"])
@login_required
@review_view
def delete(review: Review):
    if not permissions.can_delete_review(current_user, review):
        abort(403)
    form = EmptyForm()
    if not form.validate_on_submit():
        return render("reviews/delete.html", review=review, form=form)
    mine, author = permissions.owns(current_user, review), review.user.username
    book = reviews.remove(current_user, review)
    if not mine:  # htmx: the review's element goes (focus: site.js), the stats out of band
        message = f"{author}’s review was deleted."
        url = book_url(book, "reviews")
        return respond(url, message=message, category="info", oob=MINE_OOB[:1], book=book)
    context = book_page.mine_context(book, None)
    message = "Your review was deleted."
    url = book_url(book, "my-review")
    return respond(url, MINE, message=message, category="info", oob=MINE_OOB, **context)


@bp.post("/reviews/<int:review_id>/helpful")
@login_required
@posting_limit()
@review_view
def helpful(review: Review):
    if not EmptyForm().validate_on_submit():
        abort(400)
    marked = reviews.toggle_helpful(current_user, review)
    return respond(
        book_url(review.book, f"review-{review.id}"),
        "reviews/_helpful.html",
        message="Marked as helpful." if marked else "No longer marked as helpful.",
        quiet=True,
        review=review,
        voted={review.id} if marked else set(),
        focus_helpful=True,
    )
