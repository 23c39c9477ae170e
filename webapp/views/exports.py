"""/account/export: the library as a CSV to take anywhere, and everything as JSON."""

from __future__ import annotations

from flask import Blueprint, Response, abort, url_for
from flask_login import current_user, login_required

from webapp.forms import EmptyForm
from webapp.htmx import respond
from webapp.models import utcnow
from webapp.services import archives, exports

bp = Blueprint("exports", __name__, url_prefix="/account/export")


@bp.get("/library.csv")
@login_required
def library():
    name = f"colophon-library-{utcnow():%Y-%m-%d}.csv"
    return Response(
        exports.library_csv(current_user),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@bp.post("/archive")
@login_required
def request_archive():
    if not EmptyForm(prefix="archive").validate_on_submit():
        abort(400)
    archives.request_archive(current_user)
    message = "Your archive is being built; a notice brings the download link when it is ready."
    return respond(url_for("account.index"), message=message)


@bp.get("/archive/<token>.json")
@login_required
def archive(token: str):
    found = archives.ready(current_user, token)  # NotFound: the handlers' 404
    name = f"colophon-archive-{found.ready_at:%Y-%m-%d}.json"
    return Response(
        found.data,
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
