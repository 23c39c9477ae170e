"""Moderation rules: reports and auto-hide, aggregates on hide/restore, suspensions, merges."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import moderation_book, moderation_review
from webapp.errors import NotAllowed, ValidationError
from webapp.extensions import db
from webapp.models import AuditEntry, Book, BookRedirect, Notice, Report, Review, ShelfEntry, utcnow
from webapp.models.moderation import AppendOnly
from webapp.models.user import SUSPENDED_FOREVER
from webapp.services import (
    accounts,
    catalog,
    login_sessions,
    merges,
    moderation,
    notices,
    recount,
    reports,
    reviews,
    shelves,
    staff,
)
from webapp.services.reports import AutoHide
from webapp.services.users import stats_for

# Every test here starts from the same world: built once, each test rolled back.
pytestmark = pytest.mark.usefixtures("shared_world")


def aggregates(book: Book) -> tuple:
    db.session.refresh(book)
    return (book.rating_count, book.rating_sum, book.review_count, book.stars_4)


def test_report_once_per_reader_and_not_own(world, users):
    reader = world["reader"]
    report, created = reports.report_review(reader, world["review"], "spam", " buy pills ")
    assert created and report.note == "buy pills" and report.status == "open"
    again, created = reports.report_review(reader, world["review"], "abuse")
    assert not created and again.id == report.id
    with pytest.raises(NotAllowed):
        reports.report_review(world["author"], world["review"], "spam")
    with pytest.raises(ValidationError) as error:
        reports.report_review(users("other"), world["review"], "nonsense")
    assert error.value.field == "reason"
    assert reports.open_count() == 1


def test_open_report_unique_index_holds_in_the_database(world, users):
    reader = world["reader"]
    db.session.add(Report(reporter_id=reader.id, review_id=world["review"].id, reason="spam"))
    db.session.commit()
    db.session.add(Report(reporter_id=reader.id, review_id=world["review"].id, reason="other"))
    with pytest.raises(Exception, match="(?i)unique"):
        db.session.commit()
    db.session.rollback()
    # A resolved report does not block a new one.
    db.session.execute(Report.__table__.update().values(status="dismissed"))
    db.session.add(Report(reporter_id=reader.id, review_id=world["review"].id, reason="other"))
    db.session.commit()


def anyone(reports: int) -> AutoHide:
    """A rule under which every reader counts as established."""
    return AutoHide(reports=reports, min_age_days=0, min_ratings=0)


@pytest.mark.parametrize("threshold", [2, 3])
def test_auto_hide_at_threshold_of_distinct_readers(world, users, threshold):
    review, book = world["review"], world["book"]
    before = aggregates(book)
    assert before == (1, 8, 1, 1)
    for n in range(threshold - 1):
        reports.report_review(users(f"r{n}"), review, "spam", auto_hide=anyone(threshold))
    db.session.refresh(review)
    assert not review.is_hidden
    reports.report_review(users("last"), review, "abuse", auto_hide=anyone(threshold))
    db.session.refresh(review)
    assert review.is_hidden and review.hidden_kind == "reports" and review.hidden_by_id is None
    assert aggregates(book) == (0, 0, 0, 0)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "hide_review"))
    assert entry.actor_name == "system" and entry.actor_id is None
    assert reviews.for_book(book)[0] == [] and reviews.recent() == []


def test_hide_and_restore_move_aggregates_and_notify(world, users):
    review, book, mod = world["review"], world["book"], world["mod"]
    reporter = users("reporter")
    reports.report_review(reporter, review, "spoilers")
    with pytest.raises(ValidationError):
        moderation.hide(mod, review, "  ")
    moderation.hide(mod, review, "Reveals the ending")
    assert aggregates(book) == (0, 0, 0, 0)
    assert review.is_hidden and review.hidden_reason == "Reveals the ending"
    assert reviews.find(world["author"], book).is_hidden  # the author still sees it
    assert stats_for(world["author"])["count"] == 0
    # Editing a hidden review keeps it hidden and out of the aggregates.
    reviews.save(world["author"], book, stars="2", body="Edited")
    assert aggregates(book) == (0, 0, 0, 0) and review.is_hidden
    assert recount.check([book.id]) == []
    moderation.restore(mod, review)
    assert aggregates(book) == (1, 4, 1, 0)
    messages = [n.message for n in notices.notices_for(world["author"])]
    assert any("hidden: Reveals the ending" in m for m in messages)
    assert any("visible again" in m for m in messages)
    (outcome,) = notices.notices_for(reporter)
    assert "has been hidden" in outcome.message
    report = db.session.scalar(select(Report))
    assert report.status == "actioned" and report.resolved_by_id == mod.id


def test_readers_cannot_moderate_and_moderators_cannot_delete(world, users):
    reader = world["reader"]
    with pytest.raises(NotAllowed):
        moderation.hide(reader, world["review"], "no")
    with pytest.raises(NotAllowed):
        moderation.delete_review(world["mod"], world["review"])
    moderation.delete_review(world["admin"], world["review"])
    assert aggregates(world["book"]) == (0, 0, 0, 0)
    assert db.session.scalar(select(func.count(Review.id))) == 0


def test_dismiss_spoiler_and_bulk(world, users):
    other = moderation_review(users("second"), world["book"], stars="2")
    reporter = users("reporter")
    for review in (world["review"], other):
        reports.report_review(reporter, review, "spoilers")
    moderation.mark_spoiler(world["mod"], world["review"])
    assert world["review"].spoiler and reports.open_count() == 1
    assert moderation.bulk(world["mod"], "hide", [other.id], "Off topic") == 1
    db.session.refresh(other)
    assert other.is_hidden and reports.open_count() == 0
    with pytest.raises(NotAllowed):
        moderation.bulk(world["mod"], "delete", [other.id])


def test_audit_log_is_append_only(world):
    moderation.hide(world["mod"], world["review"], "Rude")
    entry = db.session.scalar(select(AuditEntry))
    entry.reason = "rewritten"
    with pytest.raises(AppendOnly):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(AppendOnly):
        db.session.delete(db.session.scalar(select(AuditEntry)))
        db.session.flush()
    db.session.rollback()


def test_last_admin_cannot_be_demoted(world, users):
    admin, mod = world["admin"], world["mod"]
    with pytest.raises(ValidationError, match="last admin"):
        staff.set_role(admin, admin, "reader")
    with pytest.raises(NotAllowed):
        staff.set_role(mod, mod, "admin")
    staff.set_role(admin, mod, "admin")
    staff.set_role(admin, admin, "moderator")
    assert admin.role == "moderator" and mod.role == "admin"


def test_create_admin_creates_or_promotes(app, users):
    user, created = accounts.create_admin("chief", "chief@example.com", "a long passphrase 9")
    assert created and user.role == "admin"
    reader = users("plain")
    user, created = accounts.create_admin("plain", None, None)
    assert not created and user.id == reader.id and user.role == "admin"
    with pytest.raises(ValidationError):
        accounts.create_admin("tiny", "tiny@example.com", "short")


def test_suspension_hides_reviews_and_ends(world, users):
    author, book, mod, admin = world["author"], world["book"], world["mod"], world["admin"]
    manual = moderation_review(author, moderation_book("Second book"), stars="5")
    moderation.hide(mod, manual, "Spam link")
    with pytest.raises(NotAllowed):
        staff.suspend(mod, admin, 3, "no")  # moderators cannot suspend staff
    with pytest.raises(NotAllowed):
        staff.suspend(admin, admin, 3, "no")  # nor anyone themselves
    key = login_sessions.open_session(author, timedelta(days=1))
    staff.suspend(mod, author, 7, "Harassment")
    assert author.is_suspended and login_sessions.session_user(author.id, key, timedelta(1)) is None
    assert staff.suspended_until(author) == author.suspended_until > utcnow()
    db.session.refresh(world["review"])
    assert world["review"].hidden_kind == "suspension" and aggregates(book) == (0, 0, 0, 0)
    # Time passes: the suspension counts as over; end-suspensions restores only its reviews.
    author.suspended_until = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert not author.is_suspended
    assert staff.end_expired_suspensions() == 1
    db.session.refresh(world["review"])
    db.session.refresh(manual)
    assert not world["review"].is_hidden and aggregates(book) == (1, 8, 1, 1)
    assert manual.is_hidden and manual.hidden_reason == "Spam link"
    assert author.suspended_until is None


def test_indefinite_suspension_and_unsuspend(world):
    author = world["author"]
    staff.suspend(world["admin"], author, None, "Ban evasion")
    assert author.suspended_indefinitely
    assert staff.suspended_until(author) == SUSPENDED_FOREVER
    staff.unsuspend(world["mod"], author)
    db.session.refresh(world["review"])
    assert not author.is_suspended and not world["review"].is_hidden


def test_expired_suspension_ends_lazily_at_login_check(world):
    author = world["author"]
    staff.suspend(world["mod"], author, 1, "Cool off")
    author.suspended_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert staff.suspended_until(author) is None
    db.session.refresh(world["review"])
    assert not world["review"].is_hidden and author.suspended_until is None


def test_merge_moves_everything_and_keeps_the_newer_review(world, users):
    mod, target = world["mod"], world["book"]
    source = moderation_book("The Moderated Book (dup)")
    both = users("both")
    older = moderation_review(both, target, stars="1", body="old on target")
    newer = moderation_review(both, source, stars="5", body="new on duplicate")
    only = users("only")
    moved = moderation_review(only, source, stars="3")
    shelves.set_status(only, source, "reading")
    shelves.set_status(both, target, "read")
    shelves.set_status(both, source, "want_to_read")
    voter = users("voter")
    reviews.toggle_helpful(voter, moved)
    source_id = source.id

    result = merges.merge_books(mod, source, target)

    assert result == {"moved": 2, "conflicts": 1}
    assert db.session.get(Book, source_id) is None
    assert db.session.get(Review, older.id) is None
    kept = db.session.get(Review, newer.id)
    assert kept.book_id == target.id and db.session.get(Review, moved.id).helpful_count == 1
    db.session.refresh(target)
    assert (target.rating_count, target.rating_sum) == (3, 8 + 10 + 6)
    assert db.session.get(ShelfEntry, (only.id, target.id)).status == "reading"
    assert db.session.get(ShelfEntry, (both.id, target.id)).status == "read"
    assert catalog.redirect_for(source_id) == target.id
    assert db.session.get(BookRedirect, source_id).new_id == target.id
    dropped = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "merge_drop_review"))
    assert dropped.target_id == older.id and dropped.before["body"] == "old on target"
    with pytest.raises(ValidationError):
        merges.merge_books(mod, target, target)


def test_edit_book_logs_before_and_after_and_reindexes(world):
    book = world["book"]
    data = catalog.BookData(title="Renamed Volume", authors=["New Person", "A. Writer"])
    catalog.edit_book(world["mod"], book, data)
    assert book.title == "Renamed Volume" and book.author_names == "New Person and A. Writer"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "edit_book"))
    assert (
        entry.before["title"] == "The Moderated Book" and entry.after["title"] == "Renamed Volume"
    )
    assert [b.id for b in catalog.browse("renamed").items] == [book.id]
    other = moderation_book("Other")
    other.isbn13 = "9780306406157"
    db.session.commit()
    with pytest.raises(catalog.DuplicateBook):
        catalog.edit_book(
            world["mod"], book, catalog.BookData(title="X", authors=["Y"], isbn="978-0-306-40615-7")
        )


def test_notices_unread_and_mark_read(world, users):
    reporter = users("reporter")
    reports.report_review(reporter, world["review"], "spam")
    moderation.dismiss(world["mod"], world["review"])
    assert notices.unread_count(reporter) == 1
    assert "found no problem" in notices.notices_for(reporter)[0].message
    assert notices.mark_all_read(reporter) == 1
    assert notices.unread_count(reporter) == 0
    assert db.session.scalar(select(func.count(Notice.id))) == 1


def test_one_suspension_is_one_audit_entry_naming_the_reviews_it_hid(world, users):
    author = world["author"]
    second = moderation_review(author, moderation_book("Another Book"), stars="3")
    before = db.session.scalar(select(func.count(AuditEntry.id)))
    staff.suspend(world["admin"], author, 3, "Spam")
    entries = list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))[before:]
    assert [e.action for e in entries] == ["suspend_user"]
    assert sorted(entries[0].after["hidden_reviews"]) == sorted([world["review"].id, second.id])
    staff.unsuspend(world["mod"], author)
    last = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert last.action == "unsuspend_user"
    assert sorted(last.after["restored_reviews"]) == sorted([world["review"].id, second.id])
    assert db.session.scalar(select(func.count(AuditEntry.id))) == before + 2
