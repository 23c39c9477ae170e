"""Goodreads and StoryGraph imports through the service, on real-looking export files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.factories import make_book, make_review
from webapp.errors import ValidationError
from webapp.extensions import db
from webapp.models import Book, LibraryImport, Read, Review, ShelfEntry
from webapp.services import import_formats, imports, library_imports, recount, shelves, tags

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
    assert orwell.private_notes == "Borrowed from Sam" and orwell.owned_copies == 1
    assert orwell.notes == []
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
    assert piranesi.content_warnings == "Death\nSome violence" and piranesi.owned_copies == 1
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


def test_take_the_files_choice_keeps_the_review_title_the_file_does_not_carry(users):
    """A Goodreads row has a rating and a body but no title: the reader's title stays, and
    undo brings back the old rating and body under it."""
    reader = users("titled")
    book = make_book("Piranesi", authors=("Susanna Clarke",), isbn13="9781635575941")
    make_review(reader, book, stars=2, title="The House", body="Mine.")
    data = goodreads_csv(
        {"Title": "Piranesi", "Author": "Susanna Clarke", "My Rating": "5", "My Review": "Theirs."}
    )
    job = taken_import(reader, data)
    review = db.session.scalar(select(Review).where(Review.user_id == reader.id))
    assert (review.title, review.body, review.rating) == ("The House", "Theirs.", 10)
    library_imports.undo(reader, job)
    db.session.refresh(review)
    assert (review.title, review.body, review.rating) == ("The House", "Mine.", 4)


def test_take_the_files_choice_never_empties_a_review_the_file_has_no_text_for(users):
    """A row with a rating and no review text takes the rating; the reader's written review
    and its spoiler mark stay, and undo brings back the old rating."""
    reader = users("writer")
    book = make_book("Piranesi", authors=("Susanna Clarke",), isbn13="9781635575941")
    make_review(reader, book, stars=2, body="Years of my notes.", spoiler=True)
    data = goodreads_csv({"Title": "Piranesi", "Author": "Susanna Clarke", "My Rating": "5"})
    job = taken_import(reader, data)
    review = db.session.scalar(select(Review).where(Review.user_id == reader.id))
    assert (review.rating, review.body, review.spoiler) == (10, "Years of my notes.", True)
    assert "Years of my notes." in review.body_html
    db.session.refresh(book)
    assert (book.rating_count, book.rating_sum, book.review_count) == (1, 10, 1)
    library_imports.undo(reader, job)
    db.session.refresh(review)
    assert (review.rating, review.body, review.spoiler) == (4, "Years of my notes.", True)


def taken_import(reader, data: bytes) -> LibraryImport:
    """A done "take the file's" import of ``data``, its rows placed here (for undo)."""
    job = LibraryImport(
        user_id=reader.id, kind="goodreads", choice="take_file", filename="x.csv", header=[]
    )
    job.outcomes = [vars(o) for o in place_all(reader, data, imports.TAKE_FILE)]
    job.state = "done"
    db.session.add(job)
    db.session.commit()
    return job


def reviews_rating(reader, book):
    return db.session.scalar(
        select(Review.rating).where(Review.user_id == reader.id, Review.book_id == book.id)
    )


def goodreads_csv(*rows: dict) -> bytes:
    """A Goodreads export of ``rows`` (missing columns empty)."""
    import csv
    import io

    from webapp.services.exports import COLUMNS

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow({"ISBN": '=""', "ISBN13": '=""', "Exclusive Shelf": "read", **row})
    return out.getvalue().encode()


def test_a_chunk_shares_new_books_and_fails_only_its_bad_rows(users):
    reader = users("chunky")
    data = goodreads_csv(
        {"Title": "Piranesi", "Author": "Susanna Clarke", "My Rating": "5"},
        {"Title": "Piranesi (Piranesi, #1)", "Author": "susanna clarke", "Bookshelves": "faves"},
        {"Title": "Long", "Author": "x" * 201},
        {"Title": "Dune", "Author": "Frank Herbert", "ISBN13": '="9780441013593"'},
        {"Title": "Dune (Dune, #1)", "Author": "F. Herbert", "ISBN13": '="9780441013593"'},
    )
    _, rows = import_formats.parse(data)
    outcomes = imports.place_chunk(reader, rows)
    assert [o.kind for o in outcomes] == ["added", "matched", "failed", "added", "unchanged"]
    assert outcomes[0].book_id == outcomes[1].book_id and outcomes[3].book_id == outcomes[4].book_id
    assert "over 200 characters" in outcomes[2].notes[0]
    piranesi = db.session.get(Book, outcomes[0].book_id)
    assert tags.names_for(reader, piranesi) == ["faves"]
    assert reviews_rating(reader, piranesi) == 10
    assert db.session.scalar(select(func.count(Book.id)).where(Book.title.like("%Piranesi%"))) == 1
    assert recount.check() == []


def test_a_chunk_reads_what_it_needs_in_a_fixed_number_of_queries(users, count_queries):
    """SELECTs (and on PostgreSQL every statement: inserts go many rows at a time) do not grow
    with the rows of a chunk."""

    def rows(start: int, n: int):
        return import_formats.parse(
            goodreads_csv(
                *(
                    {
                        "Title": f"Book {i}",
                        "Author": f"Author {i % 3}",
                        "My Rating": "4",
                        "My Review": "Good.",
                        "Bookshelves": "a, b",
                        "Read Count": "2",
                        "Private Notes": "mine",
                    }
                    for i in range(start, start + n)
                )
            )
        )[1]

    reader = users("counted")
    imports.place_chunk(reader, rows(0, 3))  # the authors and the reader's tags exist now
    counts = []
    for start, n in ((100, 3), (200, 12)):
        with count_queries() as statements:
            outcomes = imports.place_chunk(reader, rows(start, n))
        assert {o.kind for o in outcomes} == {"added"}
        selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
        counts.append((len(selects), len(statements)))
    assert counts[0][0] == counts[1][0], counts
    if db.engine.dialect.name == "postgresql":
        assert counts[0][1] == counts[1][1], counts
    assert recount.check() == []


def test_private_fields_follow_the_choice_and_undo(users):
    reader = users("private")
    book = make_book("Piranesi", authors=("Susanna Clarke",), isbn13="9781635575941")
    shelves.set_status(reader, book, "want_to_read")
    shelves.set_private(reader, book, notes="Mine.", owned_copies=0, content_warnings=None)
    data = goodreads_csv(
        {
            "Title": "Piranesi",
            "Author": "Susanna Clarke",
            "Exclusive Shelf": "to-read",
            "Private Notes": "The file's.",
            "Owned Copies": "3",
        }
    )
    (kept,) = place_all(reader, data)
    entry = db.session.get(ShelfEntry, (reader.id, book.id))
    assert (entry.private_notes, entry.owned_copies) == ("Mine.", 3)
    assert any("Kept your own private notes" in n for n in kept.notes)

    job = taken_import(reader, data)
    db.session.refresh(entry)
    assert (entry.private_notes, entry.owned_copies) == ("The file's.", 3)
    library_imports.undo(reader, job)
    entry = db.session.get(ShelfEntry, (reader.id, book.id))
    assert (entry.private_notes, entry.owned_copies, entry.status) == ("Mine.", 3, "want_to_read")
