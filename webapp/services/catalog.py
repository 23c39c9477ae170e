"""The catalogue: adding books, authors, duplicate checks, browsing and search."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import func, select

from webapp import isbn as isbn_rules
from webapp import permissions, search
from webapp.errors import DomainError, NotAllowed, ValidationError
from webapp.extensions import db
from webapp.models import Author, Book, BookAuthor, BookRedirect, User
from webapp.pagination import Page
from webapp.services import covers
from webapp.services.audit import audit

SORTS = {
    "newest": "Newest",
    "top": "Top rated",
    "reviews": "Most reviewed",
}
PER_PAGE = 24


class DuplicateBook(DomainError):
    """The ISBN is already in the catalogue; ``book`` is the existing one."""

    def __init__(self, book: Book):
        super().__init__(f"{book.title} is already in the catalogue.")
        self.book = book


class LikelyDuplicate(DomainError):
    """Books with the same title and an author in common exist; the reader should confirm."""

    def __init__(self, books: list[Book]):
        super().__init__("This book may already be in the catalogue.")
        self.books = books


@dataclass
class BookData:
    title: str
    authors: list[str]
    subtitle: str | None = None
    other_titles: list[str] = field(default_factory=list)
    isbn: str | None = None
    publisher: str | None = None
    year: int | None = None
    pages: int | None = None
    language: str | None = None
    description: str | None = None
    extra: dict = field(default_factory=dict)


def split_authors(text: str) -> list[str]:
    """One author per line (or separated by semicolons); order is kept, repeats dropped."""
    return _distinct(re.split(r"[\n;]", text or ""))


def split_titles(text: str) -> list[str]:
    """One title per line (a title may hold a semicolon); order is kept, repeats dropped."""
    return _distinct((text or "").splitlines())


def _distinct(parts) -> list[str]:
    names: list[str] = []
    for part in parts:
        name = " ".join(part.split())
        if name and name.lower() not in {n.lower() for n in names}:
            names.append(name)
    return names


def author_for(name: str) -> Author:
    key = name.lower()
    author = db.session.scalar(select(Author).where(Author.name_key == key))
    if author is None:
        author = Author(name=name, name_key=key)
        db.session.add(author)
    return author


def similar_books(title: str, authors: list[str]) -> list[Book]:
    """Books with the same title (ignoring case) sharing at least one author."""
    keys = [a.lower() for a in authors]
    query = (
        select(Book)
        .join(BookAuthor)
        .join(Author)
        .where(func.lower(Book.title) == title.strip().lower(), Author.name_key.in_(keys))
        .distinct()
    )
    return list(db.session.scalars(query))


def _clean(data: BookData) -> BookData:
    data.title = " ".join((data.title or "").split())
    if not data.title:
        raise ValidationError("title", "Give the book's title.")
    if not data.authors:
        raise ValidationError("authors", "Name at least one author.")
    if any(len(name) > 200 for name in data.authors):
        raise ValidationError("authors", "Keep each author's name under 200 characters.")
    data.other_titles = [t for t in data.other_titles if t.lower() != data.title.lower()]
    if any(len(title) > 300 for title in data.other_titles):
        raise ValidationError("other_titles", "Keep each title under 300 characters.")
    if data.isbn and data.isbn.strip():
        data.isbn = isbn_rules.to_isbn13(data.isbn)
    else:
        data.isbn = None
    for name in ("subtitle", "publisher", "language", "description"):
        value = getattr(data, name)
        setattr(data, name, value.strip() if value and value.strip() else None)
    return data


def add_book(actor: User | None, data: BookData, *, confirm_similar: bool = False) -> Book:
    """Create a book. Raises DuplicateBook (same ISBN), LikelyDuplicate or ValidationError."""
    data = _clean(data)
    if data.isbn:
        existing = db.session.scalar(select(Book).where(Book.isbn13 == data.isbn))
        if existing is not None:
            raise DuplicateBook(existing)
    if not confirm_similar:
        similar = similar_books(data.title, data.authors)
        if similar:
            raise LikelyDuplicate(similar)
    book = Book(
        title=data.title,
        subtitle=data.subtitle,
        other_titles="\n".join(data.other_titles) or None,
        isbn13=data.isbn,
        publisher=data.publisher,
        year=data.year,
        pages=data.pages,
        language=data.language,
        description=data.description,
        added_by_id=actor.id if actor else None,
    )
    for position, name in enumerate(data.authors):
        book.book_authors.append(BookAuthor(author=author_for(name), position=position))
    db.session.add(book)
    db.session.flush()
    search.index_book(book)
    db.session.commit()
    covers.request_fetch(book)
    return book


def browse(query: str = "", sort: str = "newest", page: int = 1, per_page: int = PER_PAGE) -> Page:
    """Books for /books: full-text search when ``query`` is given, else sorted by ``sort``."""
    page = max(1, page)
    stmt = select(Book)
    count_stmt = select(func.count()).select_from(Book)  # count(*): SQLite counts an index
    query = (query or "").strip()
    ranked = False
    if query:
        if isbn_rules.looks_like_isbn(query):
            try:
                wanted = isbn_rules.to_isbn13(query)
            except ValidationError:
                wanted = isbn_rules.clean(query)
            stmt = stmt.where(Book.isbn13 == wanted)
            count_stmt = count_stmt.where(Book.isbn13 == wanted)
        else:
            found = search.matches(query)
            if found is None:
                return Page([], page, per_page, 0)
            ids = found.ids.subquery()
            count_stmt = select(func.count()).select_from(ids)  # each match is a book
            ranked = sort == "relevance"
            if ranked and found.bounded:
                total = db.session.scalar(count_stmt) or 0
                return Page(_bounded_page(found, page, per_page), page, per_page, total)
            hits = (found.ranked if ranked else found.ids).subquery()
            stmt = stmt.join(hits, hits.c.book_id == Book.id)
            if ranked:
                stmt = stmt.order_by(hits.c.rank, Book.rating_count.desc(), Book.id)
    if not ranked:
        stmt = stmt.order_by(*_order(sort))
    total = db.session.scalar(count_stmt) or 0
    items = list(db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)))
    return Page(items, page, per_page, total)


def _bounded_page(found: search.Hits, page: int, per_page: int) -> list[Book]:
    """A page of a query with more matches than search.RANK_LIMIT: the ranked newest ones
    first, then the rest newest first (the order they were taken in), each by LIMIT/OFFSET."""
    offset, items = (page - 1) * per_page, []
    if offset < search.RANK_LIMIT:
        # The page's ids first (ties: the newer first), then their books: joining all the
        # ranked ones to books made PostgreSQL scan every book.
        hits = found.ranked.subquery()
        order = (hits.c.rank, hits.c.book_id.desc())
        ids = select(hits).order_by(*order).limit(min(per_page, search.RANK_LIMIT - offset))
        on_page = ids.offset(offset).subquery()
        items = db.session.scalars(
            select(Book)
            .join(on_page, on_page.c.book_id == Book.id)
            .order_by(on_page.c.rank, on_page.c.book_id.desc())
        ).all()
    if len(items) < per_page:
        ids = found.ids.subquery()
        items = [
            *items,
            *db.session.scalars(
                select(Book)
                .join(ids, ids.c.book_id == Book.id)
                .order_by(Book.id.desc())
                .limit(per_page - len(items))
                .offset(max(offset, search.RANK_LIMIT))
            ),
        ]
    return list(items)


def _order(sort: str):
    if sort == "top":
        return (Book.bayes_score.desc(), Book.id.desc())
    if sort == "reviews":
        return (Book.review_count.desc(), Book.id.desc())
    return (Book.created_at.desc(), Book.id.desc())


def books_by_author(author: Author) -> list[Book]:
    query = (
        select(Book)
        .join(BookAuthor)
        .where(BookAuthor.author_id == author.id)
        .order_by(Book.year.is_(None), Book.year, Book.title)
    )
    return list(db.session.scalars(query))


def top_rated(limit: int = 8) -> list[Book]:
    query = select(Book).where(Book.rating_count > 0).order_by(*_order("top")).limit(limit)
    return list(db.session.scalars(query))


def recently_reviewed(limit: int = 8) -> list[Book]:
    query = (
        select(Book)
        .where(Book.last_reviewed_at.is_not(None))
        .order_by(Book.last_reviewed_at.desc(), Book.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def sort_choices(query: str) -> dict[str, str]:
    """Sort options for a listing. The empty value is the default: best match for a search,
    newest when browsing, so live search switches to relevance unless a reader chose a sort."""
    if (query or "").strip():
        return {"": "Best match", **SORTS}
    return {"": SORTS["newest"], "top": SORTS["top"], "reviews": SORTS["reviews"]}


def sort_for(query: str, requested: str | None) -> tuple[str, str]:
    """(the option shown as chosen, the order ``browse`` uses) for a requested ``sort``."""
    choice = requested if requested and requested in sort_choices(query) else ""
    if choice:
        return choice, choice
    return "", "relevance" if (query or "").strip() else "newest"


BOOK_FIELDS = (
    "title",
    "subtitle",
    "other_titles",
    "isbn13",
    "publisher",
    "year",
    "pages",
    "language",
)


def book_snapshot(book: Book) -> dict:
    """The editable metadata of ``book`` as plain JSON values (for the audit log)."""
    return {name: getattr(book, name) for name in BOOK_FIELDS} | {
        "description": book.description,
        "authors": [a.name for a in book.authors],
    }


def edit_book(actor: User, book: Book, data: BookData) -> None:
    """Staff change a book's metadata under the rules for adding one; the log keeps what changed.

    Raises NotAllowed, ValidationError, or DuplicateBook when the ISBN belongs to another book.
    The search entry is rewritten in the same transaction.
    """
    if not permissions.can_moderate(actor):
        raise NotAllowed("Only moderators can do that.")
    data = _clean(data)
    if data.isbn:
        other = db.session.scalar(select(Book).where(Book.isbn13 == data.isbn, Book.id != book.id))
        if other is not None:
            raise DuplicateBook(other)
    before = book_snapshot(book)
    book.title, book.subtitle, book.isbn13 = data.title, data.subtitle, data.isbn
    book.other_titles = "\n".join(data.other_titles) or None
    book.publisher, book.year, book.pages = data.publisher, data.year, data.pages
    book.language, book.description = data.language, data.description
    if [a.name for a in book.authors] != data.authors:
        book.book_authors.clear()
        db.session.flush()
        for position, name in enumerate(data.authors):
            book.book_authors.append(BookAuthor(author=author_for(name), position=position))
    db.session.flush()
    search.index_book(book)
    after = book_snapshot(book)
    changed = [k for k in after if before.get(k) != after[k]]
    if changed:
        audit(
            actor,
            "edit_book",
            "book",
            book.id,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    db.session.commit()


def redirect_for(book_id: int) -> int | None:
    """Where a merged book's old id now points, or None."""
    return db.session.scalar(select(BookRedirect.new_id).where(BookRedirect.old_id == book_id))
