"""Fill a database with a large, skewed, self-consistent data set for benchmarks.

    python -m bench.generate --database-url URL --books 100000 --readers 200000 --reviews 1000000

The schema comes from the migrations; rows go in with bulk inserts (COPY on PostgreSQL,
executemany in one transaction with journalling off on SQLite). Every kept aggregate (the
book's rating counts, histogram, Bayesian score, last review time; each review's helpful
count and score) is computed in Python from the very rows written, and the search index is
filled after the load, so the data obeys the same invariants as data written by the services.
``--verify`` recounts a sample (and global totals) from the rows and reports any mismatch.
"""

from __future__ import annotations

import argparse
import bisect
import json
import random
import sys
import time
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

from bench import words

BENCH_PASSWORD = "colophon bench reader"  # every generated reader's password (public, bench only)
BOOK_SKEW = 0.7  # Zipf exponent of book popularity: a few books get thousands of reviews
READER_SKEW = 2.0  # reader index = R * u**READER_SKEW: a few readers review thousands of books
TEXT_SHARE = 0.7  # ~30% of ratings have no written text
BODY_TEMPLATES = 400
EPOCH_END = 1_793_000_000  # 2026-10 (fixed, so runs with one seed are identical)
SPAN = 3 * 365 * 86400  # reviews spread over three years


def zipf_weights(n: int, s: float) -> list[float]:
    return [1.0 / (rank**s) for rank in range(1, n + 1)]


def isbn13(n: int) -> str:
    first12 = f"978{100_000_000 + n:09d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


@dataclass
class DataSet:
    """Rows in insert order, as tuples matching ``COLUMNS``; times are epoch seconds."""

    authors: list[tuple] = field(default_factory=list)
    books: list[tuple] = field(default_factory=list)
    book_authors: list[tuple] = field(default_factory=list)
    users: list[tuple] = field(default_factory=list)
    reviews: list[tuple] = field(default_factory=list)
    helpful_votes: list[tuple] = field(default_factory=list)
    shelf_entries: list[tuple] = field(default_factory=list)
    reads: list[tuple] = field(default_factory=list)
    search: list[tuple] = field(default_factory=list)  # (book id, title, subtitle, authors)


COLUMNS = {
    "authors": ("id", "name", "name_key"),
    "users": words._w(
        "id username username_key username_fold email password_hash role bio created_at"
    ),
    "books": words._w(
        "id title subtitle isbn13 publisher year pages language description cover_url "
        "added_by_id created_at rating_count rating_sum review_count stars_1 stars_2 stars_3 "
        "stars_4 stars_5 bayes_score last_reviewed_at"
    ),
    "book_authors": ("book_id", "author_id", "position"),
    "reviews": words._w(
        "id book_id user_id rating title body body_html spoiler helpful_count helpful_score "
        "created_at updated_at"
    ),
    "helpful_votes": ("review_id", "user_id", "created_at"),
    "shelf_entries": ("user_id", "book_id", "status", "updated_at", "created_at"),
    "reads": words._w(
        "id user_id book_id status started_on finished_on format progress_percent "
        "created_at updated_at"
    ),
}
TIME_COLUMNS = {
    "users": {"created_at"},
    "books": {"created_at", "last_reviewed_at"},
    "reviews": {"created_at", "updated_at"},
    "helpful_votes": {"created_at"},
    "shelf_entries": {"updated_at", "created_at"},
    "reads": {"created_at", "updated_at"},
}


