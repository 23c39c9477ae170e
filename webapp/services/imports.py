"""Place a Goodreads or StoryGraph export on a reader's shelves, a chunk of rows at a time:
match or add each book (``import_books``), then shelf, reads, tags, the reader's private
fields and rating/review. Idempotent: placing the same rows again changes nothing.

A chunk is one transaction with a fixed number of statements (a few IN queries to read what
the reader has, bulk inserts, one executemany for the books' aggregates), so 10,000 rows take
seconds, not minutes. The kept aggregates move as ``reviews.save`` moves them: under the
reader's and the books' row locks (services.locks), by increments applied to the stored row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload

from webapp import markdown
from webapp.errors import DomainError, NotFound, ValidationError
from webapp.extensions import db
from webapp.models import Book, Read, Review, ShelfEntry, ShelfTag, User, utcnow
from webapp.models.book import bayesian_score
from webapp.services import import_books, import_shelves, locks, reviews, versions
from webapp.services.import_formats import ImportRow
from webapp.services.import_shelves import Library
from webapp.services.reviews import MAX_BODY

KEEP_MINE = import_shelves.KEEP_MINE
TAKE_FILE = import_shelves.TAKE_FILE
CHOICES = {KEEP_MINE: "Keep what I have on Colophon", TAKE_FILE: "Take the file's"}


@dataclass
class Outcome:
    """What happened to one row: ``kind`` is matched, added, unchanged or failed."""

    number: int
    kind: str
    book_id: int | None = None
    changed: bool = False
    notes: list[str] = field(default_factory=list)
    undo: dict = field(default_factory=dict)  # what undoing the import must reverse

    @property
    def partial(self) -> bool:
        return self.kind == "failed" or bool(self.notes)


# Called with a transaction's rows and their outcomes just before it commits.
Record = Callable[[list[ImportRow], list[Outcome]], None]


def place_review(
    user: User, book_id: int, row: ImportRow, choice: str, have: Library, undo: dict
) -> tuple | None:
    """Create or change the reader's review from the row; returns (old, new) tallies for the
    book's aggregates, or None when nothing changed.

    A row without a rating (Goodreads' "My Rating" 0) but with a review becomes a text-only
    review; it leaves a rating the reader already has here as it is (the file has none to give).
    Likewise a row with a rating and no review text leaves the reader's written review (and its
    spoiler mark) as it is: taking the file's never empties a review the file says nothing of.
    """
    mine = have.reviews.get(book_id)
    body = row.review or None
    if body and len(body) > MAX_BODY:
        kept = "only the rating was kept" if row.rating is not None else "it was not kept"
        row.notes.append(f"The review is over {MAX_BODY:,} characters; {kept}.")
        body = None
    rating = row.rating if row.rating is not None else (mine.rating if mine else None)
    if rating is None and body is None:
        return None
    if body is None and mine is not None and mine.body:
        wanted = (rating, mine.body, mine.spoiler)
    else:
        wanted = (rating, body, bool(row.spoiler and body))
    body = wanted[1]
    if mine is not None and (mine.rating, mine.body, mine.spoiler) == wanted:
        return None
    if mine is not None and choice == KEEP_MINE:
        row.notes.append("Kept your own rating and review; the file's differ.")
        return None
    undo["review"] = (
        None
        if mine is None
        else {"rating": mine.rating, "body": mine.body, "spoiler": mine.spoiler}
    )
    old = None if mine is None or mine.is_hidden else reviews.tally(mine)
    # The file carries no review title: a title the reader gave stays (None for a new one).
    fields = {
        "rating": rating,
        "body": body,
        "body_html": markdown.render(body),
        "spoiler": wanted[2],
    }
    if mine is None:
        mine = have.reviews[book_id] = Review(user_id=user.id, book_id=book_id, **fields)
        db.session.add(mine)
    else:
        for name, value in fields.items():
            setattr(mine, name, value)
        mine.updated_at = utcnow()
    _shelve_as_read(user, book_id, have, undo)
    # A hidden review stays hidden when changed, and out of the aggregates.
    return None if mine.is_hidden else (old, reviews.Tally(rating, bool(body)))


def _shelve_as_read(user: User, book_id: int, have: Library, undo: dict) -> None:
    """Rating a book shelves it as Read with one finished read, as ``reviews.save`` does."""
    if book_id in have.entries:
        return
    have.entries[book_id] = ShelfEntry(user_id=user.id, book_id=book_id, status="read")
    db.session.add(have.entries[book_id])
    undo["entry_created"] = True
    if not have.reads[book_id]:
        read = Read(user_id=user.id, book_id=book_id, status="finished")
        db.session.add(read)
        have.reads[book_id].append(read)
        have.new_reads.append((undo, read))


def apply_tallies(moves: list[tuple[int, reviews.Tally | None, reviews.Tally | None]]) -> None:
    """Move each book's kept aggregates by the chunk's changes, in one executemany of
    increments on the stored rows (the caller holds the books' locks)."""
    deltas: dict[int, dict] = {}
    for book_id, old, new in moves:
        d = deltas.setdefault(book_id, dict.fromkeys(("dc", "ds", "dr", *reviews.BUCKETS), 0))
        for key, n in reviews.deltas(old, new).items():
            d[key] += n
    if not deltas:
        return
    count = Book.rating_count + bindparam("dc")
    total = Book.rating_sum + bindparam("ds")
    values = {
        "rating_count": count,
        "rating_sum": total,
        "review_count": Book.review_count + bindparam("dr"),
        "bayes_score": bayesian_score(count, total / 2.0),
        "last_reviewed_at": bindparam("now"),
    }
    for n in range(1, 6):
        column = getattr(Book, f"stars_{n}")
        values[column.key] = column + bindparam(f"d{n}")
    statement = update(Book.__table__).where(Book.__table__.c.id == bindparam("b_id"))
    now = utcnow()
    params = [{"b_id": book_id, "now": now, **d} for book_id, d in sorted(deltas.items())]
    db.session.execute(statement.values(values), params)
    versions.touch(book=list(deltas))


def place_chunk(
    user: User, rows: list[ImportRow], choice: str = KEEP_MINE, record: Record | None = None
) -> list[Outcome]:
    """Place ``rows`` for ``user`` in one transaction, committed. Never raises for bad data:
    a row that cannot be placed comes back failed with the reason. Should the chunk fail as a
    whole (a book merged away meanwhile), each row is placed on its own.

    ``record(rows, outcomes)`` runs inside every transaction just before its commit, so what
    it writes (an import's progress) is committed with exactly the rows it describes."""
    before = [(list(row.notes), row.problem) for row in rows]
    try:
        return _place_chunk(user, rows, choice, record)
    except (ValidationError, DomainError, IntegrityError) as error:
        db.session.rollback()
        for row, (notes, problem) in zip(rows, before, strict=True):
            row.notes, row.problem = notes, problem
        if len(rows) == 1:
            row = rows[0]
            outcome = Outcome(row.number, "failed", notes=[_reason(error), *row.notes])
            if record is not None:
                record(rows, [outcome])
                db.session.commit()
            return [outcome]
    return [outcome for row in rows for outcome in place_chunk(user, [row], choice, record)]


def _reason(error: Exception) -> str:
    if isinstance(error, IntegrityError):
        return "The book changed in the catalogue while it was placed; import the row again."
    return str(error)


def _place_chunk(
    user: User, rows: list[ImportRow], choice: str, record: Record | None
) -> list[Outcome]:
    if not locks.lock_reader(user.id):
        raise NotFound("Your account no longer exists.")
    good = [row for row in rows if not row.problem]
    books = import_books.resolve(user, good)
    have = import_shelves.load(
        user, {book_id for book_id, _ in books.values() if book_id is not None}
    )
    placed: list[tuple[ImportRow, int, str, dict, bool]] = []
    for row in good:
        book_id, kind = books[row.number]
        if book_id is None:
            row.problem = kind
            continue
        undo: dict = {}
        changed = import_shelves.place_shelf(user, book_id, row, choice, have, undo)
        placed.append((row, book_id, kind, undo, changed))
    db.session.flush()  # entries, tags and reads have ids now
    for undo, book_id, tag in have.new_links:
        db.session.add(ShelfTag(user_id=user.id, book_id=book_id, tag_id=tag.id))
        undo.setdefault("tags", []).append(tag.id)
    for book_id in have.follow:
        import_shelves.follow_reads(have, book_id)
    rated = sorted({b for row, b, *_ in placed if row.rating is not None or row.review})
    if rated:
        locks.lock_books(rated)  # reader, then books by id (services.locks), then their reviews
        for review in db.session.scalars(
            select(Review)
            .options(lazyload(Review.book), lazyload(Review.user))
            .where(Review.user_id == user.id, Review.book_id.in_(rated))
            .execution_options(populate_existing=True)
        ):
            have.reviews[review.book_id] = review
    moves = []
    outcomes = {}
    for row, book_id, kind, undo, changed in placed:
        move = place_review(user, book_id, row, choice, have, undo)
        if move is not None:
            moves.append((book_id, *move))
        changed = changed or "review" in undo
        if kind == "matched" and not changed:
            kind = "unchanged"
        outcomes[row.number] = Outcome(
            row.number, kind, book_id, changed or kind == "added", list(row.notes), undo
        )
    db.session.flush()
    for undo, read in have.new_reads:
        undo.setdefault("reads", []).append(read.id)
    apply_tallies(moves)
    placed_outcomes = [
        outcomes.get(row.number)
        or Outcome(row.number, "failed", notes=[row.problem or "", *row.notes])
        for row in rows
    ]
    if record is not None:
        record(rows, placed_outcomes)
    db.session.commit()
    return placed_outcomes


def place(user: User, row: ImportRow, choice: str = KEEP_MINE) -> Outcome:
    """One row (a chunk of one)."""
    return place_chunk(user, [row], choice)[0]
