"""Moderation and administration: reports, hiding, suspensions, roles, book merges, notices.

Every staff action writes an AuditEntry in the same transaction as the change it records.
Hidden reviews leave their book's kept aggregates (services.reviews.apply_to_book) and come
back into them when restored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from webapp import permissions, search
from webapp.errors import DomainError, NotAllowed, ValidationError
from webapp.extensions import db
from webapp.models import (
    REPORT_REASONS,
    AuditEntry,
    Book,
    BookRedirect,
    Notice,
    Report,
    Review,
    ShelfEntry,
    User,
    utcnow,
)
from webapp.models.user import ROLES, SUSPENDED_FOREVER
from webapp.services import accounts, catalog, reviews

MAX_NOTE = 1000
MAX_REASON = 500
AUTO_HIDE_DEFAULT = 3
AUTO_HIDE_REASON = "Hidden automatically after several reports, until a moderator looks at it."
SUSPENSION_REASON = "author suspended"
QUEUE_LIMIT = 200
LOG_PER_PAGE = 100
ACTIONS = ("dismiss", "hide", "restore", "spoiler", "delete")


def _display(when: datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M UTC")


# --- audit log and notices -------------------------------------------------------------------


def audit(
    actor: User | None,
    action: str,
    target_type: str,
    target_id: int,
    *,
    reason: str | None = None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEntry:
    """Record one action (``actor`` None means the system did it). Does not commit."""
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        actor_name=actor.username if actor else "system",
        action=action,
        target_type=target_type,
        target_id=target_id,
        reason=reason,
        before=before,
        after=after,
    )
    db.session.add(entry)
    return entry


def notify(user_id: int, message: str, link: str | None = None) -> None:
    db.session.add(Notice(user_id=user_id, message=message, link=link))


def unread_count(user: User) -> int:
    return db.session.scalar(
        select(func.count(Notice.id)).where(Notice.user_id == user.id, Notice.read_at.is_(None))
    )


def notices_for(user: User, limit: int = 100) -> list[Notice]:
    query = (
        select(Notice)
        .where(Notice.user_id == user.id)
        .order_by(Notice.created_at.desc(), Notice.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def mark_all_read(user: User) -> int:
    changed = db.session.execute(
        update(Notice)
        .where(Notice.user_id == user.id, Notice.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return changed


@dataclass
class LogFilter:
    actor: str = ""
    action: str = ""
    target_type: str = ""
    target_id: int | None = None


def log(filters: LogFilter, limit: int = LOG_PER_PAGE) -> list[AuditEntry]:
    query = select(AuditEntry)
    if filters.actor:
        query = query.where(AuditEntry.actor_name == filters.actor)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.target_type:
        query = query.where(AuditEntry.target_type == filters.target_type)
    if filters.target_id is not None:
        query = query.where(AuditEntry.target_id == filters.target_id)
    query = query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(limit)
    return list(db.session.scalars(query))


def log_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).distinct().order_by("action")))


# --- reports ---------------------------------------------------------------------------------


def _clean_report(reason: str | None, note: str | None) -> tuple[str, str | None]:
    if reason not in REPORT_REASONS:
        raise ValidationError("reason", "Choose a reason for the report.")
    note = (note or "").strip() or None
    if note and len(note) > MAX_NOTE:
        raise ValidationError("note", f"Keep the note under {MAX_NOTE} characters.")
    return reason, note


def _open_report(reporter: User, *, review_id=None, target_user_id=None) -> Report | None:
    query = select(Report).where(Report.reporter_id == reporter.id, Report.status == "open")
    if review_id is not None:
        query = query.where(Report.review_id == review_id)
    else:
        query = query.where(Report.target_user_id == target_user_id)
    return db.session.scalar(query)


def has_open_report(
    reporter: User | None, *, review: Review | None = None, user: User | None = None
) -> bool:
    """Whether ``reporter`` has an open report on ``review`` (or about ``user``)."""
    if not permissions.is_signed_in(reporter):
        return False
    if review is not None:
        return _open_report(reporter, review_id=review.id) is not None
    return _open_report(reporter, target_user_id=user.id) is not None


def reported_ids(reporter: User | None, review_ids: list[int]) -> set[int]:
    """Which of these reviews ``reporter`` has open reports on (one query for a whole page)."""
    if not permissions.is_signed_in(reporter) or not review_ids:
        return set()
    query = select(Report.review_id).where(
        Report.reporter_id == reporter.id,
        Report.status == "open",
        Report.review_id.in_(review_ids),
    )
    return set(db.session.scalars(query))


def _file(report: Report, reporter: User, **target) -> tuple[Report, bool]:
    """Insert ``report`` unless the reader already has one open (the unique index settles races)."""
    existing = _open_report(reporter, **target)
    if existing is not None:
        return existing, False
    try:
        with db.session.begin_nested():
            db.session.add(report)
    except IntegrityError:
        return _open_report(reporter, **target), False
    return report, True


def report_review(
    reporter: User,
    review: Review,
    reason: str | None,
    note: str | None = None,
    *,
    auto_hide_at: int = AUTO_HIDE_DEFAULT,
) -> tuple[Report, bool]:
    """File a report (one open per reader per review); returns (report, created).

    When ``auto_hide_at`` distinct readers have open reports, the review is hidden pending a
    moderator's look. Raises NotAllowed (own review) or ValidationError.
    """
    if not permissions.can_report_review(reporter, review):
        raise NotAllowed("You cannot report your own review.")
    reason, note = _clean_report(reason, note)
    report, created = _file(
        Report(reporter_id=reporter.id, review_id=review.id, reason=reason, note=note),
        reporter,
        review_id=review.id,
    )
    if created and not review.is_hidden and auto_hide_at > 0:
        reporters = db.session.scalar(
            select(func.count(func.distinct(Report.reporter_id))).where(
                Report.review_id == review.id, Report.status == "open"
            )
        )
        if reporters >= auto_hide_at:
            _hide(None, review, AUTO_HIDE_REASON, kind="reports")
    db.session.commit()
    return report, created


def report_user(
    reporter: User, target: User, reason: str | None, note: str | None = None
) -> tuple[Report, bool]:
    """Report a reader (one open report per reporter per reader). Raises NotAllowed."""
    if not permissions.can_report_user(reporter, target):
        raise NotAllowed("You cannot report yourself.")
    reason, note = _clean_report(reason, note)
    report, created = _file(
        Report(reporter_id=reporter.id, target_user_id=target.id, reason=reason, note=note),
        reporter,
        target_user_id=target.id,
    )
    db.session.commit()
    return report, created


def open_count() -> int:
    return db.session.scalar(select(func.count(Report.id)).where(Report.status == "open"))


def _resolve(actor: User, reports: list[Report], status: str, outcome: str, message: str) -> None:
    now = utcnow()
    for report in reports:
        report.status, report.outcome = status, outcome
        report.resolved_at, report.resolved_by_id = now, actor.id
        notify(report.reporter_id, message)


def _open_reports_on(review: Review) -> list[Report]:
    return list(
        db.session.scalars(
            select(Report).where(Report.review_id == review.id, Report.status == "open")
        )
    )


def _describe(review: Review) -> str:
    return f"{review.user.username}'s review of {review.book.title}"


def _review_json(review: Review) -> dict:
    return {
        "book_id": review.book_id,
        "user_id": review.user_id,
        "rating": review.rating,
        "title": review.title,
        "body": review.body,
        "spoiler": review.spoiler,
        "hidden": review.is_hidden,
        "hidden_reason": review.hidden_reason,
    }


# --- queue -----------------------------------------------------------------------------------


@dataclass
class QueueItem:
    review: Review
    reports: list[Report] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        return sorted({r.reason_label for r in self.reports})

    @property
    def open_reports(self) -> int:
        return sum(r.is_open for r in self.reports)


def queue(status: str = "open", reason: str | None = None) -> list[QueueItem]:
    """Reported reviews, newest report first, with their reports (two queries in all)."""
    query = select(Report).where(Report.review_id.is_not(None))
    if status == "resolved":
        query = query.where(Report.status != "open")
    else:
        query = query.where(Report.status == "open")
    if reason in REPORT_REASONS:
        query = query.where(Report.reason == reason)
    query = (
        query.options(selectinload(Report.review))
        .order_by(Report.created_at.desc(), Report.id.desc())
        .limit(QUEUE_LIMIT)
    )
    items: dict[int, QueueItem] = {}
    for report in db.session.scalars(query):
        items.setdefault(report.review_id, QueueItem(report.review)).reports.append(report)
    return list(items.values())


def queue_item(review: Review) -> QueueItem:
    """One review's row: its open reports, or its latest resolved ones once it is handled."""
    reports = list(
        db.session.scalars(
            select(Report)
            .where(Report.review_id == review.id)
            .order_by(Report.created_at.desc(), Report.id.desc())
            .limit(50)
        )
    )
    open_ones = [r for r in reports if r.is_open]
    return QueueItem(review, open_ones or reports)


