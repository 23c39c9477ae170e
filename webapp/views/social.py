"""Following, follow requests, blocking and muting, from a reader's profile."""

from __future__ import annotations

from flask import Blueprint, abort, flash, url_for
from flask_login import current_user, login_required

from webapp import permissions
from webapp.errors import NotAllowed
from webapp.extensions import posting_limit
from webapp.htmx import is_partial, redirect_to, render
from webapp.inputs import page_arg
from webapp.models import User
from webapp.services import blocks, follows

bp = Blueprint("social", __name__)


def _reader(username: str) -> User:
    reader = User.by_username(username)
    if reader is None:
        abort(404)
    return reader


def _allowed_reader(username: str, predicate) -> User:
    reader = _reader(username)
    if not predicate(current_user, reader):
        abort(403)
    return reader


def _control(reader: User, message: str):
    """Flash; htmx gets the refreshed control, a plain POST goes back to the profile."""
    flash(message, "success")
    if not is_partial():
        return redirect_to(url_for("users.profile", username=reader.username))
    context = follows.relation(current_user, reader)
    return render("users/profile.html", "social/_control.html", reader=reader, **context)


@bp.post("/u/<username>/follow")
@login_required
@posting_limit("FOLLOW_LIMIT_PER_USER")
def follow(username: str):
    reader = _allowed_reader(username, permissions.can_follow)
    try:
        state = follows.follow(current_user, reader)
    except NotAllowed:
        abort(403)
    if state == "pending":
        return _control(reader, f"Asked to follow {reader.username}.")
    return _control(reader, f"You follow {reader.username}.")


@bp.post("/u/<username>/unfollow")
@login_required
def unfollow(username: str):
    reader = _allowed_reader(username, permissions.can_follow)
    follows.unfollow(current_user, reader)
    return _control(reader, f"You no longer follow {reader.username}.")


@bp.post("/u/<username>/block")
@login_required
def block(username: str):
    reader = _allowed_reader(username, permissions.can_block)
    blocks.block(current_user, reader)
    return _control(reader, f"You blocked {reader.username}.")


@bp.post("/u/<username>/unblock")
@login_required
def unblock(username: str):
    reader = _allowed_reader(username, permissions.can_mute)
    blocks.unblock(current_user, reader)
    return _control(reader, f"You unblocked {reader.username}.")


@bp.post("/u/<username>/mute")
@login_required
def mute(username: str):
    reader = _allowed_reader(username, permissions.can_mute)
    blocks.mute(current_user, reader)
    return _control(reader, f"You muted {reader.username}. They are not told.")


@bp.post("/u/<username>/unmute")
@login_required
def unmute(username: str):
    reader = _allowed_reader(username, permissions.can_mute)
    blocks.unmute(current_user, reader)
    return _control(reader, f"You unmuted {reader.username}.")


def _page_arg() -> int:
    return page_arg()


@bp.get("/u/<username>/followers")
def followers(username: str):
    reader = _reader(username)
    people = follows.followers_of(reader, _page_arg())
    return render("social/people.html", reader=reader, people=people, kind="followers")


@bp.get("/u/<username>/following")
def following(username: str):
    reader = _reader(username)
    people = follows.following_of(reader, _page_arg())
    return render("social/people.html", reader=reader, people=people, kind="following")


@bp.get("/follow-requests")
@login_required
def requests():
    people = follows.requests_for(current_user, _page_arg())
    return render("social/requests.html", people=people)


def _answered(message: str):
    flash(message, "success")
    if not is_partial():
        return redirect_to(url_for("social.requests"))
    people = follows.requests_for(current_user)
    return render("social/requests.html", "social/_requests.html", people=people)


@bp.post("/follow-requests/<username>/approve")
@login_required
def approve(username: str):
    requester = _reader(username)
    if not follows.approve(current_user, requester):
        abort(404)
    return _answered(f"{requester.username} now follows you.")


@bp.post("/follow-requests/<username>/decline")
@login_required
def decline(username: str):
    requester = _reader(username)
    if not follows.decline(current_user, requester):
        abort(404)
    return _answered(f"Declined {requester.username}'s request.")
