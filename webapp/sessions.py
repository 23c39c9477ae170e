"""Flask-Login glue: every sign-in is a server-side session row that logout can end.

The id Flask-Login keeps in the session cookie and the remember cookie is ``user_id:key``;
the key names a ``LoginSession`` row. Deleting the row (logout, "sign out everywhere else",
a password change or reset, a suspension) makes both cookies worthless, even copied ones.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_login import current_user, login_user, logout_user

from webapp.extensions import login_manager
from webapp.models import User
from webapp.services import login_sessions


def lifetime() -> timedelta:
    """Sessions last as long as the remember cookie may."""
    return timedelta(seconds=current_app.config["REMEMBER_COOKIE_DURATION"])


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    user_id, _, key = session_id.partition(":")
    if not (user_id.isascii() and user_id.isdigit()) or len(user_id) > 18 or not key:
        return None
    user = login_sessions.session_user(int(user_id), key, lifetime())
    if user is None or user.is_suspended:
        return None  # a suspended reader's open sessions stop working at once
    return user


def sign_in(user: User, remember: bool = False) -> None:
    """Open a new session for ``user`` and put it in this browser's cookies."""
    login_sessions.open_session(user, lifetime())
    login_user(user, remember=remember)


def sign_out() -> None:
    """End this browser's session server-side, then clear its cookies."""
    if current_user.is_authenticated:
        login_sessions.end_session(current_user._get_current_object())
    logout_user()
