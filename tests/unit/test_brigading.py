"""Brigading: brand-new accounts cannot hide a review by reporting it; established readers
can, and a report by staff hides at once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from tests.factories import make_book, make_review
from webapp.extensions import db
from webapp.models import Review, utcnow
from webapp.services import reports
from webapp.services.reports import AutoHide

RULE = AutoHide(reports=3, min_age_days=7, min_ratings=2)


def established(users, name: str):
    """A reader of two weeks with two ratings."""
    reader = users(name)
    for n in range(2):
        make_review(reader, make_book(f"{name} read {n}"), "4")
    reader.created_at = utcnow() - timedelta(days=14)
    db.session.commit()
    return reader


def test_new_accounts_do_not_hide_a_review(world, users):
    for n in range(6):
        reports.report_review(users(f"sock{n}"), world.review, "spam", auto_hide=RULE)
    assert not world.review.is_hidden
    assert reports.established_reporters(world.review, RULE) == 0


def test_old_accounts_without_ratings_or_active_new_ones_do_not_count(world, users):
    idle = users("idle")
    idle.created_at = utcnow() - timedelta(days=400)
    eager = users("eager")
    for n in range(5):
        make_review(eager, make_book(f"eager {n}"), "5")
    db.session.commit()
    for reader in (idle, eager, established(users, "real1"), established(users, "real2")):
        reports.report_review(reader, world.review, "spam", auto_hide=RULE)
    assert reports.established_reporters(world.review, RULE) == 2
    assert not world.review.is_hidden


def test_three_established_readers_hide_it(world, users):
    for name in ("real1", "real2", "real3"):
        assert not world.review.is_hidden
        reports.report_review(established(users, name), world.review, "abuse", auto_hide=RULE)
    assert world.review.is_hidden and world.review.hidden_reason == reports.AUTO_HIDE_REASON
    assert world.review.hidden_by_id is None


def test_a_staff_report_hides_at_once(world):
    reports.report_review(world.mod, world.review, "spam", auto_hide=RULE)
    assert world.review.is_hidden and world.review.hidden_by_id == world.mod.id
    assert world.review.hidden_reason == reports.STAFF_HIDE_REASON


def test_hidden_ratings_do_not_make_a_reader_established(world, users):
    reader = established(users, "spammer")
    db.session.execute(update(Review).where(Review.user_id == reader.id).values(hidden_at=utcnow()))
    db.session.commit()
    reports.report_review(reader, world.review, "spam", auto_hide=RULE)
    assert reports.established_reporters(world.review, RULE) == 0
