"""Ratings and reviews on a book page: save, edit, delete, helpful votes, more reviews."""

from __future__ import annotations

from flask import Blueprint, abort, flash, render_template, request
from flask_login import current_user, login_required

from webapp import permissions
from webapp.errors import NotAllowed, ValidationError
from webapp.extensions import db, posting_limit
from webapp.forms import EmptyForm, apply_error
from webapp.forms.reading import reading_context
from webapp.forms.replies import ReplyForm
from webapp.forms.reviews import ReviewForm, ShelfForm
from webapp.guards import confirmed_required
from webapp.htmx import is_partial, redirect_to, render
from webapp.models import Review
from webapp.services import replies, reports, reviews, shelves
from webapp.views.books import book_url, get_book_or_404, page_context, sort_arg

bp = Blueprint("reviews", __name__)


def marks_for(items: list[Review]) -> dict:
    """Per-reader state for a page of reviews: helpful votes and open reports (2 queries)."""
    ids = [r.id for r in items]
    return {
        "voted": reviews.voted_ids(current_user, ids),
        "reported_ids": reports.reported_ids(current_user, ids),
    }


def get_review_or_404(review_id: int) -> Review:
    review = db.session.get(Review, review_id)
    if review is None:
        abort(404)
    return review


def _mine_fragment(book, mine, form=None, **extra):
    """The reader's review area, plus the book's stats, shelf and reading out-of-band (a first
    rating records a finished read)."""
    shelf = shelves.status_of(current_user, book)
    return render(
        "books/detail.html",
        "reviews/_saved.html",
        mine=mine,
        form=form or ReviewForm(formdata=None),
        shelf_form=ShelfForm(formdata=None, data={"status": shelf or ""}),
        **reading_context(current_user, book, shelf=shelf),
        **extra,
    )


@bp.post("/books/<int:book_id>/review")
@login_required
@confirmed_required
@posting_limit()
def save(book_id: int):
    book = get_book_or_404(book_id)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            review, created = reviews.save(
                current_user,
                book,
                stars=form.rating.data,
                title=form.title.data,
                body=form.body.data,
                spoiler=form.spoiler.data,
            )
        except ValidationError as error:
            apply_error(form, error)
        else:
            saved = "Your review was saved." if review.has_text else "Your rating was saved."
            flash(saved if created else "Your review was updated.", "success")
            if is_partial():
                return _mine_fragment(book, review)
            return redirect_to(book_url(book, "my-review"))
    return render(
        "books/detail.html",
        "reviews/_mine.html",
        status=422,
        **page_context(book, form=form, editing=True),
    )


@bp.get("/books/<int:book_id>/reviews")
def more(book_id: int):
    """The next page of a book's reviews: a real page, or items to append for htmx."""
    book = get_book_or_404(book_id)
    sort = sort_arg()
    items, cursor = reviews.for_book(
        book, sort=sort, after=request.args.get("after"), exclude_user=current_user
    )
    return render(
        "reviews/index.html",
        "reviews/_page.html",
        book=book,
        items=items,
        cursor=cursor,
        sort=sort,
        sorts=reviews.REVIEW_SORTS,
        **marks_for(items),
    )


@bp.get("/reviews/<int:review_id>")
def show(review_id: int):
    review = get_review_or_404(review_id)
    if review.is_hidden and not permissions.can_see_hidden_review(current_user, review):
        abort(404)
    return render(
        "reviews/show.html",
        "reviews/_review.html",
        review=review,
        replies=replies.for_review(review, current_user),
        reply_form=ReplyForm(formdata=None),
        **marks_for([review]),
    )


@bp.get("/reviews/<int:review_id>/edit")
@login_required
def edit(review_id: int):
    review = get_review_or_404(review_id)
    if not permissions.can_edit_review(current_user, review):
        abort(403)
    form = ReviewForm.for_review(review)
    return render(
        "reviews/edit.html", "reviews/_form.html", book=review.book, mine=review, form=form
    )


@bp.route("/reviews/<int:review_id>/delete", methods=["GET", "POST"])
@login_required
def delete(review_id: int):
    review = get_review_or_404(review_id)
    if not permissions.can_delete_review(current_user, review):
        abort(403)
    form = EmptyForm()
    if not form.validate_on_submit():
        return render_template("reviews/delete.html", review=review, form=form)
    was_mine = permissions.owns(current_user, review)
    try:
        book = reviews.remove(current_user, review)
    except NotAllowed:
        abort(403)
    flash("Your review was deleted." if was_mine else "The review was deleted.", "info")
    if not is_partial():
        return redirect_to(book_url(book, "my-review" if was_mine else "reviews"))
    if was_mine:
        return _mine_fragment(book, None)
    return render("books/detail.html", oob=["books/_stats.html"], book=book)


@bp.post("/reviews/<int:review_id>/helpful")
@login_required
@posting_limit()
def helpful(review_id: int):
    review = get_review_or_404(review_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        marked = reviews.toggle_helpful(current_user, review)
    except NotAllowed:
        abort(403)
    if not is_partial():
        flash("Marked as helpful." if marked else "No longer marked as helpful.", "success")
        return redirect_to(book_url(review.book, f"review-{review.id}"))
    voted = {review.id} if marked else set()
    return render("books/detail.html", "reviews/_helpful.html", review=review, voted=voted)
