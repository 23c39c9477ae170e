"""Reporting (any reader) and the staff area: queue, readers, books, audit log."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, current_app, flash, render_template, request, url_for
from flask_login import current_user, login_required

from webapp import permissions
from webapp.errors import NotAllowed, ValidationError
from webapp.extensions import db
from webapp.forms import apply_error
from webapp.forms.catalog import BookEditForm, book_data
from webapp.forms.moderation import (
    BULK_ACTIONS,
    BulkForm,
    HideForm,
    MergeForm,
    ReportForm,
    RoleForm,
    SuspendForm,
)
from webapp.guards import confirmed_required
from webapp.htmx import is_partial, redirect_to, render
from webapp.inputs import as_id, ids
from webapp.models import REPORT_REASONS, Book, Review, User
from webapp.services import audit, catalog, merges, moderation, notices, replies, reports, staff
from webapp.views.auth import safe_next

bp = Blueprint("moderation", __name__)


@bp.app_context_processor
def header_counts() -> dict:
    """Lazy counts for the nav: only pages that show them pay for the query."""
    return {
        "open_report_count": reports.open_count,
        "unread_notice_count": lambda: notices.unread_count(current_user),
        "report_reasons": REPORT_REASONS,
        "bulk_actions": BULK_ACTIONS,
    }


def staff_required(view):
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not permissions.can_moderate(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def _get(model, ident: int):
    row = db.session.get(model, ident)
    if row is None:
        abort(404)
    return row


def _me() -> User:
    return current_user._get_current_object()


# --- reporting -------------------------------------------------------------------------------


def _reportable_review(review_id: int) -> Review:
    review = _get(Review, review_id)
    if review.is_hidden and not permissions.can_moderate(current_user):
        abort(404)
    if not permissions.can_report_review(current_user, review):
        abort(403)
    return review


@bp.route("/reviews/<int:review_id>/report", methods=["GET", "POST"])
@login_required
@confirmed_required
def report_review(review_id: int):
    review = _reportable_review(review_id)
    form = ReportForm()
    back = url_for("books.detail", book_id=review.book_id, slug=review.book.slug)
    if request.method == "GET":
        form.next.data = back
    ctx = {"review": review, "report_form": form, "next_url": back}
    if form.validate_on_submit():
        try:
            _, created = reports.report_review(
                _me(),
                review,
                form.reason.data,
                form.note.data,
                auto_hide=reports.AutoHide(
                    reports=current_app.config["MODERATION_AUTO_HIDE"],
                    min_age_days=current_app.config["MODERATION_REPORTER_MIN_DAYS"],
                    min_ratings=current_app.config["MODERATION_REPORTER_MIN_RATINGS"],
                ),
            )
        except ValidationError as error:
            apply_error(form, error)
        else:
            flash(
                "Thank you: moderators will look at this review."
                if created
                else "You have already reported this review.",
                "success",
            )
            if is_partial():
                return render(
                    "moderation/report.html",
                    "moderation/_report_control.html",
                    reported_ids={review.id},
                    **ctx,
                )
            return redirect_to(safe_next(form.next.data) or back)
    status = 422 if form.is_submitted() else 200
    reported = {review.id} if reports.has_open_report(current_user, review=review) else set()
    return render(
        "moderation/report.html",
        "moderation/_report_control.html",
        status=status,
        reported_ids=reported,
        report_open=True,
        **ctx,
    )


@bp.route("/u/<username>/report", methods=["GET", "POST"])
@login_required
@confirmed_required
def report_user(username: str):
    user = User.by_username(username)
    if user is None:
        abort(404)
    if not permissions.can_report_user(current_user, user):
        abort(403)
    form = ReportForm()
    if request.method == "GET":
        form.next.data = request.path
    ctx = {"user": user, "report_form": form}
    if form.validate_on_submit():
        try:
            _, created = reports.report_user(_me(), user, form.reason.data, form.note.data)
        except ValidationError as error:
            apply_error(form, error)
        else:
            flash(
                f"Thank you: moderators will look at your report about {user.username}."
                if created
                else f"You have already reported {user.username}.",
                "success",
            )
            if is_partial():
                return render(
                    "moderation/report_user.html",
                    "moderation/_report_user_control.html",
                    user_reported=True,
                    **ctx,
                )
            return redirect_to(safe_next(form.next.data) or request.path)
    status = 422 if form.is_submitted() else 200
    reported = reports.has_open_report(current_user, user=user)
    return render(
        "moderation/report_user.html",
        "moderation/_report_user_control.html",
        status=status,
        report_open=True,
        user_reported=reported,
        **ctx,
    )


# --- the queue -------------------------------------------------------------------------------


def _filters() -> dict:
    status = request.args.get("status", "open")
    reason = request.args.get("reason", "")
    return {
        "status": status if status in ("open", "resolved") else "open",
        "reason": reason if reason in REPORT_REASONS else "",
    }


def _queue_page(status: int = 200, **extra):
    filters = _filters()
    ctx = {
        "items": reports.queue(filters["status"], filters["reason"] or None),
        "reported_users": reports.reported_users(),
        "reply_queue": replies.queue(),
        "filters": filters,
        "reasons": REPORT_REASONS,
        "bulk_form": BulkForm(),
        "hide_forms": {},
    }
    ctx.update(extra)
    return render("moderation/queue.html", status=status, **ctx)


@bp.get("/moderation")
@staff_required
def queue():
    return _queue_page()


@bp.post(f"/moderation/reviews/<int:review_id>/<any({', '.join(moderation.ACTIONS)}):action>")
@staff_required
def review_action(review_id: int, action: str):
    review = _get(Review, review_id)
    if not moderation.ACTIONS[action].allowed(current_user):
        abort(403)
    form = HideForm()  # CSRFProtect has already checked the token of every POST
    if not moderation.ACTIONS[action].needs_reason or form.validate_on_submit():
        try:
            moderation.act(_me(), action, review, form.reason.data)
        except ValidationError as error:
            apply_error(form, error)
        else:
            flash(moderation.ACTIONS[action].message(), "success")
            if not is_partial():
                return redirect_to(url_for("moderation.queue"))
            item = None if action == "delete" else reports.queue_item(review)
            return render(
                "moderation/queue.html",
                "moderation/_queue_item.html",
                item=item,
                review_id=review_id,
                hide_form=HideForm(formdata=None),
                count_oob=True,
            )
    if is_partial():
        return render(
            "moderation/queue.html",
            "moderation/_queue_item.html",
            status=422,
            item=reports.queue_item(review),
            review_id=review_id,
            hide_form=form,
        )
    return _queue_page(422, hide_forms={review_id: form})


@bp.post("/moderation/bulk")
@staff_required
def bulk():
    form = BulkForm()
    review_ids = ids(request.form.getlist("review_ids"))
    if form.validate_on_submit():
        try:
            count = moderation.bulk(_me(), form.action.data, review_ids, form.reason.data)
        except NotAllowed:
            abort(403)
        except ValidationError as error:
            apply_error(form, error)
        else:
            flash(moderation.ACTIONS[form.action.data].message(count), "success")
            if not is_partial():
                return redirect_to(url_for("moderation.queue"))
            filters = _filters()
            return render(
                "moderation/queue.html",
                "moderation/_queue_list.html",
                items=reports.queue(filters["status"], filters["reason"] or None),
                filters=filters,
                bulk_form=BulkForm(formdata=None),
                hide_forms={},
                count_oob=True,
            )
    if is_partial():
        filters = _filters()
        return render(
            "moderation/queue.html",
            "moderation/_queue_list.html",
            status=422,
            items=reports.queue(filters["status"], filters["reason"] or None),
            filters=filters,
            bulk_form=form,
            hide_forms={},
        )
    return _queue_page(422, bulk_form=form)


# --- readers ---------------------------------------------------------------------------------


@bp.get("/moderation/users")
@staff_required
def users():
    query = request.args.get("q", "")
    return render_template("moderation/users.html", query=query, found=staff.search_users(query))


def _user_page(user: User, status: int = 200, partial: str | None = None, **forms):
    ctx = {
        "user": user,
        "reviews": staff.reviews_by(user),
        "reports_by": reports.reports_by(user),
        "reports_about": reports.reports_about(user),
        "suspend_form": SuspendForm(formdata=None),
        "role_form": RoleForm(formdata=None, role=user.role),
    }
    ctx.update(forms)
    return render("moderation/user.html", partial, status=status, **ctx)


@bp.get("/moderation/users/<int:user_id>")
@staff_required
def user(user_id: int):
    return _user_page(_get(User, user_id))


@bp.post("/moderation/users/<int:user_id>/suspend")
@staff_required
def suspend(user_id: int):
    target = _get(User, user_id)
    if not permissions.can_suspend(current_user, target):
        abort(403)
    form = SuspendForm()
    if form.validate_on_submit():
        if not form.indefinitely.data and form.days.data is None:
            form.days.errors = ["Give a number of days, or tick “Indefinitely”."]
        else:
            try:
                days = None if form.indefinitely.data else form.days.data
                staff.suspend(_me(), target, days, form.reason.data)
            except ValidationError as error:
                apply_error(form, error)
            else:
                flash(f"{target.username} is suspended.", "success")
                return _after_user_change(target)
    return _user_page(target, 422, "moderation/_staff_panel.html", suspend_form=form)


@bp.post("/moderation/users/<int:user_id>/unsuspend")
@staff_required
def unsuspend(user_id: int):
    target = _get(User, user_id)
    if not permissions.can_suspend(current_user, target):
        abort(403)
    try:
        staff.unsuspend(_me(), target)
    except ValidationError as error:
        flash(error.message, "error")
    else:
        flash(f"{target.username}'s suspension is lifted.", "success")
    return _after_user_change(target)


@bp.post("/moderation/users/<int:user_id>/role")
@staff_required
def role(user_id: int):
    target = _get(User, user_id)
    if not permissions.can_change_role(current_user, target):
        abort(403)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            staff.set_role(_me(), target, form.role.data)
        except ValidationError as error:
            apply_error(form, error)
        else:
            flash(f"{target.username} is now {target.role}.", "success")
            return _after_user_change(target)
    return _user_page(target, 422, "moderation/_staff_panel.html", role_form=form)


@bp.post("/moderation/users/<int:user_id>/dismiss")
@staff_required
def dismiss_user_reports(user_id: int):
    target = _get(User, user_id)
    count = staff.dismiss_user_reports(_me(), target)
    flash(f"{count} reports about {target.username} dismissed.", "success")
    return redirect_to(url_for("moderation.user", user_id=target.id))


def _after_user_change(target: User):
    if is_partial():
        db.session.refresh(target)
        return _user_page(target, 200, "moderation/_staff_panel.html")
    return redirect_to(url_for("moderation.user", user_id=target.id))


# --- books -----------------------------------------------------------------------------------


@bp.route("/moderation/books/<int:book_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_book(book_id: int):
    book = _get(Book, book_id)
    form = BookEditForm()
    if request.method == "GET":
        form = BookEditForm(
            formdata=None,
            obj=book,
            isbn=book.isbn13,
            authors="\n".join(a.name for a in book.authors),
        )
    elif form.validate_on_submit():
        try:
            catalog.edit_book(_me(), book, book_data(form))
        except catalog.DuplicateBook as error:
            form.isbn.errors = [
                f"That ISBN belongs to “{error.book.title}” (book {error.book.id})."
            ]
        except ValidationError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            flash("Book details saved.", "success")
            return redirect_to(url_for("books.detail", book_id=book.id, slug=book.slug))
    status = 422 if form.is_submitted() else 200
    return render(
        "moderation/book_edit.html",
        "moderation/_book_form.html",
        status=status,
        book=book,
        form=form,
    )


@bp.route("/moderation/books/<int:book_id>/merge", methods=["GET", "POST"])
@staff_required
def merge_book(book_id: int):
    book = _get(Book, book_id)
    form = MergeForm()
    if form.validate_on_submit():
        target = db.session.get(Book, form.target_id.data)
        if target is None:
            form.target_id.errors = ["There is no book with that number."]
        else:
            try:
                result = merges.merge_books(_me(), book, target)
            except ValidationError as error:
                apply_error(form, error)
            else:
                flash(
                    f"Merged into “{target.title}”: {result['moved']} reviews moved, "
                    f"{result['conflicts']} duplicates resolved.",
                    "success",
                )
                return redirect_to(url_for("books.detail", book_id=target.id, slug=target.slug))
    status = 422 if form.is_submitted() else 200
    return render(
        "moderation/book_merge.html",
        "moderation/_merge_form.html",
        status=status,
        book=book,
        form=form,
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
    return render_template(
        "moderation/log.html",
        entries=audit.log(filters),
        filters=filters,
        actions=audit.log_actions(),
    )
