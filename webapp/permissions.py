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


def owns(user: Any, review: Any) -> bool:
    return is_signed_in(user) and review.user_id == user.id


def can_edit_review(user: Any, review: Any) -> bool:
    """Only the author edits a review's words."""
    return owns(user, review)


def can_delete_review(user: Any, review: Any) -> bool:
    """The author, or an admin (moderators hide rather than delete)."""
    return owns(user, review) or is_admin(user)


def can_vote_helpful(user: Any, review: Any) -> bool:
    """Any signed-in reader, on anyone's review but their own."""
    return is_signed_in(user) and review.user_id != user.id


def can_add_books(user: Any) -> bool:
    return is_signed_in(user)


PREDICATES = {
    "is_signed_in": is_signed_in,
    "is_moderator": is_moderator,
    "is_admin": is_admin,
    "owns": owns,
    "can_edit_review": can_edit_review,
    "can_delete_review": can_delete_review,
    "can_vote_helpful": can_vote_helpful,
    "can_add_books": can_add_books,
}
