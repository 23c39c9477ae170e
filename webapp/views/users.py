"""Public reader profiles."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from webapp import permissions
from webapp.htmx import render
from webapp.inputs import page_arg
from webapp.models import User
from webapp.services import follows, goals, privacy, reads, reports, shelves, users
from webapp.web import reader_view

bp = Blueprint("users", __name__)


@bp.get("/u/<username>")
@reader_view
def profile(reader: User):
    return render(
        "users/profile.html",
        "users/_reviews.html",
        reader=reader,
        user_reported=reports.has_open_report(current_user, user=reader),
        **_record(reader),
        **follows.relation(current_user, reader),
    )


def _record(reader) -> dict:
    """The profile's reading, shelves, ratings and reviews; none of a private profile to a
    reader it has not approved (``shown`` False)."""
    if not privacy.can_see(current_user, reader):
        return {"shown": False, "in_progress": [], "goal": None, "shelves": {}, "stats": None}
    own_or_staff = permissions.is_moderator(current_user) or (
        current_user.is_authenticated and current_user.id == reader.id
    )
    visible = permissions.can_see_reading(current_user, reader)
    shelved = shelves.shelves_of(reader)
    shown_ids = [entry.book_id for entries in shelved.values() for entry in entries]
    return {
        "shown": True,
        "in_progress": reads.in_progress(reader) if visible else [],
        "goal": goals.progress(reader) if visible else None,
        "shelves": shelved,
        "shelf_of": shelves.statuses(current_user, shown_ids),  # the viewer's, for the cards
        "reviews": users.reviews_by(reader, page_arg(), include_hidden=own_or_staff),
        "stats": users.stats_for(reader),
    }
