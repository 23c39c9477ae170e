"""Who may do what: small predicates used by views (to enforce) and templates (to hide)."""

from __future__ import annotations

from typing import Any


def is_signed_in(user: Any) -> bool:
    return bool(user and user.is_authenticated)


def can_post(user: Any) -> bool:
    """Reviews and reports need a confirmed address unless UNVERIFIED_CAN_POST (development)."""
    from flask import current_app

    return is_signed_in(user) and (user.email_verified or current_app.config["UNVERIFIED_CAN_POST"])


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


def can_moderate(user: Any) -> bool:
    """Staff (moderators and admins) work the report queue, hide and restore, edit books."""
    return is_moderator(user)


def can_delete_any_review(user: Any) -> bool:
    """Deleting someone else's review outright is for admins; moderators hide."""
    return is_admin(user)


def can_report_review(user: Any, review: Any) -> bool:
    return is_signed_in(user) and review.user_id != user.id


def can_report_user(user: Any, target: Any) -> bool:
    return is_signed_in(user) and target.id != user.id


def can_suspend(actor: Any, target: Any) -> bool:
    """Staff suspend readers; only admins suspend moderators and admins; never oneself."""
    if not is_moderator(actor) or actor.id == target.id:
        return False
    return is_admin(actor) or target.role == "reader"


def can_change_role(actor: Any, target: Any) -> bool:
    """Admins promote and demote (the service also keeps at least one admin)."""
    return is_admin(actor)


def can_merge_books(user: Any) -> bool:
    return is_moderator(user)


def can_see_hidden_review(user: Any, review: Any) -> bool:
    """A hidden review stays visible to its author (with the reason) and to staff."""
    return owns(user, review) or is_moderator(user)


def can_follow(user: Any, target: Any) -> bool:
    """Any signed-in reader, anyone but themselves (the service refuses across a block)."""
    return is_signed_in(user) and target.id != user.id


def can_mute(user: Any, target: Any) -> bool:
    return is_signed_in(user) and target.id != user.id


def can_block(user: Any, target: Any) -> bool:
    """Staff are never blockable: moderation must reach everyone."""
    return can_mute(user, target) and target.role not in ("moderator", "admin")


def can_see_reading(user: Any, reader: Any) -> bool:
    """A reader's reads, progress, tags, goal and stats: everyone's to see unless they keep them
    private, and then theirs alone (staff included: there is nothing to moderate in them)."""
    return not reader.reading_private or (is_signed_in(user) and user.id == reader.id)


def can_reply(user: Any, review: Any) -> bool:
    """Readers who may post reply to visible reviews (the service refuses across a block)."""
    return can_post(user) and (not review.is_hidden or can_see_hidden_review(user, review))


def can_change_list(user: Any, book_list: Any) -> bool:
    """Only its maker edits, reorders, annotates or deletes a list (staff included: a list
    holds no words beyond its notes, and moderation has no list actions)."""
    return owns(user, book_list)


def can_upload_cover(user: Any, book: Any) -> bool:
    """Staff replace covers at any time; a reader who may post gives one to a book without."""
    return is_moderator(user) or (can_post(user) and book.cover_key is None)


def can_remove_cover(user: Any, book: Any) -> bool:
    return is_moderator(user) and book.cover_key is not None


PREDICATES = {
    "can_change_list": can_change_list,
    "can_upload_cover": can_upload_cover,
    "can_remove_cover": can_remove_cover,
    "can_reply": can_reply,
    "can_follow": can_follow,
    "can_mute": can_mute,
    "can_block": can_block,
    "can_see_reading": can_see_reading,
    "can_see_hidden_review": can_see_hidden_review,
    "is_signed_in": is_signed_in,
    "can_post": can_post,
    "is_moderator": is_moderator,
    "is_admin": is_admin,
    "owns": owns,
    "can_edit_review": can_edit_review,
    "can_delete_review": can_delete_review,
    "can_vote_helpful": can_vote_helpful,
    "can_add_books": can_add_books,
    "can_moderate": can_moderate,
    "can_delete_any_review": can_delete_any_review,
    "can_report_review": can_report_review,
    "can_report_user": can_report_user,
    "can_suspend": can_suspend,
    "can_change_role": can_change_role,
    "can_merge_books": can_merge_books,
}
