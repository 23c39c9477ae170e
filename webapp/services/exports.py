"""A reader's library as a Goodreads "Export Library" CSV: the columns Goodreads, StoryGraph,
BookWyrm and our own importer read.

The format holds one date read (the latest) and a read count, whole-star ratings ("My Rating"
rounds half stars up, as Goodreads itself only knows whole stars), and the review as HTML.
Two columns of our own follow Goodreads' (other importers ignore them, ours prefers them):
"Colophon Rating" with the half stars ("3.5") and "Content Warnings". A review without a
rating writes "My Rating" 0, Goodreads' own "not rated", and an empty "Colophon Rating".
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Read, Review, ShelfEntry, User
from webapp.services import tags
from webapp.services.reviews import bucket

COLUMNS = [
    "Book Id", "Title", "Author", "Author l-f", "Additional Authors", "ISBN", "ISBN13",
    "My Rating", "Average Rating", "Publisher", "Binding", "Number of Pages", "Year Published",
    "Original Publication Year", "Date Read", "Date Added", "Bookshelves",
    "Bookshelves with positions", "Exclusive Shelf", "My Review", "Spoiler", "Private Notes",
    "Read Count", "Owned Copies", "Colophon Rating", "Content Warnings",
]  # fmt: skip
EXCLUSIVE = {
    "read": "read",
    "reading": "currently-reading",
    "want_to_read": "to-read",
    "did_not_finish": "did-not-finish",
}
BINDING = {
    "paperback": "Paperback",
    "hardcover": "Hardcover",
    "ebook": "ebook",
    "audiobook": "Audiobook",
}


def isbn10(isbn13: str | None) -> str:
    if not isbn13 or not isbn13.startswith("978"):
        return ""
    body = isbn13[3:12]
    check = (11 - sum((10 - i) * int(d) for i, d in enumerate(body)) % 11) % 11
    return body + ("X" if check == 10 else str(check))


def last_first(name: str) -> str:
    parts = name.rsplit(" ", 1)
    return f"{parts[1]}, {parts[0]}" if len(parts) == 2 else name


def _by_book(query) -> dict[int, list]:
    grouped = defaultdict(list)
    for book_id, value in db.session.execute(query):
        grouped[book_id].append(value)
    return grouped


def rows_for(user: User) -> list[dict[str, str]]:
    """One row per shelved book (a fixed number of queries, however big the library)."""
    entries = db.session.scalars(
        select(ShelfEntry).where(ShelfEntry.user_id == user.id).order_by(ShelfEntry.created_at)
    ).all()
    reviews = {
        r.book_id: r for r in db.session.scalars(select(Review).where(Review.user_id == user.id))
    }
    reads = _by_book(select(Read.book_id, Read).where(Read.user_id == user.id))
    tagged = tags.names_by_book(user)
    return [_row(e, reviews.get(e.book_id), reads[e.book_id], tagged[e.book_id]) for e in entries]


def _row(entry: ShelfEntry, review: Review | None, reads: list[Read], tags: list[str]) -> dict:
    book = entry.book
    names = [a.name for a in book.authors]
    finished = sorted((r.finished_on for r in reads if r.finished_on), reverse=True)
    fmt = next((r.format for r in reads if r.format), None)
    shelves = ", ".join(tags)
    return {
        "Book Id": str(book.id),
        "Title": book.title,
        "Author": names[0] if names else "",
        "Author l-f": last_first(names[0]) if names else "",
        "Additional Authors": ", ".join(names[1:]),
        "ISBN": f'="{isbn10(book.isbn13)}"',
        "ISBN13": f'="{book.isbn13 or ""}"',
        "My Rating": str(bucket(review.rating)) if review and review.rating else "0",
        "Average Rating": f"{book.average:.2f}" if book.average else "0",
        "Publisher": book.publisher or "",
        "Binding": BINDING.get(fmt, ""),
        "Number of Pages": str(book.pages or ""),
        "Year Published": str(book.year or ""),
        "Original Publication Year": str(book.year or ""),
        "Date Read": finished[0].strftime("%Y/%m/%d") if finished else "",
        "Date Added": entry.created_at.strftime("%Y/%m/%d"),
        "Bookshelves": shelves,
        "Bookshelves with positions": shelves,
        "Exclusive Shelf": EXCLUSIVE[entry.status],
        "My Review": review.body_html if review and review.body_html else "",
        "Spoiler": "true" if review and review.spoiler else "false",
        "Private Notes": entry.private_notes or "",
        "Read Count": str(sum(r.status == "finished" for r in reads)),
        "Owned Copies": str(entry.owned_copies),
        "Colophon Rating": f"{review.stars:g}" if review and review.rating else "",
        "Content Warnings": entry.content_warnings or "",
    }


def library_csv(user: User) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows_for(user))
    return out.getvalue()