class Generator:
    def __init__(self, *, books: int, readers: int, reviews: int, votes: int | None, seed: int):
        if readers < 2 or books < 1:
            raise SystemExit("need at least 1 book and 2 readers")
        self.n_books, self.n_readers, self.n_reviews = books, readers, reviews
        self.n_votes = reviews // 2 if votes is None else votes
        self.rng = random.Random(seed)
        # Reads draw from their own stream, so adding them left every other table as it was.
        self.read_rng = random.Random(seed * 7919 + 13)

    # --- text -----------------------------------------------------------------------------
    def _sentence(self) -> str:
        r = self.rng
        pattern = r.randrange(5)
        if pattern == 0:
            s = f"I {r.choice(words.VERBS)} the {r.choice(words.REVIEW_WORDS)}"
        elif pattern == 1:
            s = f"The {r.choice(words.REVIEW_WORDS)} is {r.choice(words.OPINIONS)}"
        elif pattern == 2:
            s = (
                f"The {r.choice(words.REVIEW_WORDS)} felt *{r.choice(words.OPINIONS)}* and "
                f"the {r.choice(words.REVIEW_WORDS)} {r.choice(words.OPINIONS)}"
            )
        elif pattern == 3:
            s = (
                f"**{r.choice(words.OPINIONS).capitalize()}** {r.choice(words.REVIEW_WORDS)}, "
                f"with a {r.choice(words.OPINIONS)} {r.choice(words.REVIEW_WORDS)}"
            )
        else:
            s = (
                f"What stays with me is the {r.choice(words.REVIEW_WORDS)} of the "
                f"{r.choice(words.REVIEW_WORDS)}, {r.choice(words.OPINIONS)} and "
                f"{r.choice(words.OPINIONS)}"
            )
        return s[0].upper() + s[1:] + "."

    def _paragraph(self, sentences: int) -> str:
        return " ".join(self._sentence() for _ in range(sentences))

    def _body(self, size: int) -> str:
        """Markdown of roughly ``size`` paragraphs, with the constructs readers use."""
        r = self.rng
        if size == 0:
            return self._paragraph(r.randint(1, 2))
        blocks = []
        for i in range(size):
            kind = r.random()
            if i and size > 4 and kind < 0.08:
                blocks.append(f"## {r.choice(words.REVIEW_TITLES)}")
            if kind < 0.12:
                blocks.append("> " + self._paragraph(r.randint(1, 2)))
            elif kind < 0.2:
                blocks.append("\n".join(f"- {self._sentence()}" for _ in range(r.randint(2, 5))))
            elif kind < 0.23:
                blocks.append(
                    f"More in [this interview](https://example.org/interviews/{r.randrange(999)})."
                )
            else:
                blocks.append(self._paragraph(r.randint(2, 6)))
        return "\n\n".join(blocks)

    def _bodies(self) -> list[tuple[str, str]]:
        """(markdown, sanitised html) pairs; rendered once each by the app's own renderer."""
        from webapp import markdown

        sizes = [0] * 120 + [1] * 100 + [2] * 70 + [3] * 50 + [5] * 35 + [8] * 20 + [14] * 5
        out = []
        for i in range(BODY_TEMPLATES):
            text = self._body(sizes[i % len(sizes)])
            out.append((text, markdown.render(text)))
        return out

    # --- rows -----------------------------------------------------------------------------
    def build(self) -> DataSet:
        r = self.rng
        data = DataSet()
        self._authors(data)
        author_pick = list(accumulate(zipf_weights(len(data.authors), 0.8)))

        # Books: popularity rank is shuffled over ids, so hot books are not simply ids 1..10.
        ranks = list(range(self.n_books))
        r.shuffle(ranks)
        book_weight = zipf_weights(self.n_books, BOOK_SKEW)
        per_book = self._split(self.n_reviews, [book_weight[ranks[b]] for b in range(self.n_books)])
        quality = [r.uniform(5.0, 9.0) for _ in range(self.n_books)]

        self._users(data)
        reviews_by_book = self._reviews(data, per_book, quality)
        self._votes(data)
        self._shelves(data, book_weight, ranks)

        names = {a[0]: a[1] for a in data.authors}
        for b in range(self.n_books):
            book_id = b + 1
            k = 1 if r.random() < 0.85 else (2 if r.random() < 0.8 else 3)
            chosen: list[int] = []
            while len(chosen) < min(k, len(data.authors)):
                a = bisect.bisect(author_pick, r.random() * author_pick[-1]) + 1
                if a not in chosen:
                    chosen.append(a)
            for pos, a in enumerate(chosen):
                data.book_authors.append((book_id, a, pos))
            title = self._title()
            subtitle = (
                f"A {r.choice(words.OPINIONS)} {r.choice(words.SUBJECTS)} of "
                f"{r.choice(words.NOUNS)}s"
                if r.random() < 0.3
                else None
            )
            isbn = isbn13(book_id) if r.random() < 0.9 else None
            agg = reviews_by_book[b]
            data.books.append(
                (
                    book_id,
                    title,
                    subtitle,
                    isbn,
                    r.choice(words.PUBLISHERS),
                    r.randint(1850, 2026),
                    r.randint(90, 900),
                    r.choice(words.LANGUAGES),
                    f"A {r.choice(words.OPINIONS)} book about {r.choice(words.SUBJECTS)}. "
                    + self._paragraph(2),
                    None,
                    None,
                    EPOCH_END - SPAN - r.randrange(SPAN),
                    *agg,
                )
            )
            data.search.append((book_id, title, subtitle or "", " ".join(names[a] for a in chosen)))
        self._reads(data)
        return data

    def _reads(self, data: DataSet) -> None:
        """One read per Read / Reading / Did-not-finish shelf entry, dated by the shelving
        (a finish 2–60 days after the start; a read in progress somewhere along)."""
        r = self.read_rng
        status_of = {"read": "finished", "reading": "reading", "did_not_finish": "dnf"}
        formats = ["paperback", "hardcover", "ebook", "audiobook", None]
        for user_id, book_id, shelf, at, _ in data.shelf_entries:
            if shelf not in status_of:
                continue
            status = status_of[shelf]
            day = at // 86400
            started = day - r.randrange(2, 60)
            data.reads.append(
                (
                    len(data.reads) + 1,
                    user_id,
                    book_id,
                    status,
                    _day(started) if r.random() < 0.8 else None,
                    None if status == "reading" else _day(day),
                    r.choice(formats),
                    r.randrange(1, 100) if status == "reading" else None,
                    at,
                    at,
                )
            )

    @staticmethod
    def _split(total: int, weights: list[float]) -> list[int]:
        """Integer counts proportional to ``weights`` summing to ``total`` (largest remainder)."""
        scale = total / sum(weights)
        exact = [w * scale for w in weights]
        counts = [int(x) for x in exact]
        short = total - sum(counts)
        order = sorted(range(len(weights)), key=lambda i: exact[i] - counts[i], reverse=True)
        for i in order[:short]:
            counts[i] += 1
        return counts

    def _title(self) -> str:
        r = self.rng
        a, n, m = r.choice(words.ADJECTIVES), r.choice(words.NOUNS), r.choice(words.NOUNS)
        return r.choice(
            [
                f"The {a.capitalize()} {n.capitalize()}",
                f"The {n.capitalize()} of the {m.capitalize()}",
                f"{a.capitalize()} {n.capitalize()}s",
                f"A {n.capitalize()} for {r.choice(words.FIRST_NAMES)}",
                f"{r.choice(words.SUBJECTS).capitalize()} and the {a.title()} {n.title()}",
            ]
        )

    def _authors(self, data: DataSet) -> None:
        r = self.rng
        seen: set[str] = set()
        count = max(1, self.n_books // 2)
        while len(data.authors) < count:
            surname = "".join(r.choice(words.SYLLABLES) for _ in range(r.randint(2, 4)))
            name = f"{r.choice(words.FIRST_NAMES)} {surname.capitalize()}"
            if name.lower() in seen:
                initial = chr(65 + r.randrange(26))
                name = f"{r.choice(words.FIRST_NAMES)} {initial}. {surname.capitalize()}"
            if name.lower() in seen:
                continue
            seen.add(name.lower())
            data.authors.append((len(data.authors) + 1, name, name.lower()))

    def _users(self, data: DataSet) -> None:
        from werkzeug.security import generate_password_hash

        from webapp.usernames import fold

        r = self.rng
        password_hash = generate_password_hash(BENCH_PASSWORD)
        for i in range(1, self.n_readers + 1):
            r.randbytes(16)  # once a session token; still drawn so the data set stays the same
            name = f"reader{i}"
            bio = f"I read mostly {r.choice(words.SUBJECTS)}." if r.random() < 0.2 else None
            created = EPOCH_END - SPAN - r.randrange(SPAN)
            data.users.append(
                (
                    i,
                    name,
                    name,
                    fold(name),
                    f"{name}@bench.invalid",
                    password_hash,
                    "reader",
                    bio,
                    created,
                )
            )

    def _reader(self) -> int:
        """A reader id, skewed so that a few readers are very active."""
        return int(self.n_readers * self.rng.random() ** READER_SKEW) + 1

    def _reviews(self, data: DataSet, per_book: list[int], quality: list[float]) -> list[tuple]:
        from webapp.models.book import bayesian_score
        from webapp.services.reviews import bucket

        r = self.rng
        bodies = self._bodies()
        self._pairs: set[int] = set()
        stride = self.n_books + 1
        aggregates = []
        review_id = 0
        self._texted: list[tuple[int, int, int]] = []  # (review id, author, created)
        for b, k in enumerate(per_book):
            book_id = b + 1
            k = min(k, self.n_readers)
            readers: set[int] = set()
            if k > self.n_readers // 2:  # dense: sample directly
                readers = set(r.sample(range(1, self.n_readers + 1), k))
            while len(readers) < k:
                readers.add(self._reader())
            count = total = texted = 0
            stars = [0] * 6
            last = None
            mu = quality[b]
            for user_id in readers:
                review_id += 1
                rating = min(10, max(1, round(r.gauss(mu, 1.6))))
                created = EPOCH_END - r.randrange(SPAN)
                title = body = html = None
                spoiler = False
                if r.random() < TEXT_SHARE:
                    if r.random() < 0.5:
                        title = r.choice(words.REVIEW_TITLES)
                    if title is None or r.random() < 0.9:
                        body, html = r.choice(bodies)
                        spoiler = r.random() < 0.05
                    texted += 1
                    self._texted.append((review_id, user_id, created))
                count += 1
                total += rating
                stars[bucket(rating)] += 1
                last = created if last is None or created > last else last
                self._pairs.add(user_id * stride + book_id)
                data.reviews.append(
                    [review_id, book_id, user_id, rating, title, body, html, spoiler, 0, 0.0]
                    + [created, created]
                )
            aggregates.append(
                (count, total, texted, *stars[1:], bayesian_score(count, total / 2), last)
            )
        return aggregates

    def _votes(self, data: DataSet) -> None:
        """Helpful votes on written reviews, heavy-tailed; counts and scores kept on the review."""
        from webapp.services.reviews import helpful_score

        r = self.rng
        if not self._texted or not self.n_votes:
            return
        weights = [r.paretovariate(1.1) for _ in self._texted]
        counts = self._split(self.n_votes, weights)
        cap = min(500, self.n_readers - 1)
        for (review_id, author, created), k in zip(self._texted, counts, strict=True):
            k = min(k, cap)
            if not k:
                continue
            voters = [u for u in r.sample(range(1, self.n_readers + 1), k + 1) if u != author][:k]
            for u in voters:
                data.helpful_votes.append((review_id, u, created + r.randrange(1, 86400 * 30)))
            row = data.reviews[review_id - 1]
            row[8] = k
            row[9] = helpful_score(k)

    def _shelves(self, data: DataSet, book_weight: list[float], ranks: list[int]) -> None:
        """Rating shelves a book as Read (as services.reviews.save does); plus other shelves."""
        r = self.rng
        for row in data.reviews:
            data.shelf_entries.append((row[2], row[1], "read", row[10], row[10]))
        cum = list(accumulate(book_weight[ranks[b]] for b in range(self.n_books)))
        stride = self.n_books + 1
        statuses = ["want_to_read"] * 6 + ["reading"] * 3 + ["did_not_finish"]
        for _ in range(int(self.n_reviews * 0.3)):
            book_id = bisect.bisect(cum, r.random() * cum[-1]) + 1
            user_id = self._reader()
            key = user_id * stride + book_id
            if key in self._pairs:
                continue
            self._pairs.add(key)
            at = EPOCH_END - r.randrange(SPAN)
            data.shelf_entries.append((user_id, book_id, r.choice(statuses), at, at))


# --- writing ------------------------------------------------------------------------------


def _day(days: int) -> str:
    """Days since 1970 as an ISO date (what both databases take for a DATE)."""
    return time.strftime("%Y-%m-%d", time.gmtime(days * 86400))


def _sqlite_time(t: int | None) -> str | None:
    # The format SQLAlchemy's SQLite DateTime writes, so ordering and parsing agree.
    return None if t is None else time.strftime("%Y-%m-%d %H:%M:%S.000000", time.gmtime(t))


def _pg_time(t: int | None) -> str | None:
    return None if t is None else time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime(t))


