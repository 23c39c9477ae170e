"""A review may be text-only (no rating) or rating-only: NULL is "not rated" everywhere a
rating is counted — the book's kept aggregates, recount, profile and reading stats, exports."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from sqlalchemy import text

from tests.factories import make_book, make_review
from webapp.extensions import db
from webapp.models import Book, LibraryImport
from webapp.models.book import KEPT_AGGREGATES
from webapp.services import (
    archives,
    exports,
    import_formats,
    imports,
    library_imports,
    reads,
    recount,
    reviews,
    stats,
)
from webapp.services import users as profiles
from webapp.services.import_formats import ImportRow
from webapp.services.imports import place
from webapp.services.reads import ReadData


def kept(book: Book) -> dict:
    db.session.refresh(book)
    values = {name: getattr(book, name) for name in KEPT_AGGREGATES}
    return values | {"bayes_score": round(book.bayes_score, 9)}


def agrees(book: Book) -> None:
    assert recount.check([book.id]) == [], "kept numbers differ from a recount"


def test_text_only_review_counts_as_a_review_not_a_rating(app, users):
    book = make_book()
    rated = make_review(users(), book, "4", body="Rated and written.")
    before = kept(book)
    review, created = reviews.save(users(), book, stars="", title="No stars", body="Just words.")
    assert created and review.rating is None and review.stars is None
    after = kept(book)
    assert after == before | {"review_count": 2}  # no rating, sum, histogram or score moved
    assert book.average == 4 and book.histogram[1] == (4, 1)
    assert book.last_reviewed_at is not None
    agrees(book)
    assert rated.rating == 8


def test_edit_from_rated_to_unrated_and_back_equals_a_recount(app, users):
    book = make_book()
    reader = users()
    make_review(users(), book, "2")
    review, _ = reviews.save(reader, book, stars="4.5", body="Loved it.")
    assert (book.rating_count, book.rating_sum, book.stars_5, book.review_count) == (2, 13, 1, 1)
    agrees(book)

    review, created = reviews.save(reader, book, stars=None, body="Loved it, no stars.")
    assert not created and review.rating is None
    assert (book.rating_count, book.rating_sum, book.stars_5, book.review_count) == (1, 4, 0, 1)
    assert book.bayes_score == pytest.approx((3.5 * 10 + 2) / 11)
    agrees(book)

    reviews.save(reader, book, stars="1", body="Changed my mind.")
    assert (book.rating_count, book.rating_sum, book.stars_1, book.review_count) == (2, 6, 1, 1)
    agrees(book)

    reviews.save(reader, book, stars="1")  # words dropped: a rating alone
    assert (book.rating_count, book.review_count) == (2, 0)
    agrees(book)

    reviews.remove(reader, reviews.save(reader, book, stars="", body="Words again.")[0])
    assert (book.rating_count, book.rating_sum, book.review_count) == (1, 4, 0)
    agrees(book)


def test_hidden_text_only_review_and_a_drifted_book_recount(app, users):
    book = make_book()
    review, _ = reviews.save(users(), book, stars="", body="Words only.")
    make_review(users(), book, "3")
    db.session.execute(db.update(Book).values(review_count=5, rating_count=7))
    db.session.commit()
    fixed = {(d.field, d.counted) for d in recount.repair([book.id])}
    assert fixed == {("review_count", 1), ("rating_count", 1)}
    agrees(book)
    assert review.has_text


def test_the_database_refuses_a_review_with_neither(app, users):
    review = make_review(users(), make_book(), "3")
    with pytest.raises(Exception, match="(?i)check"), db.session.begin_nested():
        db.session.execute(
            text("UPDATE reviews SET rating = NULL, body = NULL WHERE id = :id"),
            {"id": review.id},
        )


def test_profile_and_reading_stats_ignore_text_only_reviews(app, users):
    reader = users()
    one, two = make_book("One"), make_book("Two")
    for book in (one, two):
        reads.add(reader, book, ReadData("finished", None, date(2024, 5, 1)))
    make_review(reader, one, "3.5")
    reviews.save(reader, two, stars="", body="No stars for this one.")
    found = profiles.stats_for(reader)
    assert found["count"] == 1 and found["average"] == 3.5
    assert dict(found["histogram"]) == {5: 0, 4: 1, 3: 0, 2: 0, 1: 0}
    year = stats.for_year(reader, 2024)
    assert year.books == 2
    assert year.ratings == [(5, 0), (4, 1), (3, 0), (2, 0), (1, 0)]
    assert profiles.reviews_by(reader).total == 2  # the review is still listed


def test_exports_write_an_empty_rating_for_a_text_only_review(app, users):
    reader = users()
    reviews.save(reader, make_book("Unrated"), stars="", body="Only words.")
    make_review(reader, make_book("Rated"), "3.5")
    rows = {r["Title"]: r for r in csv.DictReader(io.StringIO(exports.library_csv(reader)))}
    assert (rows["Unrated"]["My Rating"], rows["Unrated"]["Colophon Rating"]) == ("0", "")
    assert "Only words." in rows["Unrated"]["My Review"]
    assert (rows["Rated"]["My Rating"], rows["Rated"]["Colophon Rating"]) == ("4", "3.5")
    archive = json.loads(json.dumps(archives.contents(reader), default=str))
    assert sorted(r["rating"] is None for r in archive["reviews"]) == [False, True]


def import_row(rating: int | None, review: str | None) -> ImportRow:
    return ImportRow(
        number=2,
        raw={},
        title="Imported",
        authors=["A. Writer"],
        rating=rating,
        review=review,
        status="read",
    )


def test_an_unrated_imported_review_is_a_text_only_review(app, users):
    reader = users()
    outcome = place(reader, import_row(None, "Read it twice."))
    assert outcome.kind == "added" and outcome.notes == []
    book = db.session.get(Book, outcome.book_id)
    review = reviews.find(reader, book)
    assert review.rating is None and review.body == "Read it twice."
    assert (book.rating_count, book.review_count) == (0, 1)
    agrees(book)
    # The file has no rating to give: a rating the reader has here stays.
    reviews.save(reader, book, stars="4", body="Read it twice.")
    again = place(reader, import_row(None, "Read it twice."))
    assert again.kind == "unchanged"
    assert reviews.find(reader, book).rating == 8
    agrees(book)


def goodreads(**row: str) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=exports.COLUMNS)
    writer.writeheader()
    writer.writerow({"ISBN": '=""', "ISBN13": '=""', "Exclusive Shelf": "read", **row})
    return out.getvalue().encode()


STORYGRAPH = (
    b"Title,Authors,ISBN/UID,Read Status,Star Rating,Review\n"
    b"Circe,Madeline Miller,,read,,Witchy and <b>wise</b>.\n"
)


def test_goodreads_my_rating_0_and_storygraph_blank_stars_with_a_review_are_text_only(app, users):
    reader = users()
    gr = goodreads(Title="Piranesi", Author="Susanna Clarke", **{"My Rating": "0"})
    gr_text = goodreads(
        Title="Piranesi", Author="Susanna Clarke", **{"My Rating": "0", "My Review": "Halls."}
    )
    (_, (bare,)), (_, (row,)), (_, (circe,)) = map(import_formats.parse, (gr, gr_text, STORYGRAPH))
    assert (bare.rating, bare.review) == (None, None)
    assert (row.rating, row.review) == (None, "Halls.")
    assert (circe.rating, circe.review) == (None, "Witchy and **wise**.")
    for one in (row, circe):
        outcome = place(reader, one)
        assert outcome.notes == [], outcome.notes
        book = db.session.get(Book, outcome.book_id)
        review = reviews.find(reader, book)
        assert review.rating is None and review.body == one.review
        assert (book.rating_count, book.rating_sum, book.review_count) == (0, 0, 1)
        agrees(book)
    assert place(reader, bare).kind == "unchanged"  # no rating, no review: nothing to place


def test_undoing_an_import_brings_a_text_only_review_back(app, users):
    reader = users()
    book = make_book("Piranesi", authors=("Susanna Clarke",))
    reviews.save(reader, book, stars="", body="Mine, no stars.")
    data = goodreads(Title="Piranesi", Author="Susanna Clarke", **{"My Rating": "4"})
    job = LibraryImport(
        user_id=reader.id, kind="goodreads", choice="take_file", filename="x.csv", header=[]
    )
    _, rows = import_formats.parse(data)
    job.outcomes = [vars(imports.place(reader, r, imports.TAKE_FILE)) for r in rows]
    job.state = "done"
    db.session.add(job)
    db.session.commit()
    review = reviews.find(reader, book)
    # The file's rating is taken; it has no text, so hers stays (it is never emptied).
    assert (review.rating, review.body) == (8, "Mine, no stars.")
    assert (book.rating_count, book.review_count) == (1, 1)
    agrees(book)
    library_imports.undo(reader, job)
    review = reviews.find(reader, book)
    assert (review.rating, review.body) == (None, "Mine, no stars.")
    db.session.refresh(book)
    assert (book.rating_count, book.review_count) == (0, 1)
    agrees(book)
