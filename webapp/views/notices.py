"""A reader's notices: outcomes of their reports, and their reviews hidden or restored."""

from __future__ import annotations

from flask import Blueprint, flash, url_for
from flask_login import current_user, login_required

from webapp.htmx import is_partial, redirect_to, render
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
    flash("All notifications marked as read.", "success")
    if is_partial():
        return render(
            "notices/index.html",
            "notices/_list.html",
            notices=notices.notices_for(current_user),
            unread=set(),
            count_oob=True,
        )
    return redirect_to(url_for("notices.index"))
