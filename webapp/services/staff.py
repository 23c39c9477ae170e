"""Staff work on readers: finding them, roles, suspensions and the reports about them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select

from webapp import permissions
from webapp.errors import NotAllowed, ValidationError
from webapp.extensions import db
from webapp.models import Review, User, utcnow
from webapp.models.user import ROLES, SUSPENDED_FOREVER
from webapp.services import locks, login_sessions, reports
from webapp.services.audit import audit
from webapp.services.hiding import hide_review, show_review
from webapp.services.moderation import clean_reason, require_staff

SUSPENSION_REASON = "author suspended"


def search_users(query: str, limit: int = 50) -> list[User]:
    """Readers whose name or email contains ``query`` (all of them, by name, when empty)."""
    q = (query or "").strip().lower()
    stmt = select(User).order_by(User.username_key).limit(limit)
    if q:
        stmt = stmt.where(
            or_(
                User.username_key.contains(q, autoescape=True),
                User.email.contains(q, autoescape=True),
            )
        )
    return list(db.session.scalars(stmt))


def reviews_by(user: User, limit: int = 100) -> list[Review]:
    """Every review by ``user``, hidden ones too, newest first."""
    query = (
        select(Review)
        .where(Review.user_id == user.id)
        .order_by(Review.created_at.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def set_role(actor: User, target: User, role: str) -> None:
    """Promote or demote. Raises NotAllowed, or ValidationError for the last admin."""
    if not permissions.can_change_role(actor, target):
        raise NotAllowed("Only admins change roles.")
    if role not in ROLES:
        raise ValidationError("role", "Choose reader, moderator or admin.")
    if target.role == "admin" and role != "admin":
        admins = db.session.scalar(select(func.count(User.id)).where(User.role == "admin"))
        if admins <= 1:
            raise ValidationError(
                "role", "The last admin cannot be demoted. Promote another first."
            )
    if role == target.role:
        return
    audit(
        actor, "change_role", "user", target.id, before={"role": target.role}, after={"role": role}
    )
    target.role = role
    db.session.commit()


# --- suspensions -----------------------------------------------------------------------------


def _suspension_json(user: User) -> dict:
    return {
        "suspended_until": user.suspended_until.isoformat() if user.suspended_until else None,
        "suspension_reason": user.suspension_reason,
    }


def suspend(actor: User, target: User, days: int | None, reason: str | None) -> None:
    """Suspend for ``days`` (None: indefinitely). Sessions end at once; reviews are hidden.

    Raises NotAllowed (staff target for moderators, oneself) or ValidationError.
    """
    if not permissions.can_suspend(actor, target):
        raise NotAllowed("You cannot suspend this account.")
    reason = clean_reason(reason)
    if days is not None and not 1 <= days <= 3650:
        raise ValidationError("days", "Choose between 1 and 3650 days, or indefinitely.")
    before = _suspension_json(target)
    target.suspended_until = SUSPENDED_FOREVER if days is None else utcnow() + timedelta(days=days)
    target.suspension_reason = reason
    login_sessions.revoke_sessions(target)  # no session survives the suspension
    shown = select(Review.id).where(Review.user_id == target.id, Review.hidden_at.is_(None))
    hidden = []
    for review in locks.reviews_for_write(db.session.scalars(shown)):
        if not review.is_hidden:
            hide_review(actor, review, SUSPENSION_REASON, kind="suspension")
            hidden.append(review.id)
    reports.resolve(
        actor,
        reports.open_about(target),
        "actioned",
        "suspended",
        f"Thank you: {target.username}, whom you reported, has been suspended.",
    )
    audit(
        actor,
        "suspend_user",
        "user",
        target.id,
        reason=reason,
        before=before,
        after={**_suspension_json(target), "hidden_reviews": hidden},  # one entry, not one a review
    )
    db.session.commit()


def _end_suspension(user: User, actor: User | None = None) -> int:
    """Clear the suspension and restore the reviews it hid (and only those)."""
    before = _suspension_json(user)
    user.suspended_until = None
    user.suspension_reason = None
    query = select(Review.id).where(Review.user_id == user.id, Review.hidden_kind == "suspension")
    locked = locks.reviews_for_write(db.session.scalars(query))
    hidden = [review for review in locked if review.hidden_kind == "suspension"]
    for review in hidden:
        show_review(actor, review, notice=False)
    after = {**_suspension_json(user), "restored_reviews": [review.id for review in hidden]}
    audit(actor, "unsuspend_user", "user", user.id, before=before, after=after)
    return len(hidden)


def unsuspend(actor: User, target: User) -> None:
    """Lift a suspension early. Raises NotAllowed, or ValidationError if there is none."""
    if not permissions.can_suspend(actor, target):
        raise NotAllowed("You cannot change this account's suspension.")
    if target.suspended_until is None:
        raise ValidationError(None, f"{target.username} is not suspended.")
    _end_suspension(target, actor)
    db.session.commit()


def suspended_until(user: User) -> datetime | None:
    """When ``user``'s running suspension ends (``SUSPENDED_FOREVER``: never), or None.

    A suspension whose time has passed is ended here, so a reader signing in after it runs
    out gets their reviews back at once rather than at the next ``end-suspensions`` run.
    """
    if user.is_suspended:
        return user.suspended_until
    if user.suspended_until is not None:
        _end_suspension(user)
        db.session.commit()
    return None


def end_expired_suspensions() -> int:
    """End every suspension whose time has passed; returns how many. Safe to call often."""
    expired = list(
        db.session.scalars(
            select(User).where(User.suspended_until.is_not(None), User.suspended_until <= utcnow())
        )
    )
    for user in expired:
        _end_suspension(user)
    if expired:
        db.session.commit()
    return len(expired)


def dismiss_user_reports(actor: User, target: User) -> int:
    """Close the open reports about ``target`` without acting; returns how many."""
    require_staff(actor)
    open_reports = reports.open_about(target)
    reports.resolve(
        actor,
        open_reports,
        "dismissed",
        "no action",
        f"We looked at your report about {target.username} and took no action.",
    )
    audit(actor, "dismiss_reports", "user", target.id, after={"reports": len(open_reports)})
    db.session.commit()
    return len(open_reports)
