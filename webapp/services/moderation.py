"""Staff actions on a reported review — dismiss, hide, restore, mark as spoiler, delete — or on
a held or reported reply — hide, restore (let through), dismiss — and the one registry
(``ACTIONS``) that the queue's routes and buttons, the bulk form, ``act`` and ``bulk`` read.

Every action writes an AuditEntry and resolves the target's open reports (telling each
reporter) in the same transaction as the change itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from webapp import permissions
from webapp.errors import NotAllowed, ValidationError
from webapp.extensions import db
from webapp.filters import plural
from webapp.models import Reply, Review, User
from webapp.services import locks, replies, reports, reviews
from webapp.services.audit import audit, review_snapshot
from webapp.services.hiding import hide_review, show_review
from webapp.services.notices import notify
from webapp.services.text import one_line

MAX_REASON = 500


def clean_reason(reason: str | None) -> str:
    """A staff reason (hiding, suspending), which its subject sees. Raises ValidationError."""
    too_long = f"Keep the reason under {MAX_REASON} characters."
    missing = "Give a reason; the author will see it."
    return one_line(reason, "reason", MAX_REASON, too_long, missing=missing)


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


# --- replies ---------------------------------------------------------------------------------


def _answer_reply_reports(actor: User, reply: Reply, status: str, outcome: str, message: str):
    """Resolve the open reports on ``reply``, telling each reporter; how many there were."""
    open_reports = replies.open_reports(reply)
    reports.resolve(actor, open_reports, status, outcome, message)
    return len(open_reports)


def hide_reply(actor: User, reply: Reply, reason: str | None, *, commit: bool = True) -> None:
    """Hide a reply with a reason its author sees; its open reports are actioned."""
    require_staff(actor)
    replies.mark_hidden(actor, reply, clean_reason(reason), "moderation")
    thanks = "Thank you: a reply you reported was hidden."
    _answer_reply_reports(actor, reply, "actioned", "hidden", thanks)
    _finish(commit)


def restore_reply(actor: User, reply: Reply, *, commit: bool = True) -> None:
    """Show a hidden or held reply; a held one's notices go out now. Open reports dismissed."""
    require_staff(actor)
    if not reply.is_hidden:
        raise ValidationError(None, "That reply is not hidden.")
    before, was_held = replies.snapshot(reply), reply.is_held
    reply.hidden_at = reply.hidden_by_id = reply.hidden_reason = reply.hidden_kind = None
    audit(actor, "restore_reply", "reply", reply.id, before=before, after=replies.snapshot(reply))
    if was_held:
        replies.tell_thread(reply, db.session.get(Review, reply.review_id))
    stays = "We looked at a reply you reported: it stays up."
    _answer_reply_reports(actor, reply, "dismissed", "restored", stays)
    _finish(commit)


def dismiss_reply(actor: User, reply: Reply, *, commit: bool = True) -> None:
    """Close the open reports on a reply without acting on it."""
    require_staff(actor)
    no_problem = "We looked at a reply you reported: no problem."
    count = _answer_reply_reports(actor, reply, "dismissed", "no action", no_problem)
    audit(actor, "dismiss_reports", "reply", reply.id, after={"reports": count})
    _finish(commit)


# --- the registry ----------------------------------------------------------------------------

Target = Review | Reply
NOUNS = {"review": ("review", "reviews"), "reply": ("reply", "replies")}


def _always(target: Target, open_reports: int) -> bool:
    return True


