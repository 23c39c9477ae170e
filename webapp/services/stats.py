"""A reader's numbers for a year, each from one SQL aggregate (a fixed number of queries
however many reads there are): per month, per year, ratings, authors, formats, lengths, pace."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Integer, cast, extract, func, literal, select, union_all

from webapp.extensions import db
from webapp.models import FORMATS, Author, Book, BookAuthor, Read, Review, User
from webapp.models.book import slugify
from webapp.services.goals import finished_in

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
TOP_AUTHORS = 5


@dataclass(frozen=True)
class BookLength:
    id: int
    title: str
    pages: int

    @property
    def slug(self) -> str:
        return slugify(self.title)


@dataclass
class YearStats:
    year: int
    months: list[tuple[str, int, int]]  # (month, books, pages)
    years: list[tuple[int, int, int]]  # (year, books, pages), oldest first
    undated: int  # finished reads with no finish date (in no year)
    ratings: list[tuple[int, int]]  # (stars 5..1, count)
    authors: list[tuple[int, str, int]]  # (author id, name, books)
    formats: list[tuple[str, int]]
    average_pages: int | None
    pace_days: float | None  # mean days per book, over reads with both dates
    paced: int
    longest: BookLength | None = None
    shortest: BookLength | None = None
    books: int = field(init=False)
    pages: int = field(init=False)

    def __post_init__(self) -> None:
        self.books = sum(n for _, n, _ in self.months)
        self.pages = sum(p for _, _, p in self.months)


def _mine(user: User, year: int) -> tuple:
    return (Read.user_id == user.id, *finished_in(year))


def _days():
    """Days from start to finish, both counted, in each database's date arithmetic."""
    if db.session.get_bind().dialect.name == "sqlite":
        return func.julianday(Read.finished_on) - func.julianday(Read.started_on) + 1
    return Read.finished_on - Read.started_on + 1


def _months(user: User, year: int) -> list[tuple[str, int, int]]:
    month = cast(extract("month", Read.finished_on), Integer)
    query = (
        select(month, func.count(Read.id), func.coalesce(func.sum(Book.pages), 0))
        .join(Book, Book.id == Read.book_id)
        .where(*_mine(user, year))
        .group_by(month)
    )
    found = {int(m): (n, int(p)) for m, n, p in db.session.execute(query)}
    return [(name, *found.get(i, (0, 0))) for i, name in enumerate(MONTHS, start=1)]


def _years(user: User) -> tuple[list[tuple[int, int, int]], int]:
    year = cast(extract("year", Read.finished_on), Integer)
    query = (
        select(year, func.count(Read.id), func.coalesce(func.sum(Book.pages), 0))
        .join(Book, Book.id == Read.book_id)
        .where(Read.user_id == user.id, Read.status == "finished")
        .group_by(year)
    )
    rows = db.session.execute(query).all()
    undated = sum(n for y, n, _ in rows if y is None)
    return sorted((int(y), n, int(p)) for y, n, p in rows if y is not None), undated


def _ratings(user: User, year: int) -> list[tuple[int, int]]:
    """Ratings the reader gave the books they finished that year, in whole-star buckets."""
    stars = (Review.rating + 1) // 2
    query = (
        select(stars, func.count(Review.id))
        .where(
            Review.user_id == user.id,
            Review.rating.is_not(None),  # a text-only review gave no rating
            Review.book_id.in_(select(Read.book_id).where(*_mine(user, year))),
        )
        .group_by(stars)
    )
    found = {int(s): n for s, n in db.session.execute(query)}
    return [(s, found.get(s, 0)) for s in range(5, 0, -1)]


def _authors(user: User, year: int) -> list[tuple[int, str, int]]:
    count = func.count(Read.id)
    query = (
        select(Author.id, Author.name, count)
        .select_from(Read)
        .join(BookAuthor, BookAuthor.book_id == Read.book_id)
        .join(Author, Author.id == BookAuthor.author_id)
        .where(*_mine(user, year))
        .group_by(Author.id, Author.name)
        .order_by(count.desc(), Author.name)
        .limit(TOP_AUTHORS)
    )
    return [tuple(row) for row in db.session.execute(query)]


def _formats(user: User, year: int) -> list[tuple[str, int]]:
    kind = func.coalesce(Read.format, "")
    query = select(kind, func.count(Read.id)).where(*_mine(user, year)).group_by(kind)
    found = dict(db.session.execute(query).all())
    labelled = [(label, found.get(key, 0)) for key, label in FORMATS.items()]
    return [*labelled, ("Not recorded", found.get("", 0))]


def _lengths(user: User, year: int) -> tuple[int | None, float | None, int]:
    """Mean pages, mean days per book and how many reads had both dates: one query."""
    query = (
        select(func.avg(Book.pages), func.avg(_days()), func.count(Read.started_on))
        .join(Book, Book.id == Read.book_id)
        .where(*_mine(user, year))
    )
    pages, pace, paced = db.session.execute(query).one()
    return (
        round(float(pages)) if pages is not None else None,
        round(float(pace), 1) if pace is not None else None,
        paced,
    )


def _extremes(user: User, year: int) -> tuple[BookLength | None, BookLength | None]:
    """The longest and the shortest book finished that year, in one statement."""

    def pick(order, which: str):
        return (
            select(Book.id, Book.title, Book.pages, literal(which).label("which"))
            .join(Read, Read.book_id == Book.id)
            .where(*_mine(user, year), Book.pages.is_not(None))
            .order_by(order, Book.id)
            .limit(1)
            .subquery()
        )

    parts = [pick(Book.pages.desc(), "longest"), pick(Book.pages.asc(), "shortest")]
    rows = db.session.execute(union_all(*(select(p) for p in parts))).all()
    found = {row.which: BookLength(row.id, row.title, row.pages) for row in rows}
    return found.get("longest"), found.get("shortest")


def for_year(user: User, year: int) -> YearStats:
    years, undated = _years(user)
    average, pace, paced = _lengths(user, year)
    longest, shortest = _extremes(user, year)
    return YearStats(
        year=year,
        months=_months(user, year),
        years=years,
        undated=undated,
        ratings=_ratings(user, year),
        authors=_authors(user, year),
        formats=_formats(user, year),
        average_pages=average,
        pace_days=pace,
        paced=paced,
        longest=longest,
        shortest=shortest,
    )


def finished_reads(user: User, year: int) -> list[Read]:
    """The reads finished in ``year`` in order, books joined: the "year in books" shelf."""
    query = select(Read).where(*_mine(user, year)).order_by(Read.finished_on, Read.id)
    return list(db.session.scalars(query))


def first_year(stats: YearStats, default: date) -> int:
    return stats.years[0][0] if stats.years else default.year
