"""Replies to reviews, one level deep: posting, editing, deleting, notices, reports and the
staff queue of them (staff actions on replies are in services.moderation's registry).

A blocked reader cannot reply to the blocker's reviews (nor the blocker to theirs). A new
account's reply with a link is held: hidden pending staff, visible to its author and in the
queue; its notices go out only when staff let it through.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from webapp import markdown, permissions
from webapp.errors import NotAllowed, ValidationError
from webapp.extensions import db
from webapp.models import Mute, Reply, Report, Review, User, utcnow
from webapp.services import blocks, privacy, reports
from webapp.services.audit import audit
from webapp.services.notices import notify
from webapp.services.reports import QueueItem

MAX_BODY = 5_000
NEW_ACCOUNT_DAYS = 7
HELD_REASON = "Held for a moderator: new accounts' replies with links are checked first."


def snapshot(reply: Reply) -> dict:
    """What the audit log keeps of a reply."""
    return {"body": reply.body, "hidden": reply.is_hidden, "kind": reply.hidden_kind}


def clean(body: str | None) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError("body", "Write a reply first.")
    if len(body) > MAX_BODY:
        raise ValidationError("body", f"Keep the reply under {MAX_BODY:,} characters.")
    return body


def can_see(viewer: User | None, reply: Reply) -> bool:
    """Hidden replies are for their author and staff; a private reader's replies, like their
    reviews, for themselves, their approved followers and staff (services.privacy)."""
    hidden_from = reply.is_hidden and not (
        permissions.owns(viewer, reply) or permissions.is_moderator(viewer)
    )
    return not hidden_from and privacy.can_see(viewer, reply.user)


def _held(author: User, html: str) -> bool:
    new = author.created_at > utcnow() - timedelta(days=NEW_ACCOUNT_DAYS)
    return new and not author.is_staff and "<a " in html


def post(author: User, review: Review, body: str | None) -> Reply:
    """Reply to ``review``. Raises NotAllowed (cannot post, hidden review, a block between the
    two readers) or ValidationError('body')."""
    if not permissions.can_reply(author, review):
        raise NotAllowed("You cannot reply to this review.")
    if blocks.between(author, review.user):
        raise NotAllowed("You cannot reply to this reader.")
    body = clean(body)
    reply = Reply(
        review_id=review.id, user_id=author.id, body=body, body_html=markdown.render(body)
    )
    if _held(author, reply.body_html):
        reply.hidden_at, reply.hidden_kind, reply.hidden_reason = utcnow(), "held", HELD_REASON
    db.session.add(reply)
    db.session.flush()
    if not reply.is_hidden:
        tell_thread(reply, review)
    db.session.commit()
    return reply


def tell_thread(reply: Reply, review: Review) -> None:
    """Notice (and mail, if they asked) to the review's author and earlier repliers, except the
    replier and readers who muted them."""
    earlier = select(Reply.user_id).where(
        Reply.review_id == review.id, Reply.id != reply.id, Reply.hidden_at.is_(None)
    )
    muters = select(Mute.muter_id).where(Mute.muted_id == reply.user_id)
    readers = db.session.scalars(
        select(User.id).where(
            or_(User.id == review.user_id, User.id.in_(earlier)),
            User.id != reply.user_id,
            User.id.not_in(muters),
            privacy.audience(reply.user),  # a private reader's reply: only who may see it
        )
    )
    name = reply.user.username
    for reader_id in readers:
        whose = "your review" if reader_id == review.user_id else "a review you replied to"
        notify(
            reader_id,
            f"{name} replied to {whose} of {review.book.title}.",
            f"/reviews/{review.id}#reply-{reply.id}",
            topic="replies",
        )


def edit(actor: User, reply: Reply, body: str | None) -> None:
    """Only the author edits. Raises NotAllowed or ValidationError('body')."""
    if not permissions.owns(actor, reply):
        raise NotAllowed("Only its author edits a reply.")
    reply.body = clean(body)
    reply.body_html = markdown.render(reply.body)
    reply.updated_at = utcnow()
    db.session.commit()


def delete(actor: User, reply: Reply) -> None:
    """The author deletes their reply (staff hide instead). Raises NotAllowed."""
    if not permissions.owns(actor, reply):
        raise NotAllowed("Only its author deletes a reply.")
    db.session.delete(reply)
    db.session.commit()


def for_review(review: Review, viewer: User | None) -> list[Reply]:
    """The replies a viewer may see (``can_see``), oldest first (one query)."""
    query = select(Reply).where(Reply.review_id == review.id)
    if not permissions.is_moderator(viewer):
        mine = Reply.user_id == viewer.id if permissions.is_signed_in(viewer) else False
        query = query.where(or_(Reply.hidden_at.is_(None), mine))
        query = query.where(privacy.shown_to(viewer, Reply.user_id))
    return list(db.session.scalars(query.order_by(Reply.created_at, Reply.id)))


# --- reports and the queue --------------------------------------------------------------------


def open_reports(reply: Reply) -> list[Report]:
    """The open reports on ``reply``."""
    query = select(Report).where(Report.reply_id == reply.id, Report.status == "open")
    return list(db.session.scalars(query))


def mark_hidden(actor: User | None, reply: Reply, reason: str, kind: str) -> None:
    """Hide with an audit entry and the author's notice (``actor`` None: by readers' reports;
    staff hide through services.moderation). Does not commit."""
    before = snapshot(reply)
    reply.hidden_at, reply.hidden_by_id = utcnow(), actor.id if actor else None
    reply.hidden_reason, reply.hidden_kind = reason, kind
    audit(
        actor, "hide_reply", "reply", reply.id, reason=reason, before=before, after=snapshot(reply)
    )
    notify(
        reply.user_id,
        f"Your reply was hidden: {reason}",
        f"/reviews/{reply.review_id}#reply-{reply.id}",
        topic="moderation",
    )


def report(
    reporter: User, reply: Reply, reason: str | None, note: str | None = None, *, auto_hide=None
) -> bool:
    """File a report (one open per reader per reply); True if new. Raises NotAllowed.

    As for reviews (services.reports.AutoHide, the default rule unless ``auto_hide`` is given),
    a report by staff or enough established readers' open reports hide the reply until a
    moderator looks; the reports stay open for them.
    """
    if not permissions.is_signed_in(reporter) or permissions.owns(reporter, reply):
        raise NotAllowed("You cannot report your own reply.")
    reason, note = reports.clean(reason, note)
    # Locked first: reports on one reply are counted one at a time.
    reply = db.session.scalar(
        select(Reply)
        .where(Reply.id == reply.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    mine = select(Report).where(
        Report.reply_id == reply.id, Report.reporter_id == reporter.id, Report.status == "open"
    )
    if db.session.scalar(mine) is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(
                Report(reporter_id=reporter.id, reply_id=reply.id, reason=reason, note=note)
            )
    except IntegrityError:
        return False
    if not reply.is_hidden:
        if permissions.is_moderator(reporter):
            mark_hidden(reporter, reply, reports.STAFF_HIDE_REASON, "reports")
        elif (auto_hide or reports.AutoHide()).reached(reply=reply):
            mark_hidden(None, reply, reports.AUTO_HIDE_REASON, "reports")
    db.session.commit()
    return True


def _waiting():
    """Held replies, and replies with open reports: what the reply queue lists."""
    reported = select(Report.reply_id).where(Report.reply_id.is_not(None), Report.status == "open")
    return or_(Reply.hidden_kind == "held", Reply.id.in_(reported))


def waiting_count() -> int:
    """How many replies the queue lists (its heading's number)."""
    return db.session.scalar(select(func.count(Reply.id)).where(_waiting()))


def queue() -> list[QueueItem]:
    """Held replies and replies with open reports, newest first, each with its open reports."""
    items = list(
        db.session.scalars(
            select(Reply)
            .where(_waiting())
            .order_by(Reply.created_at.desc(), Reply.id.desc())
            .limit(200)
        )
    )
    by_reply = {reply.id: QueueItem(reply) for reply in items}
    if by_reply:
        for found in db.session.scalars(
            select(Report).where(Report.reply_id.in_(by_reply), Report.status == "open")
        ):
            by_reply[found.reply_id].reports.append(found)
    return list(by_reply.values())


def queue_item(reply: Reply) -> QueueItem:
    """One reply's row in the queue, with its open reports."""
    return QueueItem(reply, open_reports(reply))
