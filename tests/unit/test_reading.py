"""Reads, shelving, progress, tags, goals and stats through the services, on both databases."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import make_book, make_review
from webapp.errors import ValidationError
from webapp.extensions import db
from webapp.models import ProgressUpdate, Read, ShelfEntry, ShelfTag, Tag
from webapp.services import goals, reads, shelves, stats, tags
from webapp.services.reads import ReadData


@pytest.fixture
def reader(users):
    return users("bookworm")


@pytest.fixture
def book(app):
    return make_book("The Long Walk Home", authors=("Ann Author",), pages=300)


def status(user, book) -> str | None:
    return shelves.status_of(user, book)


def test_shelving_starts_and_finishes_one_read(reader, book):
    shelves.set_status(reader, book, "reading")
    (read,) = reads.reads_of(reader, book)
    assert (read.status, read.started_on, read.finished_on) == ("reading", reads.today(), None)
    shelves.set_status(reader, book, "reading")  # no second open read
    assert len(reads.reads_of(reader, book)) == 1
    shelves.set_status(reader, book, "read", finished_on=reads.today())
    (read,) = reads.reads_of(reader, book)
    assert (read.status, read.finished_on, read.percent) == ("finished", reads.today(), 100)
    shelves.set_status(reader, book, "read")  # already read: nothing new
    assert len(reads.reads_of(reader, book)) == 1
    # A re-read: reading again opens a second read; the summary counts finished ones.
    shelves.set_status(reader, book, "reading")
    shelves.set_status(reader, book, "did_not_finish", finished_on=None)
    both = reads.reads_of(reader, book)
    assert sorted(r.status for r in both) == ["dnf", "finished"]
    assert reads.summary(both) == reads.ReadSummary(1, reads.today())


def test_shelving_read_with_a_future_date_is_refused(reader, book):
    with pytest.raises(ValidationError) as error:
        shelves.set_status(reader, book, "read", finished_on=reads.today() + timedelta(days=2))
    assert error.value.field == "finished_on"
    db.session.rollback()
    assert status(reader, book) is None and reads.reads_of(reader, book) == []


def test_reads_move_the_shelf_and_check_their_dates(reader, book):
    day = date(2024, 3, 12)
    first = reads.add(reader, book, ReadData("finished", date(2024, 3, 1), day, "ebook"))
    assert status(reader, book) == "read"
    reads.add(reader, book, ReadData("finished", None, date(2021, 5, 2)))
    assert reads.summary(reads.reads_of(reader, book)) == reads.ReadSummary(2, day)
    current = reads.add(reader, book, ReadData("reading", day, None))
    assert status(reader, book) == "reading"
    # The read in progress first, then the latest finish; unknown dates last.
    assert [r.id for r in reads.reads_of(reader, book)][:2] == [current.id, first.id]
    reads.remove(reader, current)
    assert status(reader, book) == "read"
    bad = [
        (ReadData("finished", day, day - timedelta(days=1)), "finished_on"),
        (ReadData("reading", None, day), "finished_on"),
        (ReadData("skimmed"), "status"),
        (ReadData("finished", None, None, "scroll"), "format"),
        (ReadData("finished", reads.today() + timedelta(days=1)), "started_on"),
    ]
    for data, field in bad:
        with pytest.raises(ValidationError) as error:
            reads.update(reader, first, data)
        assert error.value.field == field
        db.session.rollback()


def test_rating_a_book_records_one_finished_read(reader, book):
    make_review(reader, book, "4")
    make_review(reader, book, "5")
    (read,) = reads.reads_of(reader, book)
    assert (read.status, read.finished_on) == ("finished", None)


def test_progress_by_page_or_percent_with_a_note(reader, book):
    shelves.set_status(reader, book, "reading")
    (read,) = reads.reads_of(reader, book)
    reads.record_progress(reader, read, "150", "", "  Halfway,   and  gripped ")
    assert (read.progress_page, read.progress_percent) == (150, 50)
    reads.record_progress(reader, read, "", "75%", None)
    assert (read.progress_page, read.progress_percent) == (225, 75)
    notes = reads.progress_notes(read)
    assert [(n.percent, n.note) for n in notes] == [(75, None), (50, "Halfway, and gripped")]
    for page, percent, note, field in [
        ("301", "", "", "page"),
        ("x", "", "", "page"),
        ("", "101", "", "percent"),
        ("²", "", "", "page"),
        ("", "٣", "", "percent"),
        ("", "", "", "page"),
        ("10", "", "n" * 281, "note"),
    ]:
        with pytest.raises(ValidationError) as error:
            reads.record_progress(reader, read, page, percent, note)
        assert error.value.field == field
        db.session.rollback()
    assert db.session.scalar(select(func.count(ProgressUpdate.id))) == 2


def test_tags_set_rename_merge_delete(reader, book, users):
    other_book = make_book("Second", pages=100)
    with pytest.raises(ValidationError):
        tags.set_for_book(reader, book, "favourites")  # not on a shelf yet
    db.session.rollback()
    shelves.set_status(reader, book, "want_to_read")
    shelves.set_status(reader, other_book, "read")
    assert tags.set_for_book(reader, book, "Favourites, book club 2025, favourites") == [
        "book club 2025",
        "Favourites",
    ]
    tags.set_for_book(reader, other_book, "faves, Favourites")
    counts = {t.name: n for t, n in tags.tags_of(reader)}
    assert counts == {"book club 2025": 1, "Favourites": 2, "faves": 1}
    by_name = {t.name: t for t, _ in tags.tags_of(reader)}
    with pytest.raises(ValidationError):
        tags.rename(reader, by_name["faves"], "FAVOURITES")
    db.session.rollback()
    tags.merge(reader, by_name["faves"], by_name["Favourites"].id)
    assert {t.name: n for t, n in tags.tags_of(reader)} == {"book club 2025": 1, "Favourites": 2}
    tags.rename(reader, by_name["Favourites"], "Loved")
    assert tags.names_for(reader, other_book) == ["Loved"]
    tags.remove(reader, by_name["Favourites"])
    assert tags.names_for(reader, other_book) == []
    # Taking a book off the shelves takes its tags with it; someone else's tags are apart.
    shelves.set_status(reader, book, "")
    assert db.session.scalar(select(func.count()).select_from(ShelfTag)) == 0
    assert db.session.scalar(select(func.count(Tag.id))) == 1


def test_goal_progress_ahead_and_behind(reader, book):
    goals.set_goal(reader, 2024, "books", "12")
    for day in (date(2024, 1, 10), date(2024, 2, 10), date(2024, 3, 1)):
        reads.add(reader, book, ReadData("finished", None, day))
    standing = goals.progress(reader, 2024, on=date(2024, 3, 31))  # 91 of 366 days: 3 expected
    assert (standing.done, standing.expected, standing.ahead_by, standing.percent) == (3, 3, 0, 25)
    assert goals.progress(reader, 2024, on=date(2024, 1, 31)).ahead_by == 2
    goals.set_goal(reader, 2024, "pages", "600")
    assert goals.progress(reader, 2024, on=date(2024, 12, 31)).done == 900
    with pytest.raises(ValidationError):
        goals.set_goal(reader, 2024, "chapters", "3")


def test_year_stats_from_aggregates(reader, users):
    long_book = make_book("Long", authors=("Zed Writer",), pages=800)
    short_book = make_book("Short", authors=("Ann Author", "Bo Helper"), pages=90)
    unknown = make_book("Unknown length", authors=("Ann Author",))
    reads.add(
        reader, long_book, ReadData("finished", date(2024, 1, 1), date(2024, 1, 10), "hardcover")
    )
    reads.add(reader, short_book, ReadData("finished", date(2024, 3, 1), date(2024, 3, 2), "ebook"))
    reads.add(reader, unknown, ReadData("finished", None, date(2024, 3, 20)))
    reads.add(reader, short_book, ReadData("finished", None, date(2023, 6, 1)))
    reads.add(reader, short_book, ReadData("dnf", None, date(2024, 4, 1)))
    make_review(reader, long_book, "4.5")
    make_review(reader, short_book, "2")
    make_review(reader, make_book("Rated only", pages=50), "3")  # a finished read, no date
    year = stats.for_year(reader, 2024)
    assert (year.books, year.pages) == (3, 890)
    assert year.months[0] == ("Jan", 1, 800) and year.months[2] == ("Mar", 2, 90)
    assert year.years == [(2023, 1, 90), (2024, 3, 890)]
    assert year.undated == 1  # the finished read recorded by rating, date unknown
    assert year.ratings == [(5, 1), (4, 0), (3, 0), (2, 1), (1, 0)]
    assert [(name, n) for _, name, n in year.authors] == [
        ("Ann Author", 2),
        ("Bo Helper", 1),
        ("Zed Writer", 1),
    ]
    assert dict(year.formats) == {
        "Paperback": 0,
        "Hardcover": 1,
        "Ebook": 1,
        "Audiobook": 0,
        "Not recorded": 1,
    }
    assert (year.average_pages, year.pace_days, year.paced) == (445, 6.0, 2)
    assert (year.longest.title, year.shortest.title) == ("Long", "Short")
    assert [r.book.title for r in stats.finished_reads(reader, 2024)] == [
        "Long",
        "Short",
        "Unknown length",
    ]
    empty = stats.for_year(reader, 2019)
    assert (empty.books, empty.longest, empty.pace_days, empty.average_pages) == (
        0,
        None,
        None,
        None,
    )
    assert db.session.scalar(select(func.count(ShelfEntry.book_id))) == 4
    assert db.session.scalar(select(func.count(Read.id))) == 6
