"""A reader's notices: outcomes of their reports, and their reviews hidden or restored."""

from __future__ import annotations

from flask import Blueprint, url_for
from flask_login import current_user, login_required

from webapp.htmx import render, respond
from webapp.services import notices

bp = Blueprint("notices", __name__)


@bp.get("/notifications")
@login_required
def index():
    """Opening the page marks everything read; what was unread is still highlighted once."""
    shown = notices.notices_for(current_user)
    unread = {n.id for n in shown if n.read_at is None}
    if unread:
        notices.mark_all_read(current_user)
    return render("notices/index.html", notices=shown, unread=unread)


@bp.post("/notifications/read")
@login_required
def mark_read():
    notices.mark_all_read(current_user)
    return respond(
        url_for("notices.index"),
        "notices/_list.html",
        message="All notifications marked as read.",
        oob=["moderation/_unread_count.html"],
        notices=notices.notices_for(current_user),
        unread=set(),
    )
