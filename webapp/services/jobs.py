"""Background jobs that failed for good: kept for staff to read and retry."""

from __future__ import annotations

from sqlalchemy import select

from webapp.errors import NotFound
from webapp.extensions import db
from webapp.models import JobFailure, utcnow
from webapp.tasks import enqueue


def record_failure(task: str, args: list, error: str, attempts: int) -> JobFailure:
    failure = JobFailure(task=task, args=args, error=error[:4000], attempts=attempts)
    db.session.add(failure)
    db.session.commit()
    return failure


def failures(*, include_retried: bool = False, limit: int = 200) -> list[JobFailure]:
    query = select(JobFailure).order_by(JobFailure.failed_at.desc(), JobFailure.id.desc())
    if not include_retried:
        query = query.where(JobFailure.retried_at.is_(None))
    return list(db.session.scalars(query.limit(limit)))


def retry(failure_id: int) -> JobFailure:
    """Queue the job again with its arguments. Raises NotFound for an unknown id.

    The row is kept (marked retried) so the history stays; if the job fails again, a new
    row records that.
    """
    failure = db.session.get(JobFailure, failure_id)
    if failure is None:
        raise NotFound("No such failed job.")
    if failure.retried_at is None and enqueue(failure.task, *failure.args):
        failure.retried_at = utcnow()
        db.session.commit()
    return failure
