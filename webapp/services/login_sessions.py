"""Signed-in sessions: one row per browser, so each can be ended on its own (logout, "sign
out everywhere else", a password change or reset, a suspension)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import bindparam, delete, func, select

from webapp.extensions import db
from webapp.models import LoginSession, User
from webapp.models.base import utcnow
from webapp.models.user import hash_session_key, new_session_key


def open_session(user: User, lifetime: timedelta) -> str:
    """Record a new signed-in session for ``user`` (and drop their expired ones); its key."""
    key = new_session_key()
    db.session.execute(
        delete(LoginSession).where(
            LoginSession.user_id == user.id, LoginSession.created_at < utcnow() - lifetime
        )
    )
    db.session.add(LoginSession(user_id=user.id, key_hash=hash_session_key(key)))
    db.session.commit()
    user.login_session_key = key
    return key


# Built once: it runs on every signed-in request.
SESSION_USER = (
    select(User)
    .join(LoginSession, LoginSession.user_id == User.id)
    .where(
        User.id == bindparam("user_id"),
        LoginSession.key_hash == bindparam("key_hash"),
        LoginSession.created_at >= bindparam("since", type_=LoginSession.created_at.type),
    )
)


def session_user(user_id: int, key: str, lifetime: timedelta) -> User | None:
    """The user of a live session (one query), or None once it ended or expired."""
    user = db.session.scalar(
        SESSION_USER,
        {"user_id": user_id, "key_hash": hash_session_key(key), "since": utcnow() - lifetime},
    )
    if user is not None:
        user.login_session_key = key
    return user


def end_session(user: User) -> None:
    """End the session ``user`` was loaded for (logout): its cookies stop working everywhere."""
    if user.login_session_key:
        db.session.execute(
            delete(LoginSession).where(
                LoginSession.key_hash == hash_session_key(user.login_session_key)
            )
        )
    db.session.commit()


def revoke_sessions(user: User, keep: str | None = None) -> int:
    """Delete ``user``'s sessions but ``keep`` (a key) inside the caller's transaction."""
    query = delete(LoginSession).where(LoginSession.user_id == user.id)
    if keep:
        query = query.where(LoginSession.key_hash != hash_session_key(keep))
    return db.session.execute(query).rowcount


def end_sessions(user: User, keep: str | None = None) -> int:
    """End all of ``user``'s sessions but ``keep``; commits; how many ended.

    A password reset calls it without ``keep``: every browser must sign in again.
    """
    ended = revoke_sessions(user, keep)
    db.session.commit()
    return ended


def end_other_sessions(user: User) -> int:
    """ "Sign out everywhere else": every session of ``user`` but the current one."""
    return end_sessions(user, keep=user.login_session_key)


def other_session_count(user: User) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(LoginSession)
        .where(
            LoginSession.user_id == user.id,
            LoginSession.key_hash != hash_session_key(user.login_session_key or ""),
        )
    )
