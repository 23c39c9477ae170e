"""Staff page: background jobs that failed for good, with their errors, to retry."""

from __future__ import annotations

from flask import Blueprint, abort, url_for

from webapp.forms import EmptyForm
from webapp.htmx import render, respond
from webapp.services import jobs
from webapp.web import staff_required

bp = Blueprint("jobs", __name__, url_prefix="/moderation/jobs")


@bp.get("")
@staff_required
def index():
    return render("jobs/index.html", failures=jobs.failures(), form=EmptyForm())


@bp.post("/<int:failure_id>/retry")
@staff_required
def retry(failure_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    failure = jobs.retry(failure_id)  # NotFound: 404
    if failure.retried_at is None:
        message, category = "The queue did not answer; try again in a moment.", "error"
    else:
        message, category = f"{failure.task} was queued again.", "success"
    return respond(url_for("jobs.index"), message=message, category=category)
