"""Blocking and muting: the rules every social action checks.

A block cuts both ways (neither follows the other; the blocked reader cannot reply to the
blocker nor see the blocker's reviews in their feed). A mute only filters the muter's own feed
and notices, and the muted reader is never told. Staff cannot be blocked: moderation must
reach everyone.
"""

from __future__ import annotations

from sqlalchemy import delete, or_, select

from webapp.errors import NotAllowed, ValidationError
from webapp.extensions import db
from webapp.models import Block, Follow, Mute, User
from webapp.services import versions


def between(a: User, b: User) -> bool:
    """True when either reader blocked the other."""
    return (
        db.session.scalar(
            select(Block.blocker_id).where(
                or_(
                    (Block.blocker_id == a.id) & (Block.blocked_id == b.id),
                    (Block.blocker_id == b.id) & (Block.blocked_id == a.id),
                )
            )
        )
        is not None
    )


def _check(actor: User, target: User) -> None:
    if actor.id == target.id:
        raise ValidationError(None, "You cannot do that to yourself.")


def block(actor: User, target: User) -> None:
    """Block ``target``; any follow or request between the two ends. Staff cannot be blocked.

    Raises NotAllowed for staff, ValidationError for oneself.
    """
    _check(actor, target)
    if target.is_staff:
        raise NotAllowed("staff cannot be blocked")
    db.session.execute(
        delete(Follow).where(
            or_(
                (Follow.follower_id == actor.id) & (Follow.followee_id == target.id),
                (Follow.follower_id == target.id) & (Follow.followee_id == actor.id),
            )
        )
    )
    if db.session.get(Block, (actor.id, target.id)) is None:
        db.session.add(Block(blocker_id=actor.id, blocked_id=target.id))
    versions.touch(user=[actor.id, target.id])  # follows between them went
    db.session.commit()


def drop_between(statement, a: User, b: User) -> bool:
    """Run ``statement``, a DELETE of a follow, request or block between ``a`` and ``b``, and
    commit: both profiles show it (counts, buttons), so both readers' pages move. True when a
    row went."""
    gone = db.session.execute(statement).rowcount
    versions.touch(user=[a.id, b.id])
    db.session.commit()
    return bool(gone)


def unblock(actor: User, target: User) -> None:
    mine = (Block.blocker_id == actor.id) & (Block.blocked_id == target.id)
    drop_between(delete(Block).where(mine), actor, target)


def mute(actor: User, target: User) -> None:
    _check(actor, target)
    if db.session.get(Mute, (actor.id, target.id)) is None:
        db.session.add(Mute(muter_id=actor.id, muted_id=target.id))
    db.session.commit()


def unmute(actor: User, target: User) -> None:
    db.session.execute(delete(Mute).where(Mute.muter_id == actor.id, Mute.muted_id == target.id))
    db.session.commit()


def is_muted(muter_id: int, muted_id: int) -> bool:
    return db.session.get(Mute, (muter_id, muted_id)) is not None


def state(viewer: User, reader: User) -> dict:
    """What the viewer did to ``reader``: ``blocked``, ``muted``, and ``blocked_by`` (one query)."""
    blocks = select(Block.blocker_id.label("kind")).where(
        or_(
            (Block.blocker_id == viewer.id) & (Block.blocked_id == reader.id),
            (Block.blocker_id == reader.id) & (Block.blocked_id == viewer.id),
        )
    )
    mutes = select((Mute.muter_id * 0 - 1).label("kind")).where(
        Mute.muter_id == viewer.id, Mute.muted_id == reader.id
    )
    kinds = set(db.session.scalars(blocks.union_all(mutes)))
    return {"blocked": viewer.id in kinds, "blocked_by": reader.id in kinds, "muted": -1 in kinds}
