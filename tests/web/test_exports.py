"""Export library (CSV): Goodreads columns, and a round trip Colophon → CSV → a fresh account
that loses nothing the format holds."""

from __future__ import annotations

import csv
import io
from datetime import date

from sqlalchemy import select

from tests.factories import make_book
from webapp.extensions import db
from webapp.models import Read, Review, ShelfEntry
from webapp.services import exports, import_formats, imports, recount, reviews, shelves, tags
from webapp.services import reads as read_service
from webapp.services.exports import COLUMNS
from webapp.services.reads import ReadData


def library(user) -> dict:
    """What the Goodreads format can hold of a reader's library, keyed by book id."""
    entries = db.session.scalars(select(ShelfEntry).where(ShelfEntry.user_id == user.id))
    out = {}
    for entry in entries:
        review = db.session.scalar(
            select(Review).where(Review.user_id == user.id, Review.book_id == entry.book_id)
        )
        reads = db.session.scalars(
            select(Read).where(Read.user_id == user.id, Read.book_id == entry.book_id)
        ).all()
        out[entry.book_id] = (
            entry.status,
            entry.created_at.date(),
            review and (review.rating, review.body_html, review.spoiler),
            tags.names_for(user, entry.book),
            sorted(r.status for r in reads),
            max((r.finished_on for r in reads if r.finished_on), default=None),
            (entry.private_notes, entry.owned_copies, entry.content_warnings),
        )
    return out


def test_export_round_trips_into_a_fresh_account(web, auth, users):
    reader, fresh = users("exporter"), users("newcomer")
    dune = make_book("Dune", authors=("Frank Herbert", "Brian Herbert"), pages=658, year=1965)
    loose = make_book("Zine, No. 3", authors=('Ann "Quoted" Author',), isbn=None)
    later = make_book("Piranesi", authors=("Susanna Clarke",))
    dropped = make_book("Ulysses", authors=("James Joyce",))
    read_service.add(reader, dune, ReadData("finished", date(2020, 1, 1), date(2020, 2, 1)))
    read_service.add(reader, dune, ReadData("finished", None, date(2024, 3, 1), "ebook"))
    reviews.save(reader, dune, stars="4.5", body="Sand.\n\nMuch *sand*, **spice**.", spoiler=True)
    tags.set_for_book(reader, dune, "favourites, book club 2025")
    shelves.set_status(reader, loose, "reading")
    shelves.set_status(reader, later, "want_to_read")
    shelves.set_status(reader, dropped, "did_not_finish", finished_on=date(2023, 7, 9))
    shelves.set_private(
        reader,
        dune,
        notes='Lent to Sam,\nback in "May".',
        owned_copies=2,
        content_warnings="Violence\nDrug use",
    )

    auth.login("exporter")
    response = web.client.get("/account/export/library.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0].keys()) == COLUMNS
    by_title = {r["Title"]: r for r in rows}
    assert by_title["Dune"]["ISBN13"] == f'="{dune.isbn13}"'
    # Goodreads' column holds whole stars (half up); ours keeps the half.
    assert (by_title["Dune"]["My Rating"], by_title["Dune"]["Colophon Rating"]) == ("5", "4.5")
    assert (by_title["Dune"]["Private Notes"], by_title["Dune"]["Owned Copies"]) == (
        'Lent to Sam,\nback in "May".',
        "2",
    )
    assert by_title["Dune"]["Read Count"] == "2" and by_title["Dune"]["Date Read"] == "2024/03/01"
    assert by_title["Zine, No. 3"]["ISBN13"] == '=""'

    _, parsed = import_formats.parse(text.encode())
    outcomes = [imports.place(fresh, row) for row in parsed]
    assert {o.kind for o in outcomes} == {"matched"}
    mine, theirs = library(reader), library(fresh)
    assert theirs.keys() == mine.keys()
    assert mine[dune.id][2][0] == 9 and "<em>sand</em>" in mine[dune.id][2][1]
    assert (
        mine[dune.id][3] == ["book club 2025", "favourites"]
        and mine[dropped.id][0] == "did_not_finish"
    )
    assert mine[dune.id][6] == (
        'Lent to Sam,\nback in "May".',
        2,
        "Violence\nDrug use",
    )
    for book_id, (status, added, review, names, statuses, last, private) in mine.items():
        other = theirs[book_id]
        assert other[:4] == (status, added, review, names), book_id
        assert (other[5], other[6]) == (last, private)
        # Read count and the latest date survive; a read in progress returns as one.
        assert sorted(s for s in other[4] if s != "reading") == sorted(
            s for s in statuses if s != "reading"
        )
    assert recount.check() == []


def test_goodreads_only_columns_keep_whole_stars(users):
    """A file without our "Colophon Rating" (Goodreads' own, or edited) reads "My Rating"."""
    reader = users("wholestars")
    book = make_book("Dune", authors=("Frank Herbert",))
    reviews.save(reader, book, stars="3.5")
    rows = exports.rows_for(reader)
    assert (rows[0]["My Rating"], rows[0]["Colophon Rating"]) == ("4", "3.5")
    del rows[0]["Colophon Rating"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[c for c in COLUMNS if c != "Colophon Rating"])
    writer.writeheader()
    writer.writerows(rows)
    _, (row,) = import_formats.parse(out.getvalue().encode())
    assert row.rating == 8


def test_export_runs_a_fixed_number_of_queries(users, count_queries):
    from webapp.services import exports

    reader = users("counted")
    reviews.save(reader, make_book("One", authors=("A",)), stars="4", body="First.")
    db.session.expire_all()
    with count_queries() as few:
        exports.library_csv(reader)
    for n in range(5):
        book = make_book(f"More {n}", authors=("B", "C"))
        reviews.save(reader, book, stars="3", body=f"Review {n}")
        tags.set_for_book(reader, book, f"tag{n}")
    db.session.expire_all()
    with count_queries() as many:
        assert exports.library_csv(reader).count("\n") >= 7
    assert len(many) == len(few), many
