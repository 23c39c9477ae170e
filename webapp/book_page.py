"""What a book's page shows, for the blueprints that answer with it (books, reviews)."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps

from flask import request
from flask_login import current_user
from markupsafe import Markup

from webapp import markdown
from webapp.forms import Deferred, errors_to
from webapp.forms.media import CoverForm
from webapp.forms.reading import reading_context
from webapp.forms.replies import ReplyForm
from webapp.forms.reviews import ReviewForm, ShelfForm
from webapp.htmx import invalid
from webapp.models import Book, Review
from webapp.services import lists, marks, replies, review_pages, reviews, shelves

PAGE = "books/detail.html"


def sort_arg() -> str:
    """The ``?sort=`` of a book's reviews, or the default when missing or unknown."""
    sort = request.args.get("sort", "helpful")
    return sort if sort in reviews.REVIEW_SORTS else "helpful"


def review_marks(items: list[Review]) -> dict:
    """Per-reader state for a page of reviews: helpful votes, open reports and whom the reader
    follows (1 query for a reader, none for a visitor)."""
    return _marks_context(marks.of(current_user, items))


def _marks_context(found: marks.Marks) -> dict:
    return {"voted": found.voted, "reported_ids": found.reported, "following": found.following}


@lru_cache(maxsize=512)
def described(text: str | None) -> tuple[Markup, str]:
    """A book description as sanitised HTML and as one line of plain text (meta description).

    Keyed by the text itself, so an edited description is a new entry, never a stale one;
    Markdown + sanitising was ~8 % of a visitor's book page. 512 entries of a few KB each.
    """
    html = markdown.render(text)
    return Markup(html), markdown.to_text(html)  # noqa: S704 (sanitised)


def context(book: Book, lists_shown: tuple | None = None, **given) -> dict:
    """Everything the book page shows; a fixed number of queries whatever the review count.

    Visitors get no forms: building one mints a CSRF token, which would write a session
    cookie and make every anonymous page uncacheable (and the forms are not shown to them).
    The description is rendered once, for the page and for its meta description.
    ``lists_shown``: the lists including the book and the reader's own, when they came with
    the book (services/book_rows.py).
    """
    sort = sort_arg()
    signed_in = current_user.is_authenticated
    # Rows, not objects: the reader's own card comes from the card cache like the others.
    if signed_in:
        mine, others, cursor = review_pages.own_and_page(book, current_user, sort=sort)
    else:
        mine, (others, cursor) = None, reviews.for_book(book, sort=sort)
    # The reader's votes, reports, shelf and tags here: one query (none for visitors).
    found = marks.of(current_user, others, book)
    entry = found.shelf_entry
    shelf = entry.status if entry else None
    description_html, description_text = described(book.description)
    # Visitors: the lists with the book; a reader also their own (one statement either way).
    if lists_shown is not None:
        lists_including, my_lists = lists_shown
    elif signed_in:
        lists_including, my_lists = lists.on_book_page(book, current_user)
    else:
        lists_including, my_lists = lists.including(book), []
    result = {
        "book": book,
        "description_html": description_html,
        "description_text": description_text,
        "mine": mine,
        "form": None,
        "others": others,
        "cursor": cursor,
        "sort": sort,
        "sorts": reviews.REVIEW_SORTS,
        **_marks_context(found),
        "shelf": shelf,
        "shelf_entry": entry,
        "private_form": None,
        "shelf_form": None,
        "lists_including": lists_including,
        "my_lists": my_lists,
        # The header's count came with the marks: no statement of its own (webapp/web.py).
        **({"unread_notice_count": lambda: found.unread} if found.unread is not None else {}),
        **given,
    }
    if signed_in and result["form"] is None and mine is None:
        # With a review of their own the page shows it, not the form ("Edit" fetches one).
        result["form"] = Deferred(ReviewForm)
        # Blank on a GET: the same for every reader but the token (webapp/card_cache.py).
        result["review_form_blank"] = request.method == "GET"
    if signed_in and result.get("cover_form") is None:
        result["cover_form"] = Deferred(CoverForm, formdata=None)
        result["cover_form_blank"] = True
    if signed_in and result["shelf_form"] is None:
        result["shelf_form"] = Deferred(ShelfForm, data={"status": shelf or ""})
        result["shelf_form_blank"] = request.method == "GET"
    if signed_in:
        reading = reading_context(current_user, book, shelf=shelf, book_tags=list(found.tags))
        result = {**reading, **result}
    return result


def thread_context(review: Review, form=None, focus: int | None = None) -> dict:
    """What a review's page and its replies section (focus on ``focus``, a reply id) show."""
    return {
        "review": review,
        "replies": replies.for_review(review, current_user),
        "reply_form": form or ReplyForm(formdata=None),
        "focus": focus,
        **review_marks([review]),
    }


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


def form_view(form_class: type, fragment: str, name: str, **shown) -> Callable:
    """For a POST of one of the book page's forms, under ``book_view``: the view is called with
    the Book and the validated form. A form that does not go through (invalid, or the service's
    ValidationError, which lands beside its field) shows the page again, 422, with the reader's
    text and errors as the page's ``name`` form (and ``shown``); htmx gets ``fragment``."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(book: Book, **kwargs):
            form = form_class()
            if form.validate_on_submit():
                with errors_to(form):
                    return view(book, form, **kwargs)
            return invalid(PAGE, fragment, **context(book, **{name: form}, **shown))

        return wrapper

    return decorator