def _rows(table: str, rows: list, fmt) -> list[tuple]:
    cols = COLUMNS[table]
    idx = [i for i, c in enumerate(cols) if c in TIME_COLUMNS.get(table, ())]
    if not idx:
        return rows
    out = []
    for row in rows:
        row = list(row)
        for i in idx:
            row[i] = fmt(row[i])
        out.append(tuple(row))
    return out


def write_sqlite(conn, data: DataSet) -> None:
    cur = conn.cursor()
    cur.execute("PRAGMA journal_mode = OFF")
    cur.execute("PRAGMA synchronous = OFF")
    cur.execute("PRAGMA foreign_keys = OFF")
    cur.execute("PRAGMA cache_size = -500000")
    cur.execute("BEGIN")
    for table, cols in COLUMNS.items():
        marks = ", ".join("?" for _ in cols)
        cur.executemany(
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})",  # noqa: S608
            _rows(table, getattr(data, table), _sqlite_time),
        )
    # The word and trigram indexes as webapp.search.index_book writes them.
    cur.executemany(
        "INSERT INTO book_search (rowid, title, other_titles, subtitle, authors) "
        "VALUES (?, ?, '', ?, ?)",
        data.search,
    )
    cur.executemany(
        "INSERT INTO book_search_fuzzy (rowid, text) VALUES (?, ?)",
        [(bid, f"{title} {authors}".lower()) for bid, title, _sub, authors in data.search],
    )
    conn.commit()
    cur.execute("PRAGMA journal_mode = DELETE")
    cur.execute("PRAGMA synchronous = FULL")
    cur.execute("ANALYZE")
    conn.commit()


