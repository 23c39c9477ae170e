"""Folding a duplicate book into the one that stays (staff)."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from webapp import permissions, search
from webapp.errors import NotAllowed, NotFound, ValidationError
from webapp.extensions import db
from webapp.models import Book, BookRedirect, Read, Review, ShelfEntry, User
from webapp.services import catalog, locks, recount, tags
from webapp.services.audit import audit, review_snapshot


def merge_books(actor: User, source: Book, target: Book) -> dict:
    """Fold duplicate ``source`` into ``target``; returns counts of what moved.

    Reviews (with their votes and reports), ratings and shelves move. Where one reader reviewed
    both, the newer review is kept and the other is recorded in the log and deleted. The old
    id redirects to ``target``; aggregates are rebuilt from the reviews.
    """
    if not permissions.can_merge_books(actor):
        raise NotAllowed("Only staff merge books.")
    if source.id == target.id:
        raise ValidationError("target_id", "Choose a different book to merge into.")
    source_id, target_id = source.id, target.id
    # Both books, then all their reviews: no review can arrive, change or go meanwhile.
    if len(locks.lock_books([target_id], delete=[source_id])) < 2:
        raise NotFound("One of the books was merged or deleted meanwhile.")
    both = select(Review.id).where(Review.book_id.in_([source_id, target_id]))
    locks.lock_reviews(db.session.scalars(both), delete=True)
    fresh = select(Review).execution_options(populate_existing=True)
    theirs = {r.user_id: r for r in db.session.scalars(fresh.where(Review.book_id == target_id))}
    moved = conflicts = 0
    for review in list(db.session.scalars(fresh.where(Review.book_id == source_id))):
        other = theirs.get(review.user_id)
        if other is not None:
            conflicts += 1
            newer, older = (
                (review, other)
                if (review.updated_at, review.id) > (other.updated_at, other.id)
                else (other, review)
            )
            audit(
                actor,
                "merge_drop_review",
                "review",
                older.id,
                before=review_snapshot(older),
                after={"merged_into": target_id, "kept_review": newer.id},  # for the log's words
            )
            db.session.delete(older)
            db.session.flush()
            if newer is other:
                continue
        db.session.execute(
            update(Review)
            .where(Review.id == review.id)
            .values(book_id=target_id)
            .execution_options(synchronize_session=False)
        )
        moved += 1
    _move_shelves(source_id, target_id)
    db.session.execute(
        update(BookRedirect)
        .where(BookRedirect.new_id == source_id)
        .values(new_id=target_id)
        .execution_options(synchronize_session=False)
    )
    db.session.add(BookRedirect(old_id=source_id, new_id=target_id))
    audit(
        actor,
        "merge_books",
        "book",
        source_id,
        before=catalog.book_snapshot(source),
        after={"merged_into": target_id, "reviews_moved": moved, "conflicts": conflicts},
    )
    search.remove_book(source_id)
    db.session.expire_all()
    db.session.delete(db.session.get(Book, source_id))
    db.session.flush()
    recount.repair([target_id])  # commits
    return {"moved": moved, "conflicts": conflicts}


def _move_shelves(source_id: int, target_id: int) -> None:
    """Shelf entries move to the kept book; a reader who shelved both keeps the kept book's."""
    shelved = set(
        db.session.scalars(select(ShelfEntry.user_id).where(ShelfEntry.book_id == target_id))
    )
    # Reads all move; a reader's tags on a duplicate shelf entry join the kept entry's, and
    # the entries that move take theirs along (ON UPDATE CASCADE).
    db.session.execute(
        update(Read)
        .where(Read.book_id == source_id)
        .values(book_id=target_id)
        .execution_options(synchronize_session=False)
    )
    tags.move_book(source_id, target_id)
    db.session.execute(
        delete(ShelfEntry)
        .where(ShelfEntry.book_id == source_id, ShelfEntry.user_id.in_(shelved))
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(ShelfEntry)
        .where(ShelfEntry.book_id == source_id)
        .values(book_id=target_id)
        .execution_options(synchronize_session=False)
    )
