"""Staff actions on a reported review — dismiss, hide, restore, mark as spoiler, delete — and
the one registry (``ACTIONS``) that the queue's route, its forms, ``act`` and ``bulk`` read.

Every action writes an AuditEntry and resolves the review's open reports (telling each
reporter) in the same transaction as the change itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from webapp import permissions
from webapp.errors import NotAllowed, ValidationError
from webapp.extensions import db
from webapp.models import Review, User
from webapp.services import locks, reports, reviews
from webapp.services.audit import audit, review_snapshot
from webapp.services.hiding import hide_review, show_review
from webapp.services.notices import notify

MAX_REASON = 500


def clean_reason(reason: str | None) -> str:
    """A staff reason (hiding, suspending), which its subject sees. Raises ValidationError."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError("reason", "Give a reason; the author will see it.")
    if len(reason) > MAX_REASON:
        raise ValidationError("reason", f"Keep the reason under {MAX_REASON} characters.")
    return reason


def require_staff(actor: User) -> None:
    """Raises NotAllowed unless ``actor`` may moderate."""
    if not permissions.can_moderate(actor):
        raise NotAllowed("Only moderators can do that.")


def _describe(review: Review) -> str:
    return f"{review.user.username}'s review of {review.book.title}"


def _answer_reports(actor: User, review: Review, status: str, outcome: str, message: str) -> list:
    """Resolve the open reports on ``review``, telling each reporter ``message``; those reports."""
    open_reports = reports.open_on(review)
    reports.resolve(actor, open_reports, status, outcome, message)
    return open_reports


def _finish(commit: bool) -> None:
    if commit:
        db.session.commit()


def hide(actor: User, review: Review, reason: str | None, *, commit: bool = True) -> None:
    """Hide a review with a reason its author sees; its open reports are resolved as actioned."""
    require_staff(actor)
    reason = clean_reason(reason)
    review = locks.locked_review(review)
    hide_review(actor, review, reason, kind="moderation")
    _answer_reports(
        actor,
        review,
        "actioned",
        "hidden",
        f"Thank you: {_describe(review)}, which you reported, has been hidden.",
    )
    _finish(commit)


def restore(actor: User, review: Review, *, commit: bool = True) -> None:
    """Show a hidden review again; open reports on it are dismissed."""
    require_staff(actor)
    review = locks.locked_review(review)
    if not review.is_hidden:
        raise ValidationError(None, "That review is not hidden.")
    show_review(actor, review)
    _answer_reports(
        actor,
        review,
        "dismissed",
        "restored",
        f"We looked at {_describe(review)}, which you reported, and it stays up.",
    )
    _finish(commit)


def dismiss(actor: User, review: Review, *, commit: bool = True) -> None:
    """Close the open reports without acting on the review."""
    require_staff(actor)
    open_reports = _answer_reports(
        actor,
        review,
        "dismissed",
        "no action",
        f"We looked at {_describe(review)}, which you reported, and found no problem.",
    )
    audit(actor, "dismiss_reports", "review", review.id, after={"reports": len(open_reports)})
    _finish(commit)


def mark_spoiler(actor: User, review: Review, *, commit: bool = True) -> None:
    """Mark a review as containing spoilers (it stays visible, behind the spoiler warning)."""
    require_staff(actor)
    before = review_snapshot(review)
    review.spoiler = True
    audit(actor, "mark_spoiler", "review", review.id, before=before, after=review_snapshot(review))
    notify(
        review.user_id,
        f"Your review of {review.book.title} was marked as containing spoilers.",
        topic="moderation",
    )
    _answer_reports(
        actor,
        review,
        "actioned",
        "marked as spoiler",
        f"Thank you: {_describe(review)}, which you reported, is now marked as a spoiler.",
    )
    _finish(commit)


