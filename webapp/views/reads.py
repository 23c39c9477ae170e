"""A reader's reads of a book (add, edit, delete), progress through one, their yearly goal and
whether their reading is private. Every route acts on the signed-in reader's own rows; anyone
else's read is a 404 (services.reads.get_own)."""

from __future__ import annotations

from flask import Blueprint, request, url_for
from flask_login import current_user, login_required

from webapp.forms import errors_to
from webapp.forms.reading import GoalForm, PrivacyForm, ProgressForm, ReadForm, reading_context
from webapp.htmx import invalid, respond
from webapp.models import Book, Read
from webapp.services import goals, reads
from webapp.web import book_url, book_view, safe_next

bp = Blueprint("reads", __name__)
SECTION = "reads/_reading.html"


def _section(book: Book, message: str):
    context = reading_context(current_user, book)
    return respond(book_url(book, "reading"), SECTION, message=message, **context)


@bp.post("/books/<int:book_id>/reads")
@login_required
@book_view
def add(book: Book):
    form = ReadForm()
    if form.validate_on_submit():
        with errors_to(form):
            reads.add(current_user, book, form.data_for_service())
            return _section(book, "Read added.")
    return invalid("reads/new.html", SECTION, **reading_context(current_user, book, read_form=form))


@bp.route("/reads/<int:read_id>/edit", methods=["GET", "POST"])
@login_required
def edit(read_id: int):
    read = reads.get_own(current_user, read_id)
    form = ReadForm() if request.method == "POST" else ReadForm.for_read(read)
    if form.validate_on_submit():
        with errors_to(form):
            reads.update(current_user, read, form.data_for_service())
            return respond(book_url(read.book, "reading"), message="Read saved.")
    return invalid("reads/edit.html", read=read, read_form=form)


@bp.post("/reads/<int:read_id>/delete")
@login_required
def delete(read_id: int):
    book = reads.remove(current_user, reads.get_own(current_user, read_id))
    return _section(book, "Read deleted.")


def _progress_context(read: Read, back: str) -> dict:
    """On the book page the bar shows its notes; elsewhere (home) it names the book."""
    on_book_page = back.split("#")[0] == book_url(read.book)
    notes = reads.progress_notes(read) if on_book_page else []
    return {
        "read": read,
        "editable": True,
        "next_url": back,
        "show_title": not on_book_page,
        "notes": notes,
    }


@bp.post("/reads/<int:read_id>/progress")
@login_required
def progress(read_id: int):
    read = reads.get_own(current_user, read_id)
    form = ProgressForm()
    back = safe_next(form.next.data) or book_url(read.book)
    if form.validate_on_submit():
        with errors_to(form):
            reads.record_progress(
                current_user, read, form.page.data, form.percent.data, form.note.data
            )
            context = _progress_context(read, back)
            return respond(
                f"{back}#progress-{read.id}",
                "reads/_progress.html",
                message="Progress saved.",
                **context,
            )
    context = _progress_context(read, back)
    return invalid(
        "reads/progress.html",
        "reads/_progress.html",
        progress_form=form,
        progress_for=read.id,
        **context,
    )


@bp.route("/goal", methods=["GET", "POST"])
@login_required
def goal():
    standing = goals.progress(current_user)
    form = GoalForm() if request.method == "POST" else GoalForm.for_goal(standing)
    if form.validate_on_submit():
        with errors_to(form):
            goals.set_goal(current_user, form.year.data, form.kind.data, form.target.data)
            return respond(_profile("goal"), message="Goal saved.")
    return invalid("reads/goal.html", goal_form=form, standing=standing)


@bp.post("/goal/delete")
@login_required
def delete_goal():
    goals.remove(current_user, request.form.get("year", type=int) or reads.today().year)
    return respond(_profile("goal"), message="Goal removed.")


@bp.post("/account/reading-privacy")
@login_required
def privacy():
    form = PrivacyForm()
    form.validate_on_submit()
    private = reads.set_private(current_user, form.reading_private.data)
    message = "Your reading is now private." if private else "Your reading is now public."
    return respond(url_for("account.index", _anchor="reading-privacy-heading"), message=message)


def _profile(anchor: str | None = None) -> str:
    return url_for("users.profile", username=current_user.username, _anchor=anchor)
