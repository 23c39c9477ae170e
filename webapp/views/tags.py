"""A reader's own tags: set on a book, listed and shown on their profile, renamed, merged,
deleted. Changes are the owner's alone; pages follow the reader's privacy choice."""

from __future__ import annotations

from flask import Blueprint, abort, url_for
from flask_login import current_user, login_required

from webapp.forms import errors_to
from webapp.forms.reading import TagMergeForm, TagRenameForm, TagsForm
from webapp.htmx import invalid, render, respond
from webapp.models import Book
from webapp.services import shelves, tags
from webapp.web import book_url, book_view, reading_owner

bp = Blueprint("tags", __name__)


@bp.post("/books/<int:book_id>/tags")
@login_required
@book_view
def for_book(book: Book):
    form = TagsForm()
    context = {"book": book, "shelf": shelves.status_of(current_user, book)}
    if form.validate_on_submit():
        with errors_to(form):
            names = tags.set_for_book(current_user, book, form.tags.data)
            url = book_url(book, "book-tags")
            return respond(
                url, "tags/_book_tags.html", message="Tags saved.", book_tags=names, **context
            )
    names = tags.names_for(current_user, book)
    return invalid(
        "tags/book.html", "tags/_book_tags.html", tags_form=form, book_tags=names, **context
    )


@bp.get("/u/<username>/tags")
def index(username: str):
    reader = reading_owner(username)
    return render("tags/index.html", reader=reader, tags=tags.tags_of(reader))


@bp.get("/u/<username>/tags/<int:tag_id>")
def show(username: str, tag_id: int):
    reader = reading_owner(username)
    tag = tags.find(reader, tag_id)
    if tag is None:
        abort(404)
    return _tag_page(tag, reader)


def _is_owner(reader) -> bool:
    return current_user.is_authenticated and current_user.id == reader.id


def _merge_form(tag, formdata: bool = False) -> TagMergeForm:
    """Merge into any of the owner's other tags."""
    form = TagMergeForm() if formdata else TagMergeForm(formdata=None)
    others = [t for t, _ in tags.tags_of(current_user) if t.id != tag.id]
    form.target_id.choices = [(str(t.id), t.name) for t in others]
    return form


def _tag_page(tag, reader, **forms):
    """The tag's page (200), or after a refused rename/merge the same page at 422."""
    if _is_owner(reader):
        forms.setdefault("merge_form", _merge_form(tag))
    forms.setdefault("rename_form", None)
    entries = tags.entries_for(tag)
    shelf_of = shelves.statuses(current_user, [entry.book_id for entry in entries])
    return invalid(
        "tags/show.html", reader=reader, tag=tag, entries=entries, shelf_of=shelf_of, **forms
    )


def _index(anchor=None) -> str:
    return url_for("tags.index", username=current_user.username, _anchor=anchor)


@bp.post("/tags/<int:tag_id>/rename")
@login_required
def rename(tag_id: int):
    tag = tags.get_own(current_user, tag_id)
    form = TagRenameForm()

    def change():
        tags.rename(current_user, tag, form.name.data)
        return tag, f"Tag renamed to {tag.name}."

    return _take(tag, form, "rename_form", change)


@bp.post("/tags/<int:tag_id>/merge")
@login_required
def merge(tag_id: int):
    tag = tags.get_own(current_user, tag_id)
    form = _merge_form(tag, formdata=True)

    def change():
        name, target = tag.name, tags.merge(current_user, tag, form.target_id.data)
        return target, f"{name} merged into {target.name}."

    return _take(tag, form, "merge_form", change)


def _take(tag, form, key: str, change):
    """``change()`` returns the tag to show next and the message; a ValidationError it raises
    shows the tag's page again with the error beside ``key``'s field."""
    with errors_to(form):
        shown, message = change()
        url = url_for("tags.show", username=current_user.username, tag_id=shown.id)
        return respond(url, message=message)
    return _tag_page(tag, current_user, **{key: form})


@bp.post("/tags/<int:tag_id>/delete")
@login_required
def delete(tag_id: int):
    tag = tags.get_own(current_user, tag_id)
    name = tag.name
    tags.remove(current_user, tag)
    return respond(_index(), message=f"Tag {name} deleted; the books stay on your shelves.")