PG_SEARCH_SQL = """
UPDATE books SET search_vector =
    setweight(to_tsvector('simple', books.title), 'A') ||
    setweight(to_tsvector('simple', coalesce(a.names, '')), 'A') ||
    setweight(to_tsvector('simple', coalesce(books.subtitle, '')), 'B'),
    search_text = lower(books.title || ' ' || coalesce(a.names, ''))
FROM (
    SELECT ba.book_id, string_agg(au.name, ' ' ORDER BY ba.position) AS names
    FROM book_authors ba JOIN authors au ON au.id = ba.author_id
    GROUP BY ba.book_id
) a
WHERE a.book_id = books.id
"""


def write_postgresql(conn, data: DataSet) -> None:
    """COPY every table; FK triggers are skipped during the load (rows are consistent by
    construction and --verify checks them), then the search vectors are built set-based."""
    with conn.cursor() as cur:
        cur.execute("SET session_replication_role = replica")
        for table, cols in COLUMNS.items():
            with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                for row in _rows(table, getattr(data, table), _pg_time):
                    copy.write_row(row)
        cur.execute("SET session_replication_role = DEFAULT")
        cur.execute(PG_SEARCH_SQL)
        for table in ("authors", "users", "books", "reviews", "reads"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            )
    conn.commit()
    conn.autocommit = True
    conn.execute("VACUUM ANALYZE")
    conn.autocommit = False


