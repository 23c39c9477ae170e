"""Following, follow requests, blocking and muting, from a reader's profile."""

from __future__ import annotations

from flask import Blueprint, abort, request, url_for
from flask_login import current_user, login_required

from webapp import permissions
from webapp.extensions import posting_limit
from webapp.htmx import render, respond
from webapp.inputs import as_id, page_arg
from webapp.models import User
from webapp.services import blocks, follows
from webapp.web import safe_next, user_or_404

bp = Blueprint("social", __name__)


def _allowed_reader(username: str, predicate) -> User:
    reader = user_or_404(username)
    if not predicate(current_user, reader):
        abort(403)
    return reader


def _control(reader: User, message: str):
    """Back to the profile, or to the page of the review card whose button was pressed
    (``card``, with ``next``); htmx gets the refreshed control or card button."""
    card = as_id(request.form.get("card"))
    if card is not None:
        url = safe_next(request.form.get("next")) or url_for(
            "users.profile", username=reader.username
        )
        state = follows.status(current_user, reader)
        review = {"id": card, "user": reader}
        fragment = "social/_follow_card.html"
        return respond(url, fragment, message=message, review=review, follow_state=state)
    url = url_for("users.profile", username=reader.username)
    context = follows.relation(current_user, reader)
    return respond(url, "social/_control.html", message=message, reader=reader, **context)


def _change(username: str, may, change, message: str):
    """``change(current_user, reader)`` if ``may`` allows it (else 403); ``{}`` in ``message``
    becomes the reader's name."""
    reader = _allowed_reader(username, may)
    change(current_user, reader)
    return _control(reader, message.format(reader.username))


@bp.post("/u/<username>/follow")
@login_required
@posting_limit("FOLLOW_LIMIT_PER_USER")
def follow(username: str):
    reader = _allowed_reader(username, permissions.can_follow)
    state = follows.follow(current_user, reader)  # NotAllowed: 403
    if state == "pending":
        return _control(reader, f"Asked to follow {reader.username}.")
    return _control(reader, f"You follow {reader.username}.")


def _change_route(name: str, may, change, message: str) -> None:
    """POST /u/<username>/<name>: ``_change`` with these arguments (the four stanzas alike)."""

    @login_required
    def view(username: str):
        return _change(username, may, change, message)

    view.__name__ = name
    bp.add_url_rule(f"/u/<username>/{name}", view_func=view, methods=["POST"])


_change_route("unfollow", permissions.can_follow, follows.unfollow, "You no longer follow {}.")
_change_route("block", permissions.can_block, blocks.block, "You blocked {}.")
_change_route("unblock", permissions.can_mute, blocks.unblock, "You unblocked {}.")
_change_route("mute", permissions.can_mute, blocks.mute, "You muted {}. They are not told.")
_change_route("unmute", permissions.can_mute, blocks.unmute, "You unmuted {}.")


@bp.get("/u/<username>/followers")
def followers(username: str):
    return _people(username, "followers", follows.followers_of)


@bp.get("/u/<username>/following")
def following(username: str):
    return _people(username, "following", follows.following_of)


def _people(username: str, kind: str, of):
    """One page of ``of(reader)``: the reader's followers or the readers they follow."""
    reader = user_or_404(username)
    people = of(reader, page_arg())
    return render("social/people.html", reader=reader, people=people, kind=kind)


@bp.get("/follow-requests")
@login_required
def requests():
    people = follows.requests_for(current_user, page_arg())
    return render("social/requests.html", people=people)


def _answered(message: str):
    """Back to the requests; htmx gets the list as it is now."""
    people = follows.requests_for(current_user)
    url = url_for("social.requests")
    return respond(url, "social/_requests.html", message=message, people=people)


@bp.post("/follow-requests/<username>/approve")
@login_required
def approve(username: str):
    return _answer(username, follows.approve, "{} now follows you.")


@bp.post("/follow-requests/<username>/decline")
@login_required
def decline(username: str):
    return _answer(username, follows.decline, "Declined {}'s request.")


def _answer(username: str, answer, message: str):
    """``answer(current_user, requester)``; 404 when there was no such request."""
    requester = user_or_404(username)
    if not answer(current_user, requester):
        abort(404)
    return _answered(message.format(requester.username))
