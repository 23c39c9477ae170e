"""Yearly reading goals: a number of books or pages, and how the reader stands today."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from webapp.errors import ValidationError
from webapp.extensions import db
from webapp.models import GOAL_KINDS, Book, Read, ReadingGoal, User
from webapp.services.reads import today

MAX_TARGET = {"books": 1000, "pages": 500_000}


@dataclass(frozen=True)
class GoalProgress:
    goal: ReadingGoal
    done: int
    expected: int  # where an even pace would be by ``on``
    on: date

    @property
    def percent(self) -> int:
        return min(100, round(self.done * 100 / self.goal.target))

    @property
    def ahead_by(self) -> int:
        """Positive: ahead of an even pace; negative: behind."""
        return self.done - self.expected

    @property
    def unit(self) -> str:
        return self.goal.kind


def finished_in(year: int):
    """The WHERE clause of a finished read in ``year`` (by finish date; index-friendly)."""
    return (
        Read.status == "finished",
        Read.finished_on >= date(year, 1, 1),
        Read.finished_on <= date(year, 12, 31),
    )


def parse(year: str | int | None, kind: str | None, target: str | None) -> tuple[int, str, int]:
    """Raises ValidationError beside the field that is wrong."""
    try:
        year = int(year or 0)
    except ValueError:
        year = 0
    if not 1900 <= year <= today().year + 1:
        raise ValidationError("year", "Choose this year or another recent one.")
    if kind not in GOAL_KINDS:
        raise ValidationError("kind", "Count books or pages.")
    text = (target or "").strip()
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_TARGET[kind]:
        raise ValidationError("target", f"Give a number from 1 to {MAX_TARGET[kind]:,}.")
    return year, kind, int(text)


def set_goal(
    user: User, year: str | int | None, kind: str | None, target: str | None
) -> ReadingGoal:
    """Set (or change) the reader's goal for a year. Raises ValidationError."""
    year, kind, number = parse(year, kind, target)
    goal = db.session.get(ReadingGoal, (user.id, year), with_for_update=True)
    if goal is None:
        goal = ReadingGoal(user_id=user.id, year=year)
        db.session.add(goal)
    goal.kind, goal.target = kind, number
    db.session.commit()
    return goal


def remove(user: User, year: int) -> None:
    if not 1900 <= year <= 9999:  # no such goal (and beyond the column's range)
        return
    goal = db.session.get(ReadingGoal, (user.id, year))
    if goal is not None:
        db.session.delete(goal)
        db.session.commit()


def progress(user: User, year: int | None = None, on: date | None = None) -> GoalProgress | None:
    """The goal for ``year`` (default: this one) and the books or pages finished so far."""
    on = on or today()
    year = year or on.year
    goal = db.session.get(ReadingGoal, (user.id, year))
    if goal is None:
        return None
    amount = func.count(Read.id) if goal.kind == "books" else func.sum(Book.pages)
    done = db.session.scalar(
        select(func.coalesce(amount, 0))
        .select_from(Read)
        .join(Book, Book.id == Read.book_id)
        .where(Read.user_id == user.id, *finished_in(year))
    )
    days = 366 if calendar.isleap(year) else 365
    elapsed = min(days, max(0, (on - date(year, 1, 1)).days + 1))
    return GoalProgress(goal, int(done or 0), round(goal.target * elapsed / days), on)
