"""Following readers: follow, requests to private readers, counts and lists.

Counts are counted, not kept: two indexed COUNTs per profile cost less than a kept number's
locking, and they can never drift from the rows.
"""

from __future__ import annotations

from sqlalchemy import delete, func, literal, select, union_all, update
from sqlalchemy.exc import IntegrityError

from webapp.errors import NotAllowed, ValidationError
from webapp.extensions import db
from webapp.models import Block, Follow, User
from webapp.pagination import Page
from webapp.services import blocks, notices, versions

PER_PAGE = 30


def status(follower: User, followee: User) -> str | None:
    """``active``, ``pending`` or None."""
    if not follower.is_authenticated:
        return None
    return db.session.scalar(
        select(Follow.status).where(
            Follow.follower_id == follower.id, Follow.followee_id == followee.id
        )
    )


def states_for(viewer: User, user_ids) -> dict[int, str]:
    """The viewer's follow state toward each of ``user_ids`` (one query): ``active``,
    ``pending``, ``blocked`` (a block either way: no button) or missing (not followed)."""
    ids = set(user_ids) - {getattr(viewer, "id", None)}
    if not viewer.is_authenticated or not ids:
        return {}
    followed = select(Follow.followee_id.label("uid"), Follow.status.label("state")).where(
        Follow.follower_id == viewer.id, Follow.followee_id.in_(ids)
    )
    blocking = select(Block.blocked_id, literal("blocked")).where(
        Block.blocker_id == viewer.id, Block.blocked_id.in_(ids)
    )
    blocked_by = select(Block.blocker_id, literal("blocked")).where(
        Block.blocked_id == viewer.id, Block.blocker_id.in_(ids)
    )
    states: dict[int, str] = {}
    for uid, state in db.session.execute(union_all(followed, blocking, blocked_by)):
        states[uid] = "blocked" if "blocked" in (state, states.get(uid)) else state
    return states


def counts(reader: User) -> dict[str, int]:
    """Active followers and following of ``reader`` (one query)."""
    followers = (
        select(func.count())
        .select_from(Follow)
        .where(Follow.followee_id == reader.id, Follow.status == "active")
        .scalar_subquery()
    )
    following = (
        select(func.count())
        .select_from(Follow)
        .where(Follow.follower_id == reader.id, Follow.status == "active")
        .scalar_subquery()
    )
    row = db.session.execute(select(followers, following)).one()
    return {"followers": row[0], "following": row[1]}


def _tell(user_id: int, about: User, message: str, link: str) -> None:
    """A notice, unless its reader muted the one it is about."""
    if not blocks.is_muted(user_id, about.id):
        notices.notify(user_id, message, link)


def follow(actor: User, target: User) -> str:
    """Follow ``target`` (a request when the target is private); returns the follow's status.

    Raises ValidationError for oneself and NotAllowed when either blocked the other.
    Following twice changes nothing and notifies nobody again.
    """
    if actor.id == target.id:
        raise ValidationError(None, "You cannot follow yourself.")
    if blocks.between(actor, target):
        raise NotAllowed("blocked")
    existing = status(actor, target)
    if existing:
        return existing
    state = "pending" if target.is_private else "active"
    try:
        with db.session.begin_nested():
            db.session.add(Follow(follower_id=actor.id, followee_id=target.id, status=state))
    except IntegrityError:  # a second tab followed first: that row stands
        return status(actor, target) or state
    if state == "pending":
        _tell(target.id, actor, f"{actor.username} asked to follow you.", "/follow-requests")
    else:
        link = f"/u/{actor.username}"
        _tell(target.id, actor, f"{actor.username} started following you.", link)
    db.session.commit()
    return state


def unfollow(actor: User, target: User) -> None:
    """Stop following, or withdraw a request."""
    mine = (Follow.follower_id == actor.id) & (Follow.followee_id == target.id)
    blocks.drop_between(delete(Follow).where(mine), actor, target)


def approve(owner: User, requester: User) -> bool:
    """Approve ``requester``'s pending request to follow ``owner``; False if there was none."""
    changed = db.session.execute(
        update(Follow)
        .where(
            Follow.follower_id == requester.id,
            Follow.followee_id == owner.id,
            Follow.status == "pending",
        )
        .values(status="active")
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed:
        versions.touch(user=[owner.id, requester.id])
        link = f"/u/{owner.username}"
        _tell(requester.id, owner, f"{owner.username} approved your follow request.", link)
    db.session.commit()
    return bool(changed)


def decline(owner: User, requester: User) -> bool:
    """Refuse a pending request (the requester is not told); False if there was none."""
    asked = (Follow.follower_id == requester.id) & (Follow.followee_id == owner.id)
    return blocks.drop_between(
        delete(Follow).where(asked, Follow.status == "pending"), owner, requester
    )


def set_private(user: User, private: bool) -> None:
    """Going public approves every waiting request: nothing is left to approve them for."""
    user.is_private = private
    if not private:
        db.session.execute(
            update(Follow)
            .where(Follow.followee_id == user.id, Follow.status == "pending")
            .values(status="active")
            .execution_options(synchronize_session=False)
        )
        versions.touch(site=True)  # followers' own profiles count the follows
    db.session.commit()


def _people(column, where, page: int, per_page: int) -> Page:
    page = max(1, page)
    total = db.session.scalar(select(func.count()).select_from(Follow).where(*where))
    query = (
        select(User)
        .join(Follow, column == User.id)
        .where(*where)
        .order_by(Follow.created_at.desc(), User.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return Page(list(db.session.scalars(query)), page, per_page, total or 0)


def followers_of(reader: User, page: int = 1, per_page: int = PER_PAGE) -> Page:
    where = [Follow.followee_id == reader.id, Follow.status == "active"]
    return _people(Follow.follower_id, where, page, per_page)


def following_of(reader: User, page: int = 1, per_page: int = PER_PAGE) -> Page:
    where = [Follow.follower_id == reader.id, Follow.status == "active"]
    return _people(Follow.followee_id, where, page, per_page)


def requests_for(owner: User, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """Readers waiting for ``owner`` to approve them, newest first."""
    where = [Follow.followee_id == owner.id, Follow.status == "pending"]
    return _people(Follow.follower_id, where, page, per_page)


def relation(viewer: User, reader: User) -> dict:
    """What a profile's follow control shows ``viewer`` about ``reader``."""
    signed_in = viewer.is_authenticated and viewer.id != reader.id
    return {
        "counts": counts(reader),
        "follow_status": status(viewer, reader) if signed_in else None,
        "block_state": blocks.state(viewer, reader) if signed_in else {},
    }
