"""Sign-up, authentication and account changes."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from functools import cache

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.errors import ValidationError
from webapp.extensions import db
from webapp.models import User
from webapp.models.base import utcnow
from webapp.services import account_rules as rules
from webapp.services import avatars, mail, reviews
from webapp.services.audit import audit
from webapp.services.login_sessions import end_sessions, revoke_sessions
from webapp.usernames import fold

RESET_VALID = timedelta(hours=1)
VERIFY_VALID = timedelta(days=7)


def hash_password(password: str) -> str:
    """A new hash made the configured way (``PASSWORD_HASH_METHOD``)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


@cache
def _dummy_hash(method: str) -> str:
    """Hash compared against when the account is unknown, so both paths cost the same time."""
    return generate_password_hash("not-a-real-password-000", method=method)


def sign_up(username: str, email: str, password: str, *, next_path: str | None = None) -> User:
    """Create a reader. Raises ValidationError(s) naming the offending fields.

    ``next_path`` (a local path) rides in the confirmation mail, so following its link leads
    back to where the reader was, such as the book they wanted to review.
    """
    rules.check_sign_up(username, email, password)
    username, email = rules.all_of((rules.check_username, username), (rules.check_email, email))
    user = User(
        username=username,
        username_key=username.lower(),
        username_fold=fold(username),
        email=email,
        password_hash=hash_password(password),
    )
    db.session.add(user)
    try:
        db.session.flush()  # the id, for the confirmation mail; may raise IntegrityError
        mail.queue(user, "verify_email", email=email, **({"next": next_path} if next_path else {}))
        db.session.commit()
    except IntegrityError:  # someone took the name or email a moment ago
        db.session.rollback()
        rules.all_of((rules.check_username, username), (rules.check_email, email))
        raise
    return user


def authenticate(login: str, password: str) -> User | None:
    """The user for these credentials, or None. Unknown accounts cost the same as wrong ones."""
    user = User.by_login(login) if login.strip() else None
    if user is None:
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    return user


def _confirm(user: User, password: str, field: str = "current_password") -> None:
    if not check_password_hash(user.password_hash, password):
        raise ValidationError(field, "That is not your current password.")


def change_email(user: User, current_password: str, new_email: str) -> None:
    """Ask to move the account to ``new_email``; it takes effect when that address confirms."""
    _confirm(user, current_password)
    new_email = rules.check_email(new_email, exclude=user)
    if new_email == user.email:
        raise ValidationError("email", "That is already your address.")
    user.pending_email = new_email
    mail.queue(user, "verify_email", to=new_email, email=new_email)
    db.session.commit()


def change_password(user: User, current_password: str, new_password: str) -> int:
    """Set a new password and end every other session; returns how many ended."""
    _confirm(user, current_password)
    rules.check_password(new_password, field="new_password")
    user.password_hash = hash_password(new_password)
    return end_sessions(user, keep=user.login_session_key)


def _set_password(user: User, password: str, field: str) -> None:
    rules.check_password(password, field=field)
    user.password_hash = hash_password(password)


def _serializer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:20]


def _load(salt: str, token: str, valid: timedelta, now: datetime | None) -> tuple[User, str] | None:
    """(user, bound value) from a signed ``[user id, value, issued at]`` still within ``valid``."""
    try:
        user_id, bound, issued = _serializer(salt).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or not isinstance(issued, int | float):
        return None
    age = (now or utcnow()).timestamp() - issued
    if not 0 <= age <= valid.total_seconds():
        return None
    user = db.session.get(User, user_id)
    return (user, bound) if user is not None else None


def reset_token(user: User, now: datetime | None = None) -> str:
    """A link token valid for an hour and only while the password is unchanged (single use)."""
    issued = int((now or utcnow()).timestamp())
    return _serializer("password-reset").dumps([user.id, _fingerprint(user.password_hash), issued])


def user_for_reset(token: str, now: datetime | None = None) -> User | None:
    """The reader a reset link is for, or None when it is forged, expired or used."""
    found = _load("password-reset", token, RESET_VALID, now)
    if found is None or found[1] != _fingerprint(found[0].password_hash):
        return None
    return found[0]


def request_password_reset(email: str) -> None:
    """Mail a reset link if an account has this address; says nothing either way."""
    key = email.strip().lower()
    user = db.session.scalar(select(User).where(User.email == key)) if key else None
    if user is not None:
        mail.queue(user, "password_reset")
    db.session.commit()


def reset_password(token: str, password: str, now: datetime | None = None) -> User:
    """Set a new password from a reset link; every session ends. Raises ValidationError.

    Password changes go through ``_set_password``; the reset link dies with the old hash.
    """
    user = user_for_reset(token, now)
    if user is None:
        raise ValidationError(None, "This reset link has expired or was already used.")
    _set_password(user, password, field="password")
    revoke_sessions(user)  # every browser, this one too, signs in again
    if user.email_verified_at is None and user.pending_email is None:
        user.email_verified_at = utcnow()  # the link reached this address
    db.session.commit()
    return user


def verification_token(user: User, email: str, now: datetime | None = None) -> str:
    issued = int((now or utcnow()).timestamp())
    return _serializer("verify-email").dumps([user.id, email, issued])


def pending_verification(token: str, now: datetime | None = None) -> tuple[User, str] | None:
    """(reader, address) a confirmation link is for while that address still awaits it."""
    found = _load("verify-email", token, VERIFY_VALID, now)
    if found is None:
        return None
    user, email = found
    if email == user.pending_email or (email == user.email and not user.email_verified):
        return user, email
    return None


def confirm_email(token: str, now: datetime | None = None) -> User:
    """Confirm the address a link was sent to; a new address replaces the old one, which is
    told. Raises ValidationError for a forged, expired or already used link."""
    found = pending_verification(token, now)
    if found is None:
        raise ValidationError(None, "This confirmation link has expired or was already used.")
    user, email = found
    if email == user.pending_email:
        if db.session.scalar(select(User.id).where(User.email == email, User.id != user.id)):
            raise ValidationError(None, "Another account now uses that address.")
        old = user.email
        user.email, user.pending_email = email, None
        mail.queue(user, "email_changed", to=old, new_email=email)
    user.email_verified_at = utcnow()
    db.session.commit()
    return user


def resend_verification(user: User) -> str:
    """Mail the confirmation link again (to the pending address if there is one)."""
    email = user.pending_email or user.email
    mail.queue(user, "verify_email", to=email, email=email)
    db.session.commit()
    return email


def delete_account(user: User, password: str) -> None:
    """Delete the reader and everything that is theirs (reviews, ratings, shelves)."""
    _confirm(user, password, field="password")
    # Reviews go first, through the service, so each book's aggregates drop them too;
    # shelves and helpful votes go with the user row (ON DELETE CASCADE).
    reviews.delete_all_by(user)
    picture = user.avatar_key
    db.session.delete(user)
    db.session.commit()
    avatars.forget(picture)


def create_admin(username: str, email: str | None, password: str | None) -> tuple[User, bool]:
    """Promote an existing account to admin, or create one (sign-up's rules apply).

    Returns (user, created). Raises ValidationError.
    """
    user = User.by_username(username)
    created = user is None
    if user is None:
        if not email or not password:
            raise ValidationError("email", "A new admin needs an email and a password.")
        user = sign_up(username, email, password)
    if user.role != "admin":
        audit(
            None,
            "change_role",
            "user",
            user.id,
            reason="flask create-admin",
            before={"role": user.role},
            after={"role": "admin"},
        )
        user.role = "admin"
    db.session.commit()
    return user, created
