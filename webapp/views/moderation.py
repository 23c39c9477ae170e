"""The staff area: the report queue, readers, book edits and merges, the audit log."""

from __future__ import annotations

from flask import Blueprint, abort, request, url_for
from flask_login import current_user

from webapp import audit_words, permissions
from webapp.errors import ValidationError
from webapp.extensions import db
from webapp.filters import plural
from webapp.forms import EmptyForm, errors_to
from webapp.forms.catalog import BookEditForm, book_data
from webapp.forms.moderation import BulkForm, HideForm, MergeForm, RoleForm, SuspendForm
from webapp.htmx import invalid, render, respond
from webapp.inputs import as_id, ids
from webapp.models import REPORT_REASONS, Book, Reply, Review, User
from webapp.services import audit, catalog, cursors, merges, moderation, replies, reports, staff
from webapp.web import book_url, book_view, me, staff_required

bp = Blueprint("moderation", __name__)

QUEUE = "moderation/queue.html"
QUEUE_ITEM = "moderation/_queue_item.html"
ITEM_OF = {"review": QUEUE_ITEM, "reply": "moderation/_reply_item.html"}  # an action's answer
SECTION_OF = {"review": None, "reply": "replies"}  # where a plain request is sent back to
QUEUE_LIST = "moderation/_queue_list.html"
OPEN_COUNT = "moderation/_open_count.html"  # out of band after every queue action
# The heading whose count an action on each kind of item changes, sent out of band with it.
HEADING_OF = {"review": "moderation/_queue_heading.html", "reply": "moderation/_reply_heading.html"}
USER_PAGE, STAFF_PANEL = "moderation/user.html", "moderation/_staff_panel.html"


# --- the queue -------------------------------------------------------------------------------


def _filters() -> dict:
    status = request.args.get("status", "open")
    reason = request.args.get("reason", "")
    return {
        "status": status if status in ("open", "resolved") else "open",
        "reason": reason if reason in REPORT_REASONS else "",
    }


def _queue_args() -> dict:
    """The queue's filters as query arguments (defaults left out), kept on its actions' URLs
    so an answer knows which list it came from and a plain request goes back to it."""
    filters = _filters()
    return {k: v for k, v in filters.items() if v and (k, v) != ("status", "open")}


def _counts() -> dict:
    """What the two headings say: reports and reviews in the list, replies waiting."""
    filters = _filters()
    counts = reports.queue_counts(filters["status"], filters["reason"] or None)
    return {"filters": filters, "queue_counts": counts, "reply_count": replies.waiting_count()}


def _list_context(**given) -> dict:
    """The queue list (what a bulk action swaps); ``given`` replaces the blank forms."""
    filters = _filters()
    return {
        "items": reports.queue(filters["status"], filters["reason"] or None),
        "queue_args": _queue_args(),
        "bulk_form": BulkForm(),
        "hide_forms": {},
        **_counts(),
        **given,
    }


def _queue_context(**given) -> dict:
    """The whole queue page: the list, plus the reported readers and the reason filter."""
    extra = {
        "reported_users": reports.reported_users(),
        "reply_queue": replies.queue(),
        "reasons": REPORT_REASONS,
    }
    return {**extra, **_list_context(**given)}


@bp.get("/moderation")
@staff_required
def queue():
    return render(QUEUE, **_queue_context())


def _names(kind: str) -> str:
    return ", ".join(moderation.ACTIONS[kind])


@bp.post(f"/moderation/reviews/<int:review_id>/<any({_names('review')}):action>")
@staff_required
def review_action(review_id: int, action: str):
    review = db.get_or_404(Review, review_id)
    return _act(moderation.ACTIONS["review"][action], review, reports.queue_item)


@bp.post(f"/moderation/replies/<int:reply_id>/<any({_names('reply')}):action>")
@staff_required
def reply_action(reply_id: int, action: str):
    reply = db.get_or_404(Reply, reply_id)
    return _act(moderation.ACTIONS["reply"][action], reply, replies.queue_item)