def reported_users() -> list[tuple[User, list[Report]]]:
    query = (
        select(Report)
        .where(Report.target_user_id.is_not(None), Report.status == "open")
        .options(selectinload(Report.target_user))
        .order_by(Report.created_at.desc())
        .limit(QUEUE_LIMIT)
    )
    grouped: dict[int, tuple[User, list[Report]]] = {}
    for report in db.session.scalars(query):
        grouped.setdefault(report.target_user_id, (report.target_user, []))[1].append(report)
    return list(grouped.values())


# --- review actions --------------------------------------------------------------------------


def _hide(actor: User | None, review: Review, reason: str, *, kind: str) -> None:
    before = _review_json(review)
    if not review.is_hidden:
        reviews.apply_to_book(review.book_id, reviews._state(review), None)
    review.hidden_at = utcnow()
    review.hidden_by_id = actor.id if actor else None
    review.hidden_reason = reason
    review.hidden_kind = kind
    audit(
        actor,
        "hide_review",
        "review",
        review.id,
        reason=reason,
        before=before,
        after=_review_json(review),
    )
    if kind != "suspension":
        notify(
            review.user_id,
            f"Your review of {review.book.title} was hidden: {reason}",
            f"/books/{review.book_id}",
        )


def _restore(actor: User | None, review: Review, *, notice: bool = True) -> None:
    if not review.is_hidden:
        return
    before = _review_json(review)
    review.hidden_at = review.hidden_by_id = review.hidden_reason = review.hidden_kind = None
    reviews.apply_to_book(review.book_id, None, reviews._state(review))
    audit(actor, "restore_review", "review", review.id, before=before, after=_review_json(review))
    if notice:
        notify(
            review.user_id,
            f"Your review of {review.book.title} is visible again.",
            f"/books/{review.book_id}",
        )


