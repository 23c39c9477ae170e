"""The reader's side of an import, for a chunk of rows: what they have of the chunk's books
(read in a few IN queries), and the shelf entries, reads, tags and private fields the rows
add. Nothing here flushes or commits: ``imports.place_chunk`` owns the transaction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import lazyload

from webapp.extensions import db
from webapp.models import SHELVES, Read, Review, ShelfEntry, ShelfTag, Tag, User, utcnow
from webapp.services.import_formats import ImportRow
from webapp.services.reads import SHELF_FOR

KEEP_MINE = "keep_mine"
TAKE_FILE = "take_file"
PRIVATE = {
    "private_notes": "private notes",
    "owned_copies": "owned copies",
    "content_warnings": "content warnings",
}


@dataclass
class Library:
    """What the reader has of a chunk's books, read in a few queries and kept up to date as
    rows are placed (two rows of one file may name the same book)."""

    entries: dict[int, ShelfEntry]
    reads: dict[int, list[Read]]
    tags: dict[str, Tag]  # every tag of the reader, by lower-cased name
    tagged: dict[int, set[str]]  # book id → lower-cased names of its tags
    reviews: dict[int, Review]
    follow: set[int] = field(default_factory=set)  # books whose shelf follows their reads
    new_links: list[tuple[dict, int, Tag]] = field(default_factory=list)
    new_reads: list[tuple[dict, Read]] = field(default_factory=list)


def load(user: User, book_ids: set[int]) -> Library:
    ids = sorted(book_ids)
    entries = db.session.scalars(
        select(ShelfEntry)
        .options(lazyload(ShelfEntry.book))
        .where(ShelfEntry.user_id == user.id, ShelfEntry.book_id.in_(ids))
        .with_for_update(of=ShelfEntry)
    )
    reads = defaultdict(list)
    for read in db.session.scalars(
        select(Read)
        .options(lazyload(Read.book))
        .where(Read.user_id == user.id, Read.book_id.in_(ids))
    ):
        reads[read.book_id].append(read)
    tags = {t.name_key: t for t in db.session.scalars(select(Tag).where(Tag.user_id == user.id))}
    tagged = defaultdict(set)
    for book_id, key in db.session.execute(
        select(ShelfTag.book_id, Tag.name_key)
        .join(Tag, Tag.id == ShelfTag.tag_id)
        .where(ShelfTag.user_id == user.id, ShelfTag.book_id.in_(ids))
    ):
        tagged[book_id].add(key)
    return Library(
        entries={e.book_id: e for e in entries},
        reads=reads,
        tags=tags,
        tagged=tagged,
        reviews={},
    )


def place_shelf(
    user: User, book_id: int, row: ImportRow, choice: str, have: Library, undo: dict
) -> bool:
    """Shelf entry, reads, tags and private fields (flushed by the caller). True on a change."""
    entry = have.entries.get(book_id)
    private = private_fields(row)
    if row.status is None and entry is None and not row.tags and not private:
        return False
    changed = False
    if entry is None:
        entry = ShelfEntry(user_id=user.id, book_id=book_id, status=row.status or "want_to_read")
        if row.added_on:
            entry.created_at = entry.updated_at = _midnight(row.added_on)
        db.session.add(entry)
        have.entries[book_id] = entry
        changed = undo["entry_created"] = True
    elif row.status and entry.status != row.status and choice == TAKE_FILE:
        undo["entry_was"] = entry.status
        entry.status, entry.updated_at, changed = row.status, utcnow(), True
    elif row.status and entry.status != row.status:
        # Keep mine: the reader's shelf and reads stand; the file's reads would contradict them.
        row.notes.append(f"Kept your shelf ({entry.label}); the file said {SHELVES[row.status]}.")
        changed |= add_private(entry, row, private, choice, undo)
        return add_tags(user, book_id, row.tags, have, undo) or changed
    changed |= add_private(entry, row, private, choice, undo)
    changed |= add_reads(user, book_id, row, have, undo)
    have.follow.add(book_id)
    return add_tags(user, book_id, row.tags, have, undo) or changed


def private_fields(row: ImportRow) -> dict:
    values = {
        "private_notes": row.private_notes,
        "owned_copies": row.owned_copies,
        "content_warnings": row.content_warnings,
    }
    return {name: value for name, value in values.items() if value}


def add_private(entry: ShelfEntry, row: ImportRow, values: dict, choice: str, undo: dict) -> bool:
    """Fill the reader's private fields from the row; a field the reader already filled
    differently stays theirs unless they chose the file's."""
    changed = False
    for name, value in values.items():
        mine = getattr(entry, name)
        if mine == value:
            continue
        if mine and choice == KEEP_MINE:
            row.notes.append(f"Kept your own {PRIVATE[name]}; the file's differ.")
            continue
        if not undo.get("entry_created"):
            undo.setdefault("private", {})[name] = mine
        setattr(entry, name, value)
        changed = True
    return changed


def add_reads(user: User, book_id: int, row: ImportRow, have: Library, undo: dict) -> bool:
    """Add the row's reads the reader does not have yet (same status and dates = the same read;
    a read of unknown dates matches any of that status)."""
    unmatched = list(have.reads[book_id])
    added = False
    for status, started, finished in sorted(row.reads, key=lambda r: r[1] is None and r[2] is None):
        same = next(
            (
                r
                for r in unmatched
                if r.status == status
                and (
                    (started is None and finished is None)
                    or (r.started_on, r.finished_on) == (started, finished)
                )
            ),
            None,
        )
        if same is not None:
            unmatched.remove(same)
            continue
        if started and finished and finished < started:
            started = None
        read = Read(
            user_id=user.id,
            book_id=book_id,
            status=status,
            started_on=started,
            finished_on=finished,
            format=row.format,
        )
        db.session.add(read)
        have.reads[book_id].append(read)
        have.new_reads.append((undo, read))
        added = True
    return added


def add_tags(user: User, book_id: int, names: list[str], have: Library, undo: dict) -> bool:
    added = False
    tagged = have.tagged[book_id]
    for name in names:
        name = name.replace(",", " ").strip()
        key = name.lower()
        if not name or key in tagged:
            continue
        tag = have.tags.get(key)
        if tag is None:
            tag = have.tags[key] = Tag(user_id=user.id, name=name, name_key=key)
            db.session.add(tag)
        have.new_links.append((undo, book_id, tag))
        tagged.add(key)
        added = True
    return added


def follow_reads(have: Library, book_id: int) -> None:
    """The shelf the book's reads say (as ``reads.follow_reads``, on the rows in memory): one
    in progress → Reading, else the latest read's."""
    found, entry = have.reads.get(book_id), have.entries.get(book_id)
    if not found or entry is None:
        return

    def newest_first(read: Read):
        latest = read.finished_on or read.started_on
        return (
            read.status != "reading",
            latest is None,
            -(latest.toordinal() if latest else 0),
            -read.created_at.timestamp(),
            -read.id,
        )

    status = SHELF_FOR[min(found, key=newest_first).status]
    if entry.status != status:
        entry.status, entry.updated_at = status, utcnow()


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