# --- entry points -------------------------------------------------------------------------


def make_app(database_url: str):
    from webapp import create_app
    from webapp.config import normalise_database_url

    return create_app(
        {
            "COLOPHON_ENV": "development",
            "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
            "SQLALCHEMY_ENGINE_OPTIONS": {},
        }
    )


def _reset(database_url: str) -> None:
    from webapp.config import normalise_database_url

    url = normalise_database_url(database_url)
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///") :])
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


def generate(
    database_url: str,
    *,
    books: int = 100_000,
    readers: int = 200_000,
    reviews: int = 1_000_000,
    votes: int | None = None,
    seed: int = 1,
    reset: bool = False,
    log=print,
) -> dict:
    """Build the schema with the migrations and load the data set; returns counts and timings."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from webapp.extensions import db
    from webapp.models import Book

    started = time.perf_counter()
    if reset:
        _reset(database_url)
    app = make_app(database_url)
    with app.app_context():
        upgrade()
        if db.session.scalar(select(func.count(Book.id))):
            raise SystemExit("the database already has books: pass --reset to replace them")
        db.session.remove()
        t0 = time.perf_counter()
        data = Generator(
            books=books, readers=readers, reviews=reviews, votes=votes, seed=seed
        ).build()
        t1 = time.perf_counter()
        log(f"generated rows in {t1 - t0:.1f}s; writing…")
        raw = db.engine.raw_connection()
        try:
            if db.engine.dialect.name == "postgresql":
                write_postgresql(raw.driver_connection, data)
            else:
                write_sqlite(raw.driver_connection, data)
        finally:
            raw.close()
        t2 = time.perf_counter()
        db.engine.dispose()
    counts = {
        name: len(getattr(data, name))
        for name in (
            "authors",
            "books",
            "users",
            "reviews",
            "helpful_votes",
            "shelf_entries",
            "reads",
        )
    }
    result = {
        "counts": counts,
        "generate_s": round(t1 - t0, 1),
        "write_s": round(t2 - t1, 1),
        "total_s": round(t2 - started, 1),
        "password": BENCH_PASSWORD,
    }
    log(json.dumps(result))
    return result


# The most-reviewed books are always checked: bench.run's review-update scenario writes there.
TOP_CHECKED = 64


def verify(database_url: str, *, sample: int = 300, seed: int = 2) -> list[str]:
    """Recount aggregates from the rows for a sample of books and reviews, plus global totals.

    ``last_reviewed_at`` may be later than the newest review's creation (an edit moves it on),
    never earlier. Returns a list of problems (empty when consistent).
    """
    from sqlalchemy import case, func, or_, select, text

    from webapp import markdown
    from webapp.extensions import db
    from webapp.models import Book, HelpfulVote, Review
    from webapp.models.book import bayesian_score
    from webapp.services.reviews import bucket, helpful_score

    problems: list[str] = []
    app = make_app(database_url)
    rng = random.Random(seed)
    with app.app_context():
        s = db.session
        has_text = or_(Review.title.is_not(None), Review.body.is_not(None))
        totals = s.execute(
            select(
                func.coalesce(func.sum(Book.rating_count), 0),
                func.coalesce(func.sum(Book.review_count), 0),
                func.count(Book.id),
            )
        ).one()
        n_reviews = s.scalar(select(func.count(Review.id)))
        n_text = s.scalar(select(func.count(Review.id)).where(has_text))
        if (totals[0], totals[1]) != (n_reviews, n_text):
            problems.append(f"book totals {tuple(totals[:2])} != rows {(n_reviews, n_text)}")
        n_votes = s.scalar(select(func.count()).select_from(HelpfulVote))
        kept_votes = s.scalar(select(func.coalesce(func.sum(Review.helpful_count), 0)))
        if n_votes != kept_votes:
            problems.append(f"sum(helpful_count)={kept_votes} != {n_votes} votes")

        max_id = s.scalar(select(func.max(Book.id))) or 0
        top = list(s.scalars(select(Book.id).order_by(Book.review_count.desc()).limit(TOP_CHECKED)))
        ids = sorted(
            set(top) | {rng.randint(1, max_id) for _ in range(sample)} if max_id else set()
        )
        grouped = s.execute(
            select(
                Review.book_id,
                Review.rating,
                func.count(),
                func.sum(case((has_text, 1), else_=0)),
                func.max(Review.created_at),
            )
            .where(Review.book_id.in_(ids))
            .group_by(Review.book_id, Review.rating)
        ).all()
        expect: dict[int, dict] = {}
        for book_id, rating, n, texted, last in grouped:
            e = expect.setdefault(book_id, {"count": 0, "sum": 0, "text": 0, "last": None})
            e["count"] += n
            e["sum"] += rating * n
            e["text"] += int(texted or 0)
            e[bucket(rating)] = e.get(bucket(rating), 0) + n
            e["last"] = last if e["last"] is None or last > e["last"] else e["last"]
        for book in s.scalars(select(Book).where(Book.id.in_(ids))):
            e = expect.get(book.id, {"count": 0, "sum": 0, "text": 0, "last": None})
            got = (book.rating_count, book.rating_sum, book.review_count)
            want = (e["count"], e["sum"], e["text"])
            got += tuple(getattr(book, f"stars_{k}") for k in range(1, 6))
            want += tuple(e.get(k, 0) for k in range(1, 6))
            if got != want:
                problems.append(f"book {book.id}: kept {got} != counted {want}")
            last = book.last_reviewed_at
            if e["last"] is not None and (last is None or last < e["last"]):
                problems.append(f"book {book.id}: last_reviewed_at {last} < {e['last']}")
            if abs(book.bayes_score - bayesian_score(e["count"], e["sum"] / 2)) > 1e-9:
                problems.append(f"book {book.id}: bayes_score {book.bayes_score} is stale")

        max_review = s.scalar(select(func.max(Review.id))) or 0
        review_ids = sorted(
            {rng.randint(1, max_review) for _ in range(sample)} if max_review else set()
        )
        counted = dict(
            s.execute(
                select(HelpfulVote.review_id, func.count())
                .where(HelpfulVote.review_id.in_(review_ids))
                .group_by(HelpfulVote.review_id)
            ).all()
        )
        rows = s.execute(
            select(
                Review.id, Review.helpful_count, Review.helpful_score, Review.body, Review.body_html
            ).where(Review.id.in_(review_ids))
        ).all()
        for rid, kept, score, body, html in rows:
            n = counted.get(rid, 0)
            if kept != n or abs(score - helpful_score(n)) > 1e-9:
                problems.append(f"review {rid}: helpful ({kept}, {score}) != {n} votes")
            if (html or "") != markdown.render(body):
                problems.append(f"review {rid}: body_html is not the rendered body")

        if db.engine.dialect.name == "postgresql":
            missing = s.scalar(text("SELECT count(*) FROM books WHERE search_vector IS NULL"))
        else:
            missing = totals[2] - s.scalar(text("SELECT count(*) FROM book_search"))
        if missing:
            problems.append(f"{missing} books have no search entry")
        from webapp import search

        for book in s.scalars(select(Book).where(Book.id.in_(ids[:20]))):
            hits = search.matches(book.title)
            found = set(s.scalars(hits.ids)) if hits is not None else set()
            if book.id not in found:
                problems.append(f"book {book.id} is not found by searching its title")
        s.remove()
        db.engine.dispose()
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--books", type=int, default=100_000)
    parser.add_argument("--readers", type=int, default=200_000)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--votes", type=int, default=None, help="helpful votes (default reviews/2)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--reset", action="store_true", help="drop everything in the database first"
    )
    parser.add_argument("--verify", action="store_true", help="check aggregates after loading")
    parser.add_argument("--verify-only", action="store_true", help="only check an existing load")
    args = parser.parse_args(argv)
    if not args.verify_only:
        generate(
            args.database_url,
            books=args.books,
            readers=args.readers,
            reviews=args.reviews,
            votes=args.votes,
            seed=args.seed,
            reset=args.reset,
        )
    if args.verify or args.verify_only:
        problems = verify(args.database_url)
        for p in problems[:50]:
            print("MISMATCH", p, file=sys.stderr)
        print("verify:", "ok" if not problems else f"{len(problems)} problems")
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