def _clean_reason(reason: str | None) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError("reason", "Give a reason; the author will see it.")
    if len(reason) > MAX_REASON:
        raise ValidationError("reason", f"Keep the reason under {MAX_REASON} characters.")
    return reason


def _staff(actor: User) -> None:
    if not permissions.can_moderate(actor):
        raise NotAllowed("Only moderators can do that.")


def hide(actor: User, review: Review, reason: str | None, *, commit: bool = True) -> None:
    """Hide a review with a reason its author sees; its open reports are resolved as actioned."""
    _staff(actor)
    reason = _clean_reason(reason)
    _hide(actor, review, reason, kind="moderation")
    _resolve(
        actor,
        _open_reports_on(review),
        "actioned",
        "hidden",
        f"Thank you: {_describe(review)}, which you reported, has been hidden.",
    )
    if commit:
        db.session.commit()


def restore(actor: User, review: Review, *, commit: bool = True) -> None:
    """Show a hidden review again; open reports on it are dismissed."""
    _staff(actor)
    if not review.is_hidden:
        raise ValidationError(None, "That review is not hidden.")
    _restore(actor, review)
    _resolve(
        actor,
        _open_reports_on(review),
        "dismissed",
        "restored",
        f"We looked at {_describe(review)}, which you reported, and it stays up.",
    )
    if commit:
        db.session.commit()


def dismiss(actor: User, review: Review, *, commit: bool = True) -> None:
    """Close the open reports without acting on the review."""
    _staff(actor)
    reports = _open_reports_on(review)
    _resolve(
        actor,
        reports,
        "dismissed",
        "no action",
        f"We looked at {_describe(review)}, which you reported, and found no problem.",
    )
    audit(actor, "dismiss_reports", "review", review.id, after={"reports": len(reports)})
    if commit:
        db.session.commit()


