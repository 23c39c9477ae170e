"""A reader's own tags on the books on their shelves: add, list, rename, merge, delete."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import delete, exists, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from webapp.errors import NotFound, ValidationError
from webapp.extensions import db
from webapp.models import Book, ShelfEntry, ShelfTag, Tag, User
from webapp.models.reading import MAX_TAG
from webapp.services import versions
from webapp.services.text import one_line

MAX_TAGS_PER_BOOK = 20
TAG_PAGE = 60


def clean_name(name: str | None, field: str = "name") -> str:
    too_long = f"Keep each tag to {MAX_TAG} characters."
    name = one_line(name, field, MAX_TAG, too_long, missing="Give the tag a name.")
    if "," in name:
        raise ValidationError(field, "A tag name cannot contain a comma.")
    return name


def split_names(text: str | None) -> list[str]:
    """ "book club 2025, Favourites" → two names; repeats (ignoring case) dropped."""
    names: dict[str, str] = {}
    for part in (text or "").split(","):
        if part.strip():
            name = clean_name(part, "tags")
            names.setdefault(name.lower(), name)
    if len(names) > MAX_TAGS_PER_BOOK:
        raise ValidationError("tags", f"Up to {MAX_TAGS_PER_BOOK} tags per book.")
    return list(names.values())


def get_own(user: User, tag_id: int) -> Tag:
    tag = db.session.get(Tag, tag_id)
    if tag is None or tag.user_id != user.id:
        raise NotFound("No such tag.")
    return tag


def find(owner: User, tag_id: int) -> Tag | None:
    tag = db.session.get(Tag, tag_id)
    return tag if tag is not None and tag.user_id == owner.id else None


def _tagged(user: User):
    """The reader's (book id, tag name) pairs, by name."""
    return (
        select(ShelfTag.book_id, Tag.name)
        .join(Tag, Tag.id == ShelfTag.tag_id)
        .where(ShelfTag.user_id == user.id)
        .order_by(Tag.name_key)
    )


def names_for(user: User, book: Book) -> list[str]:
    query = _tagged(user).where(ShelfTag.book_id == book.id)
    return [name for _, name in db.session.execute(query)]


def names_by_book(user: User) -> dict[int, list[str]]:
    """Every book the reader tagged → its tag names, by name (one query; the library's CSV
    and the data archive)."""
    grouped: dict[int, list[str]] = defaultdict(list)
    for book_id, name in db.session.execute(_tagged(user)):
        grouped[book_id].append(name)
    return grouped


def _tag_named(user: User, name: str) -> Tag:
    """The reader's tag of that name, made if new (a concurrent twin is found, not doubled)."""
    query = select(Tag).where(Tag.user_id == user.id, Tag.name_key == name.lower())
    if (tag := db.session.scalar(query)) is not None:
        return tag
    try:
        with db.session.begin_nested():
            tag = Tag(user_id=user.id, name=name, name_key=name.lower())
            db.session.add(tag)
    except IntegrityError:
        tag = db.session.scalar(query)
    return tag


def set_for_book(user: User, book: Book, text: str | None) -> list[str]:
    """Replace the tags on ``user``'s shelf entry for ``book`` with the names in ``text``."""
    names = split_names(text)
    entry = db.session.get(ShelfEntry, (user.id, book.id), with_for_update=True)
    if entry is None:
        raise ValidationError("tags", "Put the book on a shelf first, then tag it.")
    wanted = {_tag_named(user, name).id for name in names}
    db.session.execute(
        delete(ShelfTag).where(
            ShelfTag.user_id == user.id,
            ShelfTag.book_id == book.id,
            ShelfTag.tag_id.not_in(wanted) if wanted else True,
        )
    )
    versions.touch(user=user.id)
    have = set(
        db.session.scalars(
            select(ShelfTag.tag_id).where(ShelfTag.user_id == user.id, ShelfTag.book_id == book.id)
        )
    )
    for tag_id in wanted - have:
        db.session.add(ShelfTag(user_id=user.id, book_id=book.id, tag_id=tag_id))
    db.session.commit()
    return sorted(names, key=str.lower)


def tags_of(owner: User) -> list[tuple[Tag, int]]:
    """Every tag with how many books carry it, by name (one query)."""
    count = func.count(ShelfTag.book_id)
    query = (
        select(Tag, count)
        .outerjoin(ShelfTag, ShelfTag.tag_id == Tag.id)
        .where(Tag.user_id == owner.id)
        .group_by(Tag.id)
        .order_by(Tag.name_key)
    )
    return [(tag, n) for tag, n in db.session.execute(query)]


def entries_for(tag: Tag, limit: int = TAG_PAGE) -> list[ShelfEntry]:
    """The shelf entries with this tag, latest shelved first (books joined)."""
    query = (
        select(ShelfEntry)
        .join(
            ShelfTag,
            (ShelfTag.user_id == ShelfEntry.user_id) & (ShelfTag.book_id == ShelfEntry.book_id),
        )
        .where(ShelfTag.tag_id == tag.id)
        .order_by(ShelfEntry.updated_at.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def _other_named(tag: Tag, name: str) -> Tag | None:
    return db.session.scalar(
        select(Tag).where(
            Tag.user_id == tag.user_id, Tag.name_key == name.lower(), Tag.id != tag.id
        )
    )


def rename(user: User, tag: Tag, name: str | None) -> Tag:
    """Raises ValidationError when another of the reader's tags has that name (merge instead)."""
    name = clean_name(name)
    if _other_named(tag, name) is not None:
        raise ValidationError("name", f"You already have a tag called {name}: merge instead.")
    tag.name, tag.name_key = name, name.lower()
    db.session.commit()
    return tag


def merge(user: User, source: Tag, target_id: int | str | None) -> Tag:
    """Every book tagged ``source`` gets ``target``; then ``source`` goes."""
    text = str(target_id or "").strip()
    try:
        if not (text.isascii() and text.isdigit() and int(text) < 2**31):
            raise NotFound("not an id")
        target = get_own(user, int(text))
    except NotFound:
        raise ValidationError("target_id", "Choose one of your other tags.") from None
    if target.id == source.id:
        raise ValidationError("target_id", "Choose a different tag to merge into.")
    already = aliased(ShelfTag)
    moving = select(ShelfTag.user_id, ShelfTag.book_id, target.id).where(
        ShelfTag.tag_id == source.id,
        ~exists().where(
            already.tag_id == target.id,
            already.user_id == ShelfTag.user_id,
            already.book_id == ShelfTag.book_id,
        ),
    )
    db.session.execute(insert(ShelfTag).from_select(["user_id", "book_id", "tag_id"], moving))
    versions.touch(user=user.id)
    db.session.delete(source)
    db.session.commit()
    return target


def remove(user: User, tag: Tag) -> None:
    """Delete the tag; the books keep their shelves, only the label goes."""
    db.session.delete(tag)
    db.session.commit()


def move_book(source_id: int, target_id: int) -> None:
    """Before a book merge drops a reader's duplicate shelf entry, carry its tags over."""
    kept = aliased(ShelfEntry)
    already = aliased(ShelfTag)
    moving = select(ShelfTag.user_id, target_id, ShelfTag.tag_id).where(
        ShelfTag.book_id == source_id,
        exists().where(kept.user_id == ShelfTag.user_id, kept.book_id == target_id),
        ~exists().where(
            already.user_id == ShelfTag.user_id,
            already.book_id == target_id,
            already.tag_id == ShelfTag.tag_id,
        ),
    )
    db.session.execute(insert(ShelfTag).from_select(["user_id", "book_id", "tag_id"], moving))