def _act(chosen: moderation.Action, target, item_of):
    """One registered action on a queue item (see ``_acted``), or its 422 with the reason."""
    if not chosen.allowed(current_user):
        abort(403)
    fragment = ITEM_OF[chosen.kind]
    form = HideForm()  # CSRFProtect has already checked the token of every POST
    if not chosen.needs_reason or form.validate_on_submit():
        with errors_to(form):
            moderation.act(me(), chosen, target, form.reason.data)
            return _acted(chosen, target, None if chosen.name == "delete" else item_of(target))
    context = _queue_context(hide_forms={(chosen.kind, target.id): form})
    return invalid(QUEUE, fragment, item=item_of(target), target_id=target.id, **context)


def _acted(chosen: moderation.Action, target, item):
    """The answer after an action: an item no longer waiting leaves the list it was in (htmx
    swaps nothing in its place, and site.js moves focus to the next item); its list's heading
    and the header's count come out of band, and the live region says what happened."""
    stays = item is not None and (item.waiting or _filters()["status"] == "resolved")
    left = plural(reports.open_count(), "open report")
    url = url_for("moderation.queue", _anchor=SECTION_OF[chosen.kind], **_queue_args())
    fragment = ITEM_OF[chosen.kind] if stays else None
    done = {"item": item, "target_id": target.id, "hide_form": HideForm(formdata=None)}
    return respond(
        url,
        fragment,
        message=f"{chosen.message()} {left} left.",
        oob=[OPEN_COUNT, HEADING_OF[chosen.kind]],
        queue_args=_queue_args(),
        **_counts(),
        **done,
    )


@bp.post("/moderation/bulk")
@staff_required
def bulk():
    form = BulkForm()
    review_ids = ids(request.form.getlist("review_ids"))
    if form.validate_on_submit():
        with errors_to(form):
            count = moderation.bulk(me(), form.action.data, review_ids, form.reason.data)
            message = moderation.action_for("review", form.action.data).message(count)
            context = _list_context(bulk_form=BulkForm(formdata=None))
            url = url_for("moderation.queue", **_queue_args())
            return respond(url, QUEUE_LIST, message=message, oob=[OPEN_COUNT], **context)
    return invalid(QUEUE, QUEUE_LIST, **_queue_context(bulk_form=form))


# --- readers ---------------------------------------------------------------------------------


@bp.get("/moderation/users")
@staff_required
def users():
    query = request.args.get("q", "")
    return render("moderation/users.html", query=query, found=staff.search_users(query))


def _user_context(user: User, **forms) -> dict:
    """A reader's staff page; ``forms`` replaces the blank suspend and role forms."""
    return {
        "user": user,
        "reviews": staff.reviews_by(user),
        "reports_by": reports.reports_by(user),
        "reports_about": reports.reports_about(user),
        "suspend_form": SuspendForm(formdata=None),
        "unsuspend_form": EmptyForm(formdata=None),
        "role_form": RoleForm(formdata=None, role=user.role),
        **forms,
    }


def _changed(target: User, message: str):
    """After a staff change to a reader: their page again, or for htmx the staff panel."""
    db.session.refresh(target)
    url = url_for("moderation.user", user_id=target.id)
    return respond(url, STAFF_PANEL, message=message, **_user_context(target))


def _target(user_id: int, may) -> User:
    """The reader acted on; 403 unless ``may(current_user, target)``."""
    target = db.get_or_404(User, user_id)
    if not may(current_user, target):
        abort(403)
    return target


@bp.get("/moderation/users/<int:user_id>")
@staff_required
def user(user_id: int):
    return render(USER_PAGE, **_user_context(db.get_or_404(User, user_id)))


def _suspend(target: User, form: SuspendForm) -> str:
    if not form.indefinitely.data and form.days.data is None:
        raise ValidationError("days", "Give a number of days, or tick “Indefinitely”.")
    days = None if form.indefinitely.data else form.days.data
    staff.suspend(me(), target, days, form.reason.data)
    return f"{target.username} is suspended."