def mark_spoiler(actor: User, review: Review, *, commit: bool = True) -> None:
    """Mark a review as containing spoilers (it stays visible, behind the spoiler warning)."""
    _staff(actor)
    before = _review_json(review)
    review.spoiler = True
    audit(actor, "mark_spoiler", "review", review.id, before=before, after=_review_json(review))
    notify(review.user_id, f"Your review of {review.book.title} was marked as containing spoilers.")
    _resolve(
        actor,
        _open_reports_on(review),
        "actioned",
        "marked as spoiler",
        f"Thank you: {_describe(review)}, which you reported, is now marked as a spoiler.",
    )
    if commit:
        db.session.commit()


def delete_review(actor: User, review: Review, *, commit: bool = True) -> None:
    """Delete a review outright (admins). Reporters hear first; the log keeps its text."""
    if not permissions.can_delete_any_review(actor):
        raise NotAllowed("Only admins delete reviews; moderators hide them.")
    _resolve(
        actor,
        _open_reports_on(review),
        "actioned",
        "deleted",
        f"Thank you: {_describe(review)}, which you reported, has been removed.",
    )
    audit(actor, "delete_review", "review", review.id, before=_review_json(review))
    notify(review.user_id, f"Your review of {review.book.title} was removed by an administrator.")
    reviews.apply_to_book(review.book_id, reviews._counted(review), None)
    db.session.delete(review)
    if commit:
        db.session.commit()


def act(actor: User, action: str, review: Review, reason: str | None = None) -> None:
    """Run one queue action by name. Raises ValidationError for an unknown action."""
    if action == "hide":
        hide(actor, review, reason)
    elif action == "restore":
        restore(actor, review)
    elif action == "dismiss":
        dismiss(actor, review)
    elif action == "spoiler":
        mark_spoiler(actor, review)
    elif action == "delete":
        delete_review(actor, review)
    else:
        raise ValidationError("action", "Choose an action.")


def bulk(actor: User, action: str, review_ids: list[int], reason: str | None = None) -> int:
    """Apply one action to several reviews in one transaction; returns how many."""
    _staff(actor)
    if action not in ACTIONS:
        raise ValidationError("action", "Choose an action.")
    if not review_ids:
        raise ValidationError("review_ids", "Tick at least one review.")
    if action == "hide":
        reason = _clean_reason(reason)
    if action == "delete" and not permissions.can_delete_any_review(actor):
        raise NotAllowed("Only admins delete reviews.")
    targets = list(db.session.scalars(select(Review).where(Review.id.in_(review_ids))))
    for review in targets:
        if action == "restore" and not review.is_hidden:
            continue
        {
            "hide": lambda r: hide(actor, r, reason, commit=False),
            "restore": lambda r: restore(actor, r, commit=False),
            "dismiss": lambda r: dismiss(actor, r, commit=False),
            "spoiler": lambda r: mark_spoiler(actor, r, commit=False),
            "delete": lambda r: delete_review(actor, r, commit=False),
        }[action](review)
    db.session.commit()
    return len(targets)


# --- readers: roles and suspensions ----------------------------------------------------------


def search_users(query: str, limit: int = 50) -> list[User]:
    q = (query or "").strip().lower()
    stmt = select(User).order_by(User.username_key).limit(limit)
    if q:
        stmt = stmt.where(
            or_(
                User.username_key.contains(q, autoescape=True),
                User.email.contains(q, autoescape=True),
            )
        )
    return list(db.session.scalars(stmt))


