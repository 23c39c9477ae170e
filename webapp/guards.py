"""View decorators that enforce a permission with a helpful answer rather than a bare 403."""

from __future__ import annotations

import functools

from flask import flash, url_for
from flask_login import current_user

from webapp.htmx import redirect_to
from webapp.permissions import can_post, is_signed_in


def confirmed_required(view):
    """Posting reviews and reports needs a confirmed address (see ``can_post``).

    Goes inside ``login_required``; an unconfirmed reader is sent to /account, where the
    link can be mailed again.
    """

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if is_signed_in(current_user) and not can_post(current_user):
            flash(
                "Please confirm your email address before posting: follow the link we mailed "
                "you, or ask for a new one below.",
                "info",
            )
            return redirect_to(url_for("account.index"))
        return view(*args, **kwargs)

    return wrapped
