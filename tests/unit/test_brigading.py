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


# Replies are hidden by the same rule -------------------------------------------------------


def a_reply(world):
    from webapp.services import replies

    world.reader.created_at = utcnow() - timedelta(days=30)  # not held as a new account's
    db.session.commit()
    return replies.post(world.reader, world.review, "A rude reply")


def test_new_accounts_do_not_hide_a_reply(world, users):
    from webapp.services import replies

    reply = a_reply(world)
    for n in range(6):
        replies.report(users(f"sock{n}"), reply, "spam", auto_hide=RULE)
    assert not reply.is_hidden
    assert reports.established_reporters(None, RULE, reply=reply) == 0


def test_three_established_readers_hide_a_reply(world, users):
    from sqlalchemy import select

    from webapp.models import AuditEntry, Notice, Report
    from webapp.services import replies

    reply = a_reply(world)
    for name in ("real1", "real2", "real3"):
        assert not reply.is_hidden
        replies.report(established(users, name), reply, "abuse", auto_hide=RULE)
    assert reply.is_hidden and reply.hidden_kind == "reports" and reply.hidden_by_id is None
    assert reply.hidden_reason == reports.AUTO_HIDE_REASON
    statuses = db.session.scalars(select(Report.status).where(Report.reply_id == reply.id))
    assert list(statuses) == ["open"] * 3  # still waiting for a moderator
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "hide_reply"))
    assert entry.actor_id is None and entry.target_id == reply.id
    told = db.session.scalars(select(Notice.message).where(Notice.user_id == world.reader.id))
    assert f"Your reply was hidden: {reports.AUTO_HIDE_REASON}" in list(told)
    assert replies.for_review(world.review, world.author) == []


def test_a_staff_report_hides_a_reply_at_once(world):
    from webapp.services import replies

    reply = a_reply(world)
    replies.report(world.mod, reply, "spam", auto_hide=RULE)
    assert reply.is_hidden and reply.hidden_by_id == world.mod.id
    assert reply.hidden_reason == reports.STAFF_HIDE_REASON