def delete_review(actor: User, review: Review, *, commit: bool = True) -> None:
    """Delete a review outright (admins). Reporters hear first; the log keeps its text."""
    if not permissions.can_delete_any_review(actor):
        raise NotAllowed("Only admins delete reviews; moderators hide them.")
    review = locks.locked_review(review, delete=True)
    _answer_reports(
        actor,
        review,
        "actioned",
        "deleted",
        f"Thank you: {_describe(review)}, which you reported, has been removed.",
    )
    audit(actor, "delete_review", "review", review.id, before=review_snapshot(review))
    notify(
        review.user_id,
        f"Your review of {review.book.title} was removed by an administrator.",
        topic="moderation",
    )
    reviews.apply_to_book(review.book_id, reviews.counted(review), None)
    db.session.delete(review)
    _finish(commit)


# --- the registry ----------------------------------------------------------------------------


def _plural(count: int) -> str:
    return f"{count} review" if count == 1 else f"{count} reviews"


@dataclass(frozen=True)
class Action:
    """One queue action. ``run(actor, review, reason, commit=…)`` raises as its function does."""

    name: str
    label: str  # the bulk form's choice
    done: str  # the message after one review
    done_many: str  # after several: "{n}" becomes "3 reviews"
    run: Callable[..., None]
    admin_only: bool = False
    needs_reason: bool = False
    applies: Callable[[Review], bool] = lambda review: True  # bulk skips the others

    def allowed(self, actor: User | None) -> bool:
        """Whether ``actor`` may take this action (the route answers 403 otherwise)."""
        if self.admin_only:
            return permissions.can_delete_any_review(actor)
        return permissions.can_moderate(actor)

    def message(self, count: int | None = None) -> str:
        """The flash message after acting on one review, or on ``count`` of them."""
        return self.done if count is None else self.done_many.format(n=_plural(count))


def _ignoring_reason(action: Callable[..., None]) -> Callable[..., None]:
    return lambda actor, review, reason=None, *, commit=True: action(actor, review, commit=commit)


ACTIONS: dict[str, Action] = {
    action.name: action
    for action in (
        Action("dismiss", "Dismiss reports", "Reports dismissed.", "Reports dismissed on {n}.",
               _ignoring_reason(dismiss)),
        Action("hide", "Hide", "Review hidden.", "Hidden {n}.", hide, needs_reason=True),
        Action("restore", "Restore", "Review restored.", "Restored {n}.",
               _ignoring_reason(restore), applies=lambda review: review.is_hidden),
        Action("spoiler", "Mark as spoiler", "Review marked as containing spoilers.",
               "Marked {n} as containing spoilers.", _ignoring_reason(mark_spoiler)),
        Action("delete", "Delete (admins)", "Review deleted.", "Deleted {n}.",
               _ignoring_reason(delete_review), admin_only=True),
    )
}  # fmt: skip


def action_for(name: str | None) -> Action:
    """The registered action called ``name``. Raises ValidationError for any other name."""
    if name not in ACTIONS:
        raise ValidationError("action", "Choose an action.")
    return ACTIONS[name]


def act(actor: User, name: str, review: Review, reason: str | None = None) -> None:
    """Run one queue action by name. Raises ValidationError, NotAllowed."""
    action_for(name).run(actor, review, reason)


def bulk(actor: User, name: str, review_ids: list[int], reason: str | None = None) -> int:
    """Apply one action to several reviews in one transaction; returns how many were ticked."""
    require_staff(actor)
    action = action_for(name)
    if not review_ids:
        raise ValidationError("review_ids", "Tick at least one review.")
    if action.needs_reason:
        reason = clean_reason(reason)
    if not action.allowed(actor):
        raise NotAllowed("Only admins delete reviews.")
    # Every book and review locked up front, in order; each action's own lock is then held.
    targets = locks.reviews_for_write(review_ids, delete=action.name == "delete")
    for review in targets:
        if action.applies(review):
            action.run(actor, review, reason, commit=False)
    db.session.commit()
    return len(targets)
