"""Mail to readers, through an outbox: written with the change, sent by the worker.

``queue`` adds an ``OutboxMessage`` to the caller's transaction; once that commits, the row's
delivery job is queued (so a rolled-back change sends nothing, and a committed one is never
lost). The worker renders the message from ``templates/mail/<kind>.{txt,html}`` with absolute
links on ``SITE_URL``, sends it, and marks it sent; SMTP failures raise, so huey retries with
backoff. Links that carry a secret (reset, confirm) are made at send time and never stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, render_template
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, event, or_, select, update
from sqlalchemy.orm import Session

from webapp import mailer
from webapp.extensions import db
from webapp.hosts import absolute_url
from webapp.models import OutboxMessage, User, utcnow
from webapp.tasks import enqueue

# A claim older than this belongs to a worker that died mid-send; another may take the row.
CLAIM_TIMEOUT = timedelta(minutes=10)
# The sweep queues rows never tried after this long (their job was lost with the queue).
SWEEP_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class Kind:
    subject: str
    security: bool  # about the account's safety: always sent, no unsubscribe link


KINDS = {
    "verify_email": Kind("Confirm your email address", security=True),
    "email_changed": Kind("Your email address was changed", security=True),
    "password_reset": Kind("Reset your password", security=True),
    "notice": Kind("News about your activity on Colophon", security=False),
    "digest": Kind("Your daily Colophon digest", security=False),
}
# Notice topics and the reader's setting that turns their mail on.
TOPICS = {
    "moderation": "notify_moderation",
    "reports": "notify_reports",
    "replies": "notify_replies",
    "imports": "notify_imports",
}


def queue(user: User, kind: str, *, to: str | None = None, held: bool = False, **params) -> None:
    """Add a message for ``user`` (to ``to`` or their address) to the current transaction."""
    if kind not in KINDS:
        raise ValueError(f"unknown mail kind {kind!r}")
    message = OutboxMessage(
        user_id=user.id, to_address=to or user.email, kind=kind, params=params, held=held
    )
    db.session.add(message)
    db.session.flush()
    if not held:
        db.session.info.setdefault("outbox", []).append(message.id)


@event.listens_for(Session, "after_commit")
def _deliver_after_commit(session: Session) -> None:
    for message_id in session.info.pop("outbox", []):
        enqueue("deliver_mail", message_id)


@event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session: Session, previous_transaction) -> None:
    session.info.pop("outbox", None)


def notify(user_id: int, topic: str, message: str, link: str | None = None) -> None:
    """Mail a site notice to a reader who asked for it (held for their digest if they chose one).

    Only confirmed addresses get notices: an unconfirmed one may belong to someone else.
    """
    user = db.session.get(User, user_id)
    if user is None or not user.email_verified or not getattr(user, TOPICS[topic]):
        return
    queue(user, "notice", held=user.digest, message=message, link=link, topic=topic)


def _unsent(*, held: bool):
    """Outbox rows not sent yet: ``held`` for the digest, or to go out on their own."""
    return and_(OutboxMessage.sent_at.is_(None), OutboxMessage.held.is_(held))


def deliver(message_id: int, now: datetime | None = None) -> bool:
    """Send one outbox message unless it is sent already or being sent; True if sent now.

    Raises on a delivery failure (after recording it on the row) so the job is retried.
    """
    now = now or utcnow()
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            _unsent(held=False),
            or_(OutboxMessage.claimed_at.is_(None), OutboxMessage.claimed_at < now - CLAIM_TIMEOUT),
        )
        .values(claimed_at=now, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if not claimed:
        return False
    message = db.session.get(OutboxMessage, message_id)
    user = db.session.get(User, message.user_id) if message.user_id else None
    try:
        if user is None:
            raise mailer.MailError("the reader's account no longer exists")
        mailer.send(compose(message, user))
    except Exception as exc:
        message.claimed_at, message.last_error = None, f"{type(exc).__name__}: {exc}"[:2000]
        db.session.commit()
        raise
    message.sent_at, message.claimed_at, message.last_error = utcnow(), None, None
    db.session.commit()
    return True


def compose(message: OutboxMessage, user: User):
    """Render ``message`` for ``user`` as a multipart email."""
    from webapp.services import accounts

    kind = KINDS[message.kind]
    context = {"user": user, **message.params}
    if message.kind == "password_reset":
        context["link"] = absolute_url("recovery.reset_password", token=accounts.reset_token(user))
    elif message.kind == "verify_email":
        token = accounts.verification_token(user, message.params["email"])
        back = message.params.get("next")  # where the reader signed up from
        context["link"] = absolute_url("recovery.confirm_email", token=token, next=back)
    unsubscribe = None
    if not kind.security:
        topic = message.params.get("topic", "all")
        unsubscribe = absolute_url("mail.unsubscribe", token=unsubscribe_token(user, topic))
    context["unsubscribe_url"] = unsubscribe
    context["account_url"] = absolute_url("account.index")
    return mailer.build(
        to_name=user.username,
        to_address=message.to_address,
        subject=kind.subject,
        text=render_template(f"mail/{message.kind}.txt", **context),
        html=render_template(f"mail/{message.kind}.html", **context),
        unsubscribe_url=unsubscribe,
    )


def sweep(now: datetime | None = None) -> int:
    """Queue delivery of messages that were never tried; how many."""
    now = now or utcnow()
    ids = db.session.scalars(
        select(OutboxMessage.id).where(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.held.is_(False),
            OutboxMessage.attempts == 0,
            OutboxMessage.created_at < now - SWEEP_AFTER,
        )
    ).all()
    db.session.commit()
    return sum(enqueue("deliver_mail", message_id) for message_id in ids)


def send_digests(now: datetime | None = None) -> int:
    """Fold each reader's held notices into one digest message; how many digests."""
    now = now or utcnow()
    user_ids = db.session.scalars(
        select(OutboxMessage.user_id).where(_unsent(held=True)).distinct()
    ).all()
    made = 0
    for user_id in user_ids:
        held = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.user_id == user_id, _unsent(held=True))
            .order_by(OutboxMessage.id)
            .with_for_update()
        ).all()
        user = db.session.get(User, user_id)
        if held and user is not None:
            items = [{"message": m.params["message"], "link": m.params.get("link")} for m in held]
            for m in held:
                m.sent_at = now  # folded into the digest
            queue(user, "digest", items=items, topic="all")
            made += 1
        db.session.commit()
    return made


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="unsubscribe")


def unsubscribe_token(user: User, topic: str) -> str:
    return _serializer().dumps([user.id, topic])


def unsubscribe_target(token: str) -> tuple[User, str] | None:
    """The reader and topic a link names, or None for a forged or stale link."""
    try:
        user_id, topic = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or (topic != "all" and topic not in TOPICS):
        return None
    return user, topic


def unsubscribe(user: User, topic: str) -> None:
    """Stop the notice mail ``topic`` names (``all``: every notice and the digest)."""
    for name, setting in TOPICS.items():
        if topic in (name, "all"):
            setattr(user, setting, False)
    if topic == "all":
        user.digest = False
    db.session.commit()


def set_preferences(
    user: User,
    *,
    moderation: bool,
    reports: bool,
    digest: bool,
    replies: bool | None = None,
    imports: bool | None = None,
) -> None:
    user.notify_moderation, user.notify_reports, user.digest = moderation, reports, digest
    if replies is not None:
        user.notify_replies = replies
    if imports is not None:
        user.notify_imports = imports
    db.session.commit()
