"""Goodreads and StoryGraph imports through the service, on real-looking export files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.factories import make_book, make_review
from webapp.errors import ValidationError
from webapp.extensions import db
from webapp.models import Book, Read, Review, ShelfEntry
from webapp.services import import_formats, imports, recount, tags

DATA = Path(__file__).parent.parent / "data"
GOODREADS = (DATA / "goodreads_library_export.csv").read_bytes()
STORYGRAPH = (DATA / "storygraph_export.csv").read_bytes()


def test_goodreads_rows_are_understood():
    kind, rows = import_formats.parse(GOODREADS)
    assert kind == "goodreads"
    orwell, expanse, feynman, solitude, untitled, dune = rows
    assert orwell.isbn13 == "9780451524935"
    assert orwell.authors == ["George Orwell", "Erich Fromm"]
    assert orwell.rating == 10 and orwell.status == "read" and orwell.year == 1949
    assert (
        orwell.review
        == "Chilling.\n\nThe *telescreens* and **Newspeak** stay with you.  \nRead it twice."
    )
    assert orwell.tags == ["classics", "favourites"]
    assert orwell.added_on == date(2021, 1, 2)
    assert orwell.reads == [("finished", None, date(2023, 3, 14)), ("finished", None, None)]
    assert any("Private notes" in n for n in orwell.notes)
    assert any("Owned copies" in n for n in orwell.notes)
    assert expanse.isbn13 is None and expanse.status == "reading" and expanse.notes == []
    assert expanse.reads == [("reading", None, None)]
    assert (
        feynman.title == '"Surely You\'re Joking, Mr. Feynman!": Adventures of a Curious Character'
    )
    assert feynman.rating is None and feynman.status == "want_to_read"
    assert feynman.authors == ["Richard P. Feynman", "Ralph Leighton", "Edward Hutchings"]
    assert feynman.publisher == "W. W. Norton & Company, Inc."
    assert solitude.isbn13 is None and any("1234567890" in n for n in solitude.notes)
    assert solitude.status == "did_not_finish" and solitude.spoiler
    assert solitude.reads == [("dnf", None, date(2019, 8, 1))]
    assert (
        solitude.review
        == "Lost track of the Buendías & their names.\n\nMaybe later, with a family tree."
    )
    assert untitled.problem == "The row has no title."
    assert dune.status is None and dune.tags == ["owned-unread"]
    assert dune.review.startswith("First line of a long one.")
    assert "\\# Not a heading" in dune.review and "*Spice*, must flow." in dune.review


def test_storygraph_rows_are_understood():
    kind, rows = import_formats.parse(STORYGRAPH)
    assert kind == "storygraph"
    piranesi, leviathan, fellowship = rows
    assert piranesi.rating == 10 and any("4.75 rounded to 5" in n for n in piranesi.notes)
    assert piranesi.reads == [
        ("finished", date(2023, 5, 1), date(2023, 5, 20)),
        ("finished", date(2021, 2, 3), date(2021, 2, 10)),
    ]
    assert piranesi.tags == ["fantasy", "re-read", "mysterious", "reflective"]
    assert piranesi.review == 'A house of endless halls, and "the Other".'
    assert any("Content warnings" in n for n in piranesi.notes)
    assert leviathan.rating == 9  # 4.25 rounds up to 4.5
    assert fellowship.status == "did_not_finish" and fellowship.format == "audiobook"
    assert fellowship.reads == [("dnf", None, None)]


@pytest.mark.parametrize(
    "data, message",
    [
        (b"Name,Stars\nx,1\n", "Expected Goodreads: Book Id, Title"),
        (b"\xff\xfe", "UTF-8"),
        (b"Title,Authors,ISBN/UID,Read Status,Star Rating\n" + b"a,b,,read,\n" * 50_001, "50,000"),
        (b"x" * (20 * 1024 * 1024 + 1), "20 MB"),
    ],
)
def test_files_it_cannot_take_are_refused(data, message):
    with pytest.raises(ValidationError) as caught:
        import_formats.parse(data)
    assert message in caught.value.message


def place_all(user, data, choice=imports.KEEP_MINE):
    _, rows = import_formats.parse(data)
    return [imports.place(user, row, choice) for row in rows]


def test_goodreads_import_places_everything_and_again_changes_nothing(users):
    reader = users("importer")
    dune = make_book(
        "Dune", authors=("Frank Herbert",), isbn=None
    )  # matched by title: no ISBN on ours
    outcomes = place_all(reader, GOODREADS)
    assert [o.kind for o in outcomes] == ["added", "added", "added", "added", "failed", "matched"]
    assert outcomes[5].book_id == dune.id
    orwell = db.session.get(Book, outcomes[0].book_id)
    assert (orwell.isbn13, orwell.year, orwell.pages) == ("9780451524935", 1949, 328)
    assert [a.name for a in orwell.authors] == ["George Orwell", "Erich Fromm"]
    review = db.session.scalar(
        select(Review).where(Review.user_id == reader.id, Review.book_id == orwell.id)
    )
    assert review.rating == 10 and "<em>telescreens</em>" in review.body_html
    entry = db.session.get(ShelfEntry, (reader.id, orwell.id))
    assert entry.status == "read" and entry.created_at.date() == date(2021, 1, 2)
    assert tags.names_for(reader, orwell) == ["classics", "favourites"]
    assert (
        len(
            db.session.scalars(
                select(Read).where(Read.user_id == reader.id, Read.book_id == orwell.id)
            ).all()
        )
        == 2
    )
    solitude = db.session.get(Book, outcomes[3].book_id)
    assert solitude.isbn13 is None
    assert db.session.get(ShelfEntry, (reader.id, solitude.id)).status == "did_not_finish"
    assert db.session.get(ShelfEntry, (reader.id, dune.id)).status == "want_to_read"
    assert tags.names_for(reader, dune) == ["owned-unread"]
    counts = _counts(reader)

    again = place_all(reader, GOODREADS)
    assert [o.kind for o in again] == ["unchanged"] * 4 + ["failed", "unchanged"]
    assert _counts(reader) == counts
    assert recount.check() == []


def _counts(reader):
    return tuple(
        db.session.scalar(select(func.count()).select_from(model).where(model.user_id == reader.id))
        for model in (Read, Review, ShelfEntry)
    ) + (db.session.scalar(select(func.count(Book.id))),)


def test_storygraph_matches_across_formats_and_keeps_re_reads(users):
    reader = users("sgreader")
    place_all(reader, GOODREADS)
    outcomes = place_all(reader, STORYGRAPH)
    assert [o.kind for o in outcomes] == ["added", "matched", "added"]
    leviathan = db.session.get(Book, outcomes[1].book_id)
    assert leviathan.title == "Leviathan Wakes (The Expanse, #1)"  # series suffix did not block
    # Keep mine: the Goodreads 4 stars and Reading shelf stay, the difference is noted.
    assert reviews_rating(reader, leviathan) == 8
    assert any("Kept your" in n for n in outcomes[1].notes)
    piranesi = db.session.get(Book, outcomes[0].book_id)
    finished = db.session.scalars(
        select(Read.finished_on).where(Read.user_id == reader.id, Read.book_id == piranesi.id)
    ).all()
    assert sorted(finished) == [date(2021, 2, 10), date(2023, 5, 20)]


def test_take_the_files_choice_replaces_rating_and_shelf(users):
    reader = users("taker")
    book = make_book("Piranesi", authors=("Susanna Clarke",), isbn13="9781635575941")
    make_review(reader, book, stars=2)
    outcomes = place_all(reader, STORYGRAPH, imports.TAKE_FILE)
    assert outcomes[0].kind == "matched" and outcomes[0].changed
    assert reviews_rating(reader, book) == 10
    db.session.refresh(book)
    assert (book.rating_count, book.rating_sum) == (1, 10)


def reviews_rating(reader, book):
    return db.session.scalar(
        select(Review.rating).where(Review.user_id == reader.id, Review.book_id == book.id)
    )
