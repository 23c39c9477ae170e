"""Readers' lists: make one, see one, add a book from its page, move books up and down."""

from __future__ import annotations

from flask import Blueprint, abort, url_for
from flask_login import current_user, login_required

from webapp.errors import NotAllowed, ValidationError
from webapp.extensions import db, posting_limit
from webapp.forms import EmptyForm, apply_error
from webapp.forms.lists import AddToListForm, ListForm
from webapp.guards import confirmed_required
from webapp.htmx import invalid, render, respond
from webapp.models import Book, BookList
from webapp.services import lists
from webapp.web import book_url

bp = Blueprint("lists", __name__)


def _list_or_404(list_id: int) -> BookList:
    book_list = db.session.get(BookList, list_id)
    if book_list is None:
        abort(404)
    return book_list


@bp.route("/lists/new", methods=["GET", "POST"])
@login_required
@confirmed_required
@posting_limit()
def new():
    form = ListForm()
    if form.validate_on_submit():
        try:
            made = lists.create(current_user, form.title.data, form.description.data)
        except ValidationError as error:
            apply_error(form, error)
        else:
            return respond(url_for("lists.show", list_id=made.id), message="Your list was made.")
    return invalid("lists/new.html", form=form)


@bp.get("/lists/<int:list_id>")
def show(list_id: int):
    book_list = _list_or_404(list_id)
    return render(
        "lists/show.html", book_list=book_list, items=lists.items(book_list), move_form=EmptyForm()
    )


@bp.post("/books/<int:book_id>/lists")
@login_required
@posting_limit()
def add(book_id: int):
    book = db.get_or_404(Book, book_id)
    form = AddToListForm()
    book_list = (
        db.session.get(BookList, form.list_id.data or 0) if form.validate_on_submit() else None
    )
    if book_list is None:
        abort(400)
    try:
        added = lists.add(current_user, book_list, book, form.note.data)
    except NotAllowed:
        abort(403)
    except ValidationError as error:
        return respond(book_url(book, "lists"), message=error.message, category="error")
    done = "Added to your list." if added else "That book is on the list already."
    return respond(url_for("lists.show", list_id=book_list.id), message=done)


@bp.post("/lists/<int:list_id>/books/<int:book_id>/<any(up, down, remove):action>")
@login_required
def change(list_id: int, book_id: int, action: str):
    book_list = _list_or_404(list_id)
    if book_list.user_id != current_user.id:
        abort(403)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if action == "remove":
        lists.remove(current_user, book_list, book_id)
    else:
        try:
            lists.move(current_user, book_list, book_id, action)
        except ValidationError:
            abort(404)
    here = url_for("lists.show", list_id=list_id, _anchor=f"item-{book_id}")
    return respond(
        here,
        "lists/_items.html",
        quiet=True,
        message="List updated.",
        book_list=book_list,
        items=lists.items(book_list),
        move_form=EmptyForm(),
        focus=(book_id, action),
    )