def reviews_by(user: User, limit: int = 100) -> list[Review]:
    query = (
        select(Review)
        .where(Review.user_id == user.id)
        .order_by(Review.created_at.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def reports_by(user: User, limit: int = 100) -> list[Report]:
    query = (
        select(Report)
        .where(Report.reporter_id == user.id)
        .options(selectinload(Report.review), selectinload(Report.target_user))
        .order_by(Report.created_at.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def reports_about(user: User, limit: int = 100) -> list[Report]:
    """Reports on the reader themselves or on any of their reviews."""
    own_reviews = select(Review.id).where(Review.user_id == user.id)
    query = (
        select(Report)
        .where(or_(Report.target_user_id == user.id, Report.review_id.in_(own_reviews)))
        .options(selectinload(Report.review), selectinload(Report.target_user))
        .order_by(Report.created_at.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def set_role(actor: User, target: User, role: str) -> None:
    """Promote or demote. Raises NotAllowed, or ValidationError for the last admin."""
    if not permissions.can_change_role(actor, target):
        raise NotAllowed("Only admins change roles.")
    if role not in ROLES:
        raise ValidationError("role", "Choose reader, moderator or admin.")
    if target.role == "admin" and role != "admin":
        admins = db.session.scalar(select(func.count(User.id)).where(User.role == "admin"))
        if admins <= 1:
            raise ValidationError(
                "role", "The last admin cannot be demoted. Promote another first."
            )
    if role == target.role:
        return
    audit(
        actor, "change_role", "user", target.id, before={"role": target.role}, after={"role": role}
    )
    target.role = role
    db.session.commit()


def create_admin(username: str, email: str | None, password: str | None) -> tuple[User, bool]:
    """Promote an existing account to admin, or create one (accounts' rules apply).

    Returns (user, created). Raises ValidationError.
    """
    from webapp.services import accounts

    user = User.by_username(username)
    if user is None:
        if not email or not password:
            raise ValidationError("email", "A new admin needs an email and a password.")
        user = accounts.sign_up(username, email, password)
        created = True
    else:
        created = False
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


def suspension_message(user: User) -> str | None:
    """Why ``user`` may not sign in now, or None (an expired suspension is ended here)."""
    if user.is_suspended:
        until = (
            "until an administrator lifts it"
            if user.suspended_indefinitely
            else (f"until {_display(user.suspended_until)}")
        )
        return f"This account is suspended {until}."
    if user.suspended_until is not None:
        _end_suspension(user)
        db.session.commit()
    return None


def suspend(actor: User, target: User, days: int | None, reason: str | None) -> None:
    """Suspend for ``days`` (None: indefinitely). Sessions end at once; reviews are hidden.

    Raises NotAllowed (staff target for moderators, oneself) or ValidationError.
    """
    if not permissions.can_suspend(actor, target):
        raise NotAllowed("You cannot suspend this account.")
    reason = _clean_reason(reason)
    if days is not None and not 1 <= days <= 3650:
        raise ValidationError("days", "Choose between 1 and 3650 days, or indefinitely.")
    before = _suspension_json(target)
    target.suspended_until = SUSPENDED_FOREVER if days is None else utcnow() + timedelta(days=days)
    target.suspension_reason = reason
    accounts.revoke_sessions(target)  # no session survives the suspension
    for review in db.session.scalars(
        select(Review).where(Review.user_id == target.id, Review.hidden_at.is_(None))
    ):
        _hide(actor, review, SUSPENSION_REASON, kind="suspension")
    now = utcnow()
    for report in db.session.scalars(
        select(Report).where(Report.target_user_id == target.id, Report.status == "open")
    ):
        report.status, report.outcome = "actioned", "suspended"
        report.resolved_at, report.resolved_by_id = now, actor.id
        notify(
            report.reporter_id,
            f"Thank you: {target.username}, whom you reported, has been suspended.",
        )
    audit(
        actor,
        "suspend_user",
        "user",
        target.id,
        reason=reason,
        before=before,
        after=_suspension_json(target),
    )
    db.session.commit()


def _suspension_json(user: User) -> dict:
    return {
        "suspended_until": user.suspended_until.isoformat() if user.suspended_until else None,
        "suspension_reason": user.suspension_reason,
    }


def _end_suspension(user: User, actor: User | None = None) -> int:
    """Clear the suspension and restore the reviews it hid (and only those)."""
    before = _suspension_json(user)
    user.suspended_until = None
    user.suspension_reason = None
    hidden = list(
        db.session.scalars(
            select(Review).where(Review.user_id == user.id, Review.hidden_kind == "suspension")
        )
    )
    for review in hidden:
        _restore(actor, review, notice=False)
    audit(actor, "unsuspend_user", "user", user.id, before=before, after=_suspension_json(user))
    return len(hidden)


def unsuspend(actor: User, target: User) -> None:
    if not permissions.can_suspend(actor, target):
        raise NotAllowed("You cannot change this account's suspension.")
    if target.suspended_until is None:
        raise ValidationError(None, f"{target.username} is not suspended.")
    _end_suspension(target, actor)
    db.session.commit()


def end_expired_suspensions() -> int:
    """End every suspension whose time has passed; returns how many. Safe to call often."""
    expired = list(
        db.session.scalars(
            select(User).where(User.suspended_until.is_not(None), User.suspended_until <= utcnow())
        )
    )
    for user in expired:
        _end_suspension(user)
    if expired:
        db.session.commit()
    return len(expired)


def dismiss_user_reports(actor: User, target: User) -> int:
    _staff(actor)
    reports = list(
        db.session.scalars(
            select(Report).where(Report.target_user_id == target.id, Report.status == "open")
        )
    )
    _resolve(
        actor,
        reports,
        "dismissed",
        "no action",
        f"We looked at your report about {target.username} and took no action.",
    )
    audit(actor, "dismiss_reports", "user", target.id, after={"reports": len(reports)})
    db.session.commit()
    return len(reports)


# --- books -----------------------------------------------------------------------------------


def edit_book(actor: User, book: Book, data: catalog.BookData) -> None:
    """Staff edit of a book's metadata, logged with before and after."""
    _staff(actor)
    before, after = catalog.update_book(book, data, commit=False)
    if before != after:
        changed = [k for k in after if before.get(k) != after[k]]
        audit(
            actor,
            "edit_book",
            "book",
            book.id,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    db.session.commit()


class MergeError(DomainError):
    pass


def merge_books(actor: User, source: Book, target: Book) -> dict:
    """Fold duplicate ``source`` into ``target``; returns counts of what moved.

    Reviews (with their votes and reports), ratings and shelves move. Where one reader reviewed
    both, the newer review is kept and the other is recorded in the log and deleted. The old
    id redirects to ``target``; aggregates are rebuilt from the reviews.
    """
    if not permissions.can_merge_books(actor):
        raise NotAllowed("Only staff merge books.")
    if source.id == target.id:
        raise ValidationError("target_id", "Choose a different book to merge into.")
    source_id, target_id = source.id, target.id
    moved = conflicts = 0
    theirs = {
        r.user_id: r for r in db.session.scalars(select(Review).where(Review.book_id == target_id))
    }
    for review in list(db.session.scalars(select(Review).where(Review.book_id == source_id))):
        other = theirs.get(review.user_id)
        if other is not None:
            conflicts += 1
            newer, older = (
                (review, other)
                if (review.updated_at, review.id) > (other.updated_at, other.id)
                else (other, review)
            )
            audit(
                actor,
                "merge_drop_review",
                "review",
                older.id,
                reason=f"book {source_id} merged into {target_id}; review {newer.id} kept",
                before=_review_json(older),
            )
            db.session.delete(older)
            db.session.flush()
            if newer is other:
                continue
        db.session.execute(
            update(Review)
            .where(Review.id == review.id)
            .values(book_id=target_id)
            .execution_options(synchronize_session=False)
        )
        moved += 1
    shelved = set(
        db.session.scalars(select(ShelfEntry.user_id).where(ShelfEntry.book_id == target_id))
    )
    db.session.execute(
        delete(ShelfEntry)
        .where(ShelfEntry.book_id == source_id, ShelfEntry.user_id.in_(shelved))
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(ShelfEntry)
        .where(ShelfEntry.book_id == source_id)
        .values(book_id=target_id)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(BookRedirect)
        .where(BookRedirect.new_id == source_id)
        .values(new_id=target_id)
        .execution_options(synchronize_session=False)
    )
    db.session.add(BookRedirect(old_id=source_id, new_id=target_id))
    audit(
        actor,
        "merge_books",
        "book",
        source_id,
        before=catalog.book_snapshot(source),
        after={"merged_into": target_id, "reviews_moved": moved, "conflicts": conflicts},
    )
    search.remove_book(source_id)
    db.session.expire_all()
    db.session.delete(db.session.get(Book, source_id))
    db.session.flush()
    reviews.recount([target_id])  # commits
    return {"moved": moved, "conflicts": conflicts}


def redirect_for(book_id: int) -> int | None:
    return db.session.scalar(select(BookRedirect.new_id).where(BookRedirect.old_id == book_id))