def _unsuspend(target: User, form: EmptyForm) -> str:
    staff.unsuspend(me(), target)
    return f"{target.username}'s suspension is lifted."


def _set_role(target: User, form: RoleForm) -> str:
    staff.set_role(me(), target, form.role.data)
    return f"{target.username} is now {target.role}."


def _panel_route(name: str, may, form_class, change) -> None:
    """POST /moderation/users/<id>/<name>: the staff panel's ``name`` form (see ``_take``)."""

    @staff_required
    def view(user_id: int):
        return _take(_target(user_id, may), form_class(), f"{name}_form", change)

    view.__name__ = name
    bp.add_url_rule(f"/moderation/users/<int:user_id>/{name}", view_func=view, methods=["POST"])


def _take(target: User, form, key: str, change):
    """The staff panel's ``key`` form: ``change(target, form)`` acts and returns the message; a
    ValidationError it raises shows the panel again (422) with the error beside the field."""
    if form.validate_on_submit():
        with errors_to(form):
            return _changed(target, change(target, form))
    return invalid(USER_PAGE, STAFF_PANEL, **_user_context(target, **{key: form}))


_panel_route("suspend", permissions.can_suspend, SuspendForm, _suspend)
_panel_route("unsuspend", permissions.can_suspend, EmptyForm, _unsuspend)
_panel_route("role", permissions.can_change_role, RoleForm, _set_role)


@bp.post("/moderation/users/<int:user_id>/dismiss")
@staff_required
def dismiss_user_reports(user_id: int):
    target = db.get_or_404(User, user_id)
    count = staff.dismiss_user_reports(me(), target)
    message = f"{count} reports about {target.username} dismissed."
    return respond(url_for("moderation.user", user_id=target.id), message=message)


# --- books -----------------------------------------------------------------------------------


@bp.route("/moderation/books/<int:book_id>/edit", methods=["GET", "POST"])
@staff_required
@book_view
def edit_book(book: Book):
    if request.method == "GET":
        authors = "\n".join(a.name for a in book.authors)
        form = BookEditForm(formdata=None, obj=book, isbn=book.isbn13, authors=authors)
    else:
        form = BookEditForm()
    if form.validate_on_submit():
        try:
            with errors_to(form):
                catalog.edit_book(me(), book, book_data(form))
                return respond(book_url(book), message="Book details saved.")
        except catalog.DuplicateBook as error:
            taken = f"That ISBN belongs to “{error.book.title}” (book {error.book.id})."
            form.isbn.errors = [taken]
    return invalid("moderation/book_edit.html", "moderation/_book_form.html", book=book, form=form)


@bp.route("/moderation/books/<int:book_id>/merge", methods=["GET", "POST"])
@staff_required
@book_view
def merge_book(book: Book):
    form = MergeForm()
    if form.validate_on_submit():
        target = db.session.get(Book, form.target_id.data)
        if target is None:
            form.target_id.errors = ["There is no book with that number."]
        else:
            with errors_to(form):
                result = merges.merge_books(me(), book, target)
                message = (
                    f"Merged into “{target.title}”: {plural(result['moved'], 'review')} moved, "
                    f"{plural(result['conflicts'], 'duplicate')} resolved."
                )
                return respond(book_url(target), message=message)
    return invalid(
        "moderation/book_merge.html", "moderation/_merge_form.html", book=book, form=form
    )


# --- audit log -------------------------------------------------------------------------------


@bp.get("/moderation/log")
@staff_required
def log():
    filters = audit.LogFilter(
        actor=request.args.get("actor", "").strip(),
        action=request.args.get("action", "").strip(),
        target_type=request.args.get("target_type", "").strip(),
        target_id=as_id(request.args.get("target_id")),
    )
    before = cursors.time_cursor(request.args.get("before"))
    entries, older = audit.log(filters, before)
    told = audit_words.tell_all(entries, audit.cast_for(entries))
    actions = [(a, audit_words.action_label(a)) for a in audit.log_actions()]
    return render(
        "moderation/log.html",
        told=told,
        filters=filters,
        actions=actions,
        paged=before is not None,
        older=older,
    )
