"""The rules a new username, email address and password follow (sign-up and account changes).

Format checks need no database, so sign-up can report every field at once before any account
is looked up; ``check_username`` and ``check_email`` then ask whether one is taken.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib import resources

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from webapp.errors import ValidationError, ValidationErrors
from webapp.extensions import db
from webapp.models import User
from webapp.usernames import fold

USERNAME_RE = re.compile(r"^[A-Za-z0-9_-]{3,30}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("webapp.data").joinpath("common_passwords.txt").read_text()
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def username_format(username: str | None) -> str:
    """NFKC-normalised (fullwidth letters are letters); raises ValidationError('username')."""
    username = unicodedata.normalize("NFKC", username or "").strip()
    if not username:
        raise ValidationError("username", "Choose a username.")
    if not USERNAME_RE.fullmatch(username):
        raise ValidationError(
            "username", "Use 3–30 characters: letters, digits, underscores (_) and hyphens (-)."
        )
    return username


def check_username(username: str) -> str:
    """Well formed, and refused when it looks like one in use."""
    username = username_format(username)
    taken = db.session.scalar(select(User.username).where(User.username_fold == fold(username)))
    if taken is not None and taken.lower() == username.lower():
        raise ValidationError("username", "That username is taken.")
    if taken is not None:
        raise ValidationError(
            "username",
            f"That username looks too much like “{taken}”, which is taken (names that differ "
            "only in case, -, _ or look-alike characters such as 0 and O count as the same).",
        )
    return username


def email_format(email: str | None) -> str:
    """The normalised address; raises ValidationError('email') (no database, no DNS)."""
    if not (email or "").strip():
        raise ValidationError("email", "Give your email address: we send a link to confirm it.")
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ValidationError("email", f"That is not a valid email address: {exc}") from exc


def check_email(email: str, *, exclude: User | None = None) -> str:
    email = email_format(email)
    query = select(User.id).where(User.email == email)
    if exclude is not None:
        query = query.where(User.id != exclude.id)
    if db.session.scalar(query):
        raise ValidationError("email", "An account with that email already exists.")
    return email


def check_password(password: str | None, field: str = "password") -> str:
    password = password or ""
    if not password:
        raise ValidationError(field, f"Choose a password of at least {MIN_PASSWORD} characters.")
    if len(password) < MIN_PASSWORD:
        raise ValidationError(field, f"Use at least {MIN_PASSWORD} characters.")
    if len(password) > MAX_PASSWORD:
        raise ValidationError(field, f"Use at most {MAX_PASSWORD} characters.")
    if password.lower() in common_passwords():
        raise ValidationError(field, "That password is too common. Choose another.")
    return password


def check_sign_up(username: str | None, email: str | None, password: str | None) -> None:
    """Every field's form at once, before any account is looked up (no database).

    Raises ValidationErrors with one error per field that is wrong, so a reader fixes them all
    in one go; only a sign-up that passes this reaches the account check (and the rate limit).
    """
    all_of((username_format, username), (email_format, email), (check_password, password))


def all_of(*checks) -> list:
    """Run every (check, value); their results, or ValidationErrors with every error."""
    results, errors = [], []
    for check, value in checks:
        try:
            results.append(check(value))
        except ValidationError as error:
            errors.append(error)
    if errors:
        raise ValidationErrors(errors)
    return results
