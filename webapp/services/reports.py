"""Readers' reports on reviews and on other readers, and the staff queue they make.

One open report per reader per review (or per reported reader); enough readers reporting one
review hides it until a moderator looks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from webapp import permissions
from webapp.errors import NotAllowed, ValidationError
from webapp.extensions import db
from webapp.models import REPORT_REASONS, STAFF_ROLES, Reply, Report, Review, User, utcnow
from webapp.services import locks
from webapp.services.hiding import hide_review
from webapp.services.notices import notify

MAX_NOTE = 1000
AUTO_HIDE_REASON = "Hidden automatically after several reports, until a moderator looks at it."
STAFF_HIDE_REASON = "Hidden after a report by a moderator, until the report is dealt with."


@dataclass(frozen=True)
class AutoHide:
    """When readers' reports hide a review before a moderator looks (0 reports: never).

    Only established readers count: an account at least ``min_age_days`` old with at least
    ``min_ratings`` visible ratings. Three accounts made a minute ago cannot hide anything;
    a report by staff hides at once.
    """

    reports: int = 3
    min_age_days: int = 7
    min_ratings: int = 3

    @classmethod
    def from_config(cls, config) -> AutoHide:
        """The rule the site is configured with (MODERATION_* settings)."""
        return cls(
            reports=config["MODERATION_AUTO_HIDE"],
            min_age_days=config["MODERATION_REPORTER_MIN_DAYS"],
            min_ratings=config["MODERATION_REPORTER_MIN_RATINGS"],
        )

    def reached(self, review: Review | None = None, *, reply=None) -> bool:
        """Whether the open reports on ``review`` (or on ``reply``) now hide it."""
        return 0 < self.reports <= established_reporters(review, self, reply=reply)


def established_reporters(review: Review | None, rule: AutoHide, *, reply=None) -> int:
    """Distinct established readers (staff included) with an open report on ``review`` (or on
    ``reply``: replies are hidden by the same rule)."""
    target = Report.reply_id == reply.id if reply is not None else Report.review_id == review.id
    ratings = (
        select(func.count(Review.id))
        .where(Review.user_id == User.id, Review.hidden_at.is_(None))
        .correlate(User)
        .scalar_subquery()
    )
    established = or_(
        User.role.in_(STAFF_ROLES),
        and_(
            User.created_at <= utcnow() - timedelta(days=rule.min_age_days),
            ratings >= rule.min_ratings,
        ),
    )
    return db.session.scalar(
        select(func.count(func.distinct(Report.reporter_id)))
        .join(User, User.id == Report.reporter_id)
        .where(target, Report.status == "open", established)
    )


QUEUE_LIMIT = 200


def clean(reason: str | None, note: str | None) -> tuple[str, str | None]:
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


def _file(reporter: User, reason: str | None, note: str | None, **target) -> tuple[Report, bool]:
    """File a report unless the reader already has one open (the unique index settles races)."""
    reason, note = clean(reason, note)
    existing = _open_report(reporter, **target)
    if existing is not None:
        return existing, False
    report = Report(reporter_id=reporter.id, reason=reason, note=note, **target)
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
    auto_hide: AutoHide = AutoHide(),  # noqa: B008 (frozen, so one shared default is safe)
) -> tuple[Report, bool]:
    """File a report (one open per reader per review); returns (report, created).

    A report by staff, or ``auto_hide.reports`` established readers' open reports, hide the
    review pending a moderator's look. Raises NotAllowed (own review) or ValidationError.
    """
    if not permissions.can_report_review(reporter, review):
        raise NotAllowed("You cannot report your own review.")
    # Locked first: reports are counted one at a time, and an auto-hide moves kept numbers.
    review = locks.locked_review(review)
    report, created = _file(reporter, reason, note, review_id=review.id)
    if created and not review.is_hidden:
        if permissions.is_moderator(reporter):
            hide_review(reporter, review, STAFF_HIDE_REASON, kind="reports")
        elif auto_hide.reached(review):
            hide_review(None, review, AUTO_HIDE_REASON, kind="reports")
    db.session.commit()
    return report, created


def report_user(
    reporter: User, target: User, reason: str | None, note: str | None = None
) -> tuple[Report, bool]:
    """Report a reader (one open report per reporter per reader). Raises NotAllowed."""
    if not permissions.can_report_user(reporter, target):
        raise NotAllowed("You cannot report yourself.")
    report, created = _file(reporter, reason, note, target_user_id=target.id)
    db.session.commit()
    return report, created


def open_count() -> int:
    """Open reports on reviews, replies and readers, plus replies held for review."""
    held = select(func.count(Reply.id)).where(Reply.hidden_kind == "held").scalar_subquery()
    return db.session.scalar(select(func.count(Report.id) + held).where(Report.status == "open"))


def open_on(review: Review) -> list[Report]:
    """The open reports on ``review``."""
    return list(
        db.session.scalars(
            select(Report).where(Report.review_id == review.id, Report.status == "open")
        )
    )


def open_about(user: User) -> list[Report]:
    """The open reports about the reader ``user`` (not about their reviews)."""
    return list(
        db.session.scalars(
            select(Report).where(Report.target_user_id == user.id, Report.status == "open")
        )
    )


def resolve(actor: User, reports: list[Report], status: str, outcome: str, message: str) -> None:
    """Close ``reports`` as ``status`` (actioned, dismissed) and tell each reporter. No commit."""
    now = utcnow()
    for report in reports:
        report.status, report.outcome = status, outcome
        report.resolved_at, report.resolved_by_id = now, actor.id
        notify(report.reporter_id, message, topic="reports")


# --- the queue -------------------------------------------------------------------------------


@dataclass
class QueueItem:
    """A reported review or reply (``target``) with its reports, as the queue lists it."""

    target: Review | Reply
    reports: list[Report] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return "reply" if isinstance(self.target, Reply) else "review"

    @property
    def review(self) -> Review | Reply:
        return self.target

    @property
    def waiting(self) -> bool:
        """Still for staff to look at: open reports, or a reply held for review."""
        return self.open_reports > 0 or (self.kind == "reply" and self.target.is_held)

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


def queue_counts(status: str = "open", reason: str | None = None) -> tuple[int, int]:
    """(reports, reviews) in the queue's list: what its heading says, after every action too."""
    query = select(func.count(Report.id), func.count(func.distinct(Report.review_id))).where(
        Report.review_id.is_not(None),
        Report.status != "open" if status == "resolved" else Report.status == "open",
    )
    if reason in REPORT_REASONS:
        query = query.where(Report.reason == reason)
    reports, reviews = db.session.execute(query).one()
    return reports, reviews


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
    """Readers with open reports about them, each with those reports."""
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


def reports_by(user: User, limit: int = 100) -> list[Report]:
    """The reports ``user`` filed, newest first."""
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
