"""Reporting a review or a reader to the moderators (any signed-in reader)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, request
from flask_login import current_user, login_required

from webapp import permissions
from webapp.forms import errors_to
from webapp.forms.moderation import ReportForm
from webapp.guards import confirmed_required
from webapp.htmx import invalid, respond
from webapp.models import Review, User
from webapp.services import reports
from webapp.web import book_url, me, reader_view, review_or_404, safe_next

bp = Blueprint("reports", __name__)


def _reportable_review(review_id: int) -> Review:
    """404 for a review the reader cannot see (a private reader's, to others) or that is hidden
    (even to its author: there is nothing to report); 403 for one they may not report."""
    review = review_or_404(review_id)
    if review.is_hidden and not permissions.can_moderate(current_user):
        abort(404)
    if not permissions.can_report_review(current_user, review):
        abort(403)
    return review


def _auto_hide() -> reports.AutoHide:
    """When enough trusted readers' reports hide a review before a moderator looks."""
    return reports.AutoHide.from_config(current_app.config)


def _form(back: str) -> ReportForm:
    """The report form; its ``next`` (where to return) starts as ``back``."""
    form = ReportForm()
    if request.method == "GET":
        form.next.data = back
    return form


@bp.route("/reviews/<int:review_id>/report", methods=["GET", "POST"])
@login_required
@confirmed_required
def review(review_id: int):
    review = _reportable_review(review_id)
    back = book_url(review.book)
    form = _form(back)
    page, control = "moderation/report.html", "moderation/_report_control.html"
    context = {"review": review, "report_form": form, "next_url": back}
    if form.validate_on_submit():
        with errors_to(form):
            _, created = reports.report_review(
                me(), review, form.reason.data, form.note.data, auto_hide=_auto_hide()
            )
            message = "Thank you: moderators will look at this review."
            message = message if created else "You have already reported this review."
            url = safe_next(form.next.data) or back
            return respond(url, control, message=message, reported_ids={review.id}, **context)
    reported = {review.id} if reports.has_open_report(current_user, review=review) else set()
    return invalid(page, control, reported_ids=reported, report_open=True, **context)


@bp.route("/u/<username>/report", methods=["GET", "POST"])
@login_required
@confirmed_required
@reader_view
def user(user: User):
    if not permissions.can_report_user(current_user, user):
        abort(403)
    form = _form(request.path)
    page, control = "moderation/report_user.html", "moderation/_report_user_control.html"
    context = {"user": user, "report_form": form}
    if form.validate_on_submit():
        with errors_to(form):
            _, created = reports.report_user(me(), user, form.reason.data, form.note.data)
            message = f"Thank you: moderators will look at your report about {user.username}."
            message = message if created else f"You have already reported {user.username}."
            url = safe_next(form.next.data) or request.path
            return respond(url, control, message=message, user_reported=True, **context)
    reported = reports.has_open_report(current_user, user=user)
    return invalid(page, control, user_reported=reported, report_open=True, **context)
