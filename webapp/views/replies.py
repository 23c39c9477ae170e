"""Replies under a review: post, edit, delete, report (staff act on them from the queue)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, url_for
from flask_login import current_user, login_required

from webapp import book_page, permissions
from webapp.extensions import db, posting_limit
from webapp.forms import EmptyForm, errors_to
from webapp.forms.moderation import ReportForm
from webapp.forms.replies import ReplyForm
from webapp.guards import confirmed_required
from webapp.htmx import invalid, render, respond
from webapp.models import Reply, Review
from webapp.services import replies, reports
from webapp.web import review_or_404, review_view

bp = Blueprint("replies", __name__)


def _reply_or_404(reply_id: int) -> Reply:
    """404 for a reply the viewer may not see, or one under a review they may not see."""
    reply = db.session.get(Reply, reply_id)
    if reply is None or not replies.can_see(current_user, reply):
        abort(404)
    review_or_404(reply.review_id)
    return reply


def reply_url(reply: Reply) -> str:
    return url_for("reviews.show", review_id=reply.review_id, _anchor=f"reply-{reply.id}")


def _own_reply(reply_id: int) -> Reply:
    """The signed-in reader's own reply (404 if unseen, 403 if someone else's)."""
    reply = _reply_or_404(reply_id)
    if not permissions.owns(current_user, reply):
        abort(403)
    return reply


@bp.post("/reviews/<int:review_id>/replies")
@login_required
@confirmed_required
@posting_limit("REPLY_LIMIT_PER_USER")
@review_view
def create(review: Review):
    form = ReplyForm()
    if form.validate_on_submit():
        with errors_to(form):
            reply = replies.post(current_user, review, form.body.data)  # NotAllowed: 403
            message = "Held for a moderator." if reply.is_held else "Your reply was posted."
            context = book_page.thread_context(review, focus=reply.id)
            return respond(reply_url(reply), "replies/_thread.html", message=message, **context)
    context = book_page.thread_context(review, form=form)
    return invalid("reviews/show.html", "replies/_thread.html", **context)


@bp.route("/replies/<int:reply_id>/edit", methods=["GET", "POST"])
@login_required
def edit(reply_id: int):
    reply = _own_reply(reply_id)
    form = ReplyForm(data={"body": reply.body})
    if form.validate_on_submit():
        with errors_to(form):
            replies.edit(current_user, reply, form.body.data)
            return respond(reply_url(reply), message="Your reply was updated.")
    return invalid("replies/edit.html", "replies/_edit_form.html", reply=reply, form=form)


@bp.route("/replies/<int:reply_id>/delete", methods=["GET", "POST"])
@login_required
def delete(reply_id: int):
    reply = _own_reply(reply_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        return render("replies/delete.html", reply=reply, form=form)
    url = url_for("reviews.show", review_id=reply.review_id, _anchor="replies")
    replies.delete(current_user, reply)
    return respond(url, message="Your reply was deleted.", category="info")


@bp.route("/replies/<int:reply_id>/report", methods=["GET", "POST"])
@login_required
@confirmed_required
@posting_limit()
def report(reply_id: int):
    reply = _reply_or_404(reply_id)
    if permissions.owns(current_user, reply):
        abort(403)
    form = ReportForm()
    if form.validate_on_submit():
        with errors_to(form):
            rule = reports.AutoHide.from_config(current_app.config)
            created = replies.report(
                current_user, reply, form.reason.data, form.note.data, auto_hide=rule
            )
            done = "Thank you, moderators will look at it." if created else "Already reported."
            return respond(reply_url(reply), message=done)
    return invalid(
        "replies/report.html",
        "replies/_report_control.html",
        reply=reply,
        report_form=form,
        report_open=True,
    )
