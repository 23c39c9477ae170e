"""Readers' lists: make, see, edit and delete one; add a book from its page, move books up and
down, change their notes; a reader's lists on their profile."""

from __future__ import annotations

from flask import Blueprint, abort, url_for
from flask_login import current_user, login_required

from webapp import book_page, permissions
from webapp.extensions import db, posting_limit
from webapp.forms import EmptyForm, errors_to
from webapp.forms.lists import AddToListForm, ListForm, NoteForm, PlaceForm
from webapp.guards import confirmed_required
from webapp.htmx import invalid, render, respond
from webapp.models import Book, BookList, User
from webapp.services import lists, privacy
from webapp.web import book_view, reader_view

bp = Blueprint("lists", __name__)


def _own_list(list_id: int) -> BookList:
    """The signed-in reader's own list: 404 if there is none, 403 if it is someone else's."""
    book_list = db.get_or_404(BookList, list_id)
    if not permissions.can_change_list(current_user, book_list):
        abort(403)
    return book_list


def _items_part(book_list: BookList, message: str, book_id: int, action: str, **context):
    """Back to the book on the list; htmx gets the list's books with focus where it was."""
    here = url_for("lists.show", list_id=book_list.id, _anchor=f"item-{book_id}")
    return respond(
        here,
        "lists/_items.html",
        quiet=True,
        message=message,
        book_list=book_list,
        items=lists.items(book_list),
        focus=(book_id, action),
        **context,
    )


@bp.route("/lists/new", methods=["GET", "POST"])
@login_required
@confirmed_required
@posting_limit()
def new():
    form = ListForm()
    if form.validate_on_submit():
        with errors_to(form):
            made = lists.create(current_user, form.title.data, form.description.data)
            return respond(url_for("lists.show", list_id=made.id), message="Your list was made.")
    return invalid("lists/new.html", form=form)


@bp.get("/lists/<int:list_id>")
def show(list_id: int):
    book_list = db.get_or_404(BookList, list_id)
    if not privacy.can_see(current_user, book_list.user):
        abort(403)  # a private profile's list, to a reader they have not approved
    return render("lists/show.html", book_list=book_list, items=lists.items(book_list))


@bp.post("/books/<int:book_id>/lists")
@login_required
@posting_limit()
@book_view
def add(book: Book):
    form = AddToListForm()
    book_list = (
        db.session.get(BookList, form.list_id.data or 0) if form.validate_on_submit() else None
    )
    if book_list is None:
        abort(400)
    with errors_to(form):
        added = lists.add(current_user, book_list, book, form.note.data)  # NotAllowed: 403
        done = "Added to your list." if added else "That book is on the list already."
        return respond(url_for("lists.show", list_id=book_list.id), message=done)
    return invalid(book_page.PAGE, **book_page.context(book, list_form=form))


@bp.post("/lists/<int:list_id>/books/<int:book_id>/<any(up, down, remove):action>")
@login_required
def change(list_id: int, book_id: int, action: str):
    book_list = _own_list(list_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if action == "remove":
        lists.remove(current_user, book_list, book_id)
    else:
        lists.move(current_user, book_list, book_id, action)  # not on the list: NotFound, 404
    return _items_part(book_list, "List updated.", book_id, action)


@bp.post("/lists/<int:list_id>/books/<int:book_id>/note")
@login_required
@posting_limit()
def note(list_id: int, book_id: int):
    """Change a book's note; a note too long comes back (422) with the text kept."""
    book_list, form = _own_list(list_id), NoteForm()
    if not form.validate_on_submit():
        abort(400)
    with errors_to(form):
        lists.set_note(current_user, book_list, book_id, form.note.data)  # NotFound: 404
        return _items_part(book_list, "Note saved.", book_id, "note")
    return _items_invalid(book_list, form, book_id, "note")


@bp.post("/lists/<int:list_id>/books/<int:book_id>/place")
@login_required
def place(list_id: int, book_id: int):
    """Move a book to a numbered place (the drag-and-drop script posts this form too)."""
    book_list, form = _own_list(list_id), PlaceForm()
    if not form.validate_on_submit():
        abort(400)
    with errors_to(form):
        where = lists.place(current_user, book_list, book_id, form.position.data)  # 404
        return _items_part(book_list, f"Moved to place {where}.", book_id, "place")
    return _items_invalid(book_list, form, book_id, "place")


def _items_invalid(book_list: BookList, form, book_id: int, what: str):
    """The list's books again (422), the book's ``what`` form showing the text and the error."""
    return invalid(
        "lists/show.html",
        "lists/_items.html",
        book_list=book_list,
        items=lists.items(book_list),
        failed=(book_id, what, form),
        focus=(book_id, what),
    )


@bp.route("/lists/<int:list_id>/edit", methods=["GET", "POST"])
@login_required
def edit(list_id: int):
    book_list = _own_list(list_id)
    form = ListForm(obj=book_list)
    if form.validate_on_submit():
        with errors_to(form):
            lists.update(current_user, book_list, form.title.data, form.description.data)
            return respond(url_for("lists.show", list_id=list_id), message="List saved.")
    return invalid("lists/edit.html", form=form, book_list=book_list)


@bp.route("/lists/<int:list_id>/delete", methods=["GET", "POST"])
@login_required
def delete(list_id: int):
    """GET asks first (the page without JavaScript); POST deletes."""
    book_list = _own_list(list_id)
    if not EmptyForm().validate_on_submit():
        return render("lists/delete.html", book_list=book_list)
    lists.delete(current_user, book_list)
    back = url_for("lists.of_reader", username=current_user.username)
    return respond(back, message="The list was deleted.", category="info")


@bp.get("/u/<username>/lists")
@reader_view
def of_reader(reader: User):
    if not privacy.can_see(current_user, reader):
        abort(403)
    return render("lists/of_reader.html", reader=reader, lists=lists.with_counts(reader))