@dataclass(frozen=True)
class Action:
    """One queue action on a ``kind`` of target ("review" or "reply").

    ``run(actor, target, reason, commit=…)`` raises as its function does. ``offered(target,
    open_reports)`` says whether the queue shows its button; ``applies(target)`` whether a
    bulk action touches a ticked target (the others are skipped).
    """

    kind: str
    name: str  # in the route and the bulk form
    label: str  # its button, and the bulk form's choice
    done: str  # the message after one target
    done_many: str  # after several: "{n}" becomes "3 reviews"
    run: Callable[..., None]
    admin_only: bool = False
    needs_reason: bool = False
    offered: Callable[[Target, int], bool] = _always
    applies: Callable[[Target], bool] = lambda target: True
    style: str = "secondary"  # the button's class
    confirm: str = ""  # asked before acting (with JavaScript)
    held_label: str = ""  # the label for a reply held for review

    def allowed(self, actor: User | None) -> bool:
        """Whether ``actor`` may take this action (the route answers 403 otherwise)."""
        if self.admin_only:
            return permissions.can_delete_any_review(actor)
        return permissions.can_moderate(actor)

    def button(self, target: Target) -> str:
        """The button's words for ``target``."""
        return self.held_label if self.held_label and target.is_held else self.label

    def message(self, count: int | None = None) -> str:
        """The flash message after acting on one target, or on ``count`` of them."""
        if count is None:
            return self.done
        return self.done_many.format(n=plural(count, *NOUNS[self.kind]))


def _ignoring_reason(action: Callable[..., None]) -> Callable[..., None]:
    return lambda actor, target, reason=None, *, commit=True: action(actor, target, commit=commit)


def _has_reports(target: Target, open_reports: int) -> bool:
    return open_reports > 0


def _is_hidden(target: Target, open_reports: int = 0) -> bool:
    return target.is_hidden


def _hideable(target: Target, open_reports: int) -> bool:
    """Visible, or hidden only until staff look (by reports, or held)."""
    return not target.is_hidden or target.hidden_kind in ("reports", "held")


_REVIEW_ACTIONS = (
    Action("review", "dismiss", "Dismiss reports", "Reports dismissed.",
           "Reports dismissed on {n}.", _ignoring_reason(dismiss), offered=_has_reports),
    Action("review", "restore", "Restore", "Review restored.", "Restored {n}.",
           _ignoring_reason(restore), offered=_is_hidden, applies=_is_hidden),
    Action("review", "hide", "Hide", "Review hidden.", "Hidden {n}.", hide, needs_reason=True,
           offered=_hideable, style="danger"),
    Action("review", "spoiler", "Mark as spoiler", "Review marked as containing spoilers.",
           "Marked {n} as containing spoilers.", _ignoring_reason(mark_spoiler),
           offered=lambda review, _: not review.spoiler),
    Action("review", "delete", "Delete", "Review deleted.", "Deleted {n}.",
           _ignoring_reason(delete_review), admin_only=True, style="danger",
           confirm="Delete this review for good? Hiding it can be undone; deleting cannot."),
)  # fmt: skip
_REPLY_ACTIONS = (
    Action("reply", "restore", "Restore", "Reply shown.", "Shown {n}.",
           _ignoring_reason(restore_reply), offered=_is_hidden, applies=_is_hidden,
           held_label="Let it through"),
    Action("reply", "hide", "Hide", "Reply hidden.", "Hidden {n}.", hide_reply,
           needs_reason=True, offered=_hideable, style="danger"),
    Action("reply", "dismiss", "Dismiss reports", "Reports dismissed.", "Reports dismissed on {n}.",
           _ignoring_reason(dismiss_reply), offered=_has_reports),
)  # fmt: skip
ACTIONS: dict[str, dict[str, Action]] = {
    kind: {action.name: action for action in actions}
    for kind, actions in (("review", _REVIEW_ACTIONS), ("reply", _REPLY_ACTIONS))
}


def action_for(kind: str, name: str | None) -> Action:
    """The registered action ``name`` on a ``kind``. Raises ValidationError for any other."""
    if name not in ACTIONS.get(kind, {}):
        raise ValidationError("action", "Choose an action.")
    return ACTIONS[kind][name]


def act(actor: User, action: Action, target: Target, reason: str | None = None) -> None:
    """Run one queue action on its target. Raises ValidationError, NotAllowed."""
    if not action.allowed(actor):
        raise NotAllowed("Only admins delete reviews; moderators hide them.")
    action.run(actor, target, reason)


def bulk(actor: User, name: str, review_ids: list[int], reason: str | None = None) -> int:
    """Apply one action to several reviews in one transaction; returns how many were ticked."""
    require_staff(actor)
    action = action_for("review", name)
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
