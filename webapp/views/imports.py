"""/import: upload a Goodreads or StoryGraph export, watch it progress, read its report."""

from __future__ import annotations

from flask import Blueprint, Response, abort, url_for
from flask_login import current_user, login_required

from webapp.forms import EmptyForm, errors_to
from webapp.forms.imports import ImportForm
from webapp.htmx import invalid, render, respond
from webapp.services import library_imports, retention
from webapp.services.import_formats import MAX_BYTES

bp = Blueprint("imports", __name__, url_prefix="/import")


@bp.before_request
@login_required
def signed_in():
    """Every page here is the reader's own."""


def _own(import_id: int):
    """The reader's own import; a NotFound from the service is the handlers' 404."""
    return library_imports.get_own(current_user, import_id)


@bp.route("", methods=["GET", "POST"])
def upload():
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        with upload.stream:  # a big file is spooled to disk: close it when read
            data = upload.read()
        with errors_to(form):
            job = library_imports.start(current_user, upload.filename, data, form.choice.data)
            message = "Your file is queued; this page shows how far it has got."
            return respond(url_for("imports.progress", import_id=job.id), message=message)
    past = library_imports.imports_of(current_user)
    return invalid("imports/upload.html", form=form, past=past)


upload.max_body = MAX_BYTES + 64 * 1024  # the file plus the form around it


@bp.get("/<int:import_id>")
def progress(import_id: int):
    job = _own(import_id)
    return render("imports/progress.html", "imports/_progress.html", job=job)


def _report(job, form: EmptyForm):
    """The report page (with ``form``'s error after a refused undo: 422)."""
    can_undo = library_imports.can_undo(job)
    keep_days = retention.IMPORT_KEEP.days
    context = {"job": job, "can_undo": can_undo, "form": form, "keep_days": keep_days}
    return invalid("imports/report.html", **context)


@bp.get("/<int:import_id>/report")
def report(import_id: int):
    return _report(_own(import_id), EmptyForm())


@bp.get("/<int:import_id>/problems.csv")
def problems(import_id: int):
    job = _own(import_id)
    name = f"colophon-import-{job.id}-problems.csv"
    return Response(
        library_imports.problems_csv(job),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.post("/<int:import_id>/undo")
def undo(import_id: int):
    job = _own(import_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    with errors_to(form):  # past its 14 days: the report again, saying so
        library_imports.undo(current_user, job)
        url = url_for("imports.report", import_id=import_id)
        return respond(url, message="The import was undone.")
    return _report(job, form)
