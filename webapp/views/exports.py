"""/account/export: the reader's library as a CSV they can take anywhere."""

from __future__ import annotations

from flask import Blueprint, Response
from flask_login import current_user, login_required

from webapp.models import utcnow
from webapp.services import exports

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
