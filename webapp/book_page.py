"""What a book's page shows, for the blueprints that answer with it (books, reviews)."""

from __future__ import annotations

from flask import request
from flask_login import current_user
from markupsafe import Markup

from webapp import markdown
from webapp.forms.reading import reading_context
from webapp.forms.reviews import ReviewForm, ShelfForm
from webapp.models import Book, Review
from webapp.services import follows, lists, reports, reviews, shelves

PAGE = "books/detail.html"


def sort_arg() -> str:
    """The ``?sort=`` of a book's reviews, or the default when missing or unknown."""
    sort = request.args.get("sort", "helpful")
    return sort if sort in reviews.REVIEW_SORTS else "helpful"


def review_marks(items: list[Review]) -> dict:
    """Per-reader state for a page of reviews: helpful votes, open reports and whom the reader
    follows (3 queries for a reader, none for a visitor)."""
    ids = [r.id for r in items]
    return {
        "voted": reviews.voted_ids(current_user, ids),
        "reported_ids": reports.reported_ids(current_user, ids),
        "following": follows.states_for(current_user, {r.user_id for r in items}),
    }


def context(book: Book, **given) -> dict:
    """Everything the book page shows; a fixed number of queries whatever the review count.

    Visitors get no forms: building one mints a CSRF token, which would write a session
    cookie and make every anonymous page uncacheable (and the forms are not shown to them).
    The description is rendered once, for the page and for its meta description.
    """
    sort = sort_arg()
    signed_in = current_user.is_authenticated
    mine = reviews.find(current_user, book) if signed_in else None
    others, cursor = reviews.for_book(book, sort=sort, exclude_user=current_user)
    entry = shelves.entry_of(current_user, book)
    shelf = entry.status if entry else None
    description_html = markdown.render(book.description)
    result = {
        "book": book,
        "description_html": Markup(description_html),  # noqa: S704 (sanitised)
        "description_text": markdown.to_text(description_html),
        "mine": mine,
        "form": None,
        "others": others,
        "cursor": cursor,
        "sort": sort,
        "sorts": reviews.REVIEW_SORTS,
        **review_marks(others),
        "shelf": shelf,
        "shelf_entry": entry,
        "shelf_form": None,
        "lists_including": lists.including(book),
        "my_lists": lists.lists_of(current_user) if signed_in else [],
        **given,
    }
    if signed_in and result["form"] is None:
        result["form"] = ReviewForm.for_review(mine) if mine else ReviewForm()
    if signed_in and result["shelf_form"] is None:
        result["shelf_form"] = ShelfForm(data={"status": shelf or ""})
    if signed_in:
        result = {**reading_context(current_user, book, shelf=shelf), **result}
    return result


def mine_context(book: Book, mine: Review | None) -> dict:
    """The reader's review area after a change, with blank forms, the book's shelf state and
    the reader's reading (a first rating records a finished read)."""
    shelf = shelves.status_of(current_user, book)
    return {
        "mine": mine,
        "form": ReviewForm(formdata=None),
        "shelf_form": ShelfForm(formdata=None, data={"status": shelf or ""}),
        **reading_context(current_user, book, shelf=shelf),
    }
