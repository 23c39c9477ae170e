"""Staff page: background jobs that failed for good, with their errors, to retry."""

from __future__ import annotations

from flask import Blueprint, abort, flash, render_template, url_for
from flask_login import current_user, login_required

from webapp import permissions
from webapp.errors import NotFound
from webapp.forms import EmptyForm
from webapp.htmx import redirect_to
from webapp.services import jobs

bp = Blueprint("jobs", __name__, url_prefix="/moderation/jobs")


@bp.before_request
@login_required
def staff_only():
    if not permissions.can_moderate(current_user):
        abort(403)


@bp.get("")
def index():
    return render_template("jobs/index.html", failures=jobs.failures(), form=EmptyForm())


@bp.post("/<int:failure_id>/retry")
def retry(failure_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        failure = jobs.retry(failure_id)
    except NotFound:
        abort(404)
    if failure.retried_at is None:
        flash("The queue did not answer; try again in a moment.", "error")
    else:
        flash(f"{failure.task} was queued again.", "success")
    return redirect_to(url_for("jobs.index"))
