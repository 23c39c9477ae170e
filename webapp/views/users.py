"""Public reader profiles."""

from __future__ import annotations

from flask import Blueprint, abort, request

from webapp.htmx import render
from webapp.services import shelves, users

bp = Blueprint("users", __name__)


@bp.get("/u/<username>")
def profile(username: str):
    reader = users.by_username(username)
    if reader is None:
        abort(404)
    page = request.args.get("page", 1, type=int) or 1
    return render(
        "users/profile.html",
        "users/_reviews.html",
        reader=reader,
        shelves=shelves.shelves_of(reader),
        reviews=users.reviews_by(reader, page),
        stats=users.rating_stats(reader),
    )
