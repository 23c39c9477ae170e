"""Who may do what: small predicates used by views (to enforce) and templates (to hide)."""

from __future__ import annotations

from typing import Any


def is_signed_in(user: Any) -> bool:
    return bool(user and user.is_authenticated)


def is_moderator(user: Any) -> bool:
    """Moderators and admins."""
    return is_signed_in(user) and user.role in ("moderator", "admin")


def is_admin(user: Any) -> bool:
    return is_signed_in(user) and user.role == "admin"


PREDICATES = {
    "is_signed_in": is_signed_in,
    "is_moderator": is_moderator,
    "is_admin": is_admin,
}
