"""Book search; the one place that knows SQLite FTS5 from PostgreSQL tsvector and pg_trgm.

Two indexes, both written by ``index_book`` in the same transaction as the book:

- **Words** (every query word as a prefix): SQLite's FTS5 table ``book_search`` (title, other
  titles, subtitle, authors; rowid = book id), PostgreSQL's ``books.search_vector`` (GIN).
- **Trigrams** for typos ("tolkein"): SQLite's FTS5 ``book_search_fuzzy`` with the trigram
  tokenizer, PostgreSQL's ``books.search_text`` with a ``gin_trgm_ops`` index.

``matches`` asks the word index first; only when it finds nothing does it look for near
misses (a reader typing "tolki" wants Tolkien's books, not Tolstoy's beside them). ISBNs are
in neither index: a full ISBN is an exact lookup (services.catalog), and a partial number is
not a search term.

Ranking every match of a query made only of very common words ("the": 60k books of 100k)
took ~0.4 s, so past ``RANK_LIMIT`` matches only the newest ``RANK_LIMIT`` are ranked (the
index hands them over in id order, so it stops early) and the rest follow newest first; words
of one or two letters match whole words, not as prefixes ("it" is not "Italy" or "item").
bench/search.py measures it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import (
    case,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.sql import Select

from webapp.extensions import db

FTS_TABLE = "book_search"
FUZZY_TABLE = "book_search_fuzzy"
MAX_TERMS = 8
# Matches ranked by relevance at most (a multiple of the page size): 5 % of a 100k catalogue,
# so only words in that many titles (the, of, a …) are bounded; ranking 5,000 costs ~10 ms.
RANK_LIMIT = 5000
FUZZY_CANDIDATES = 200  # trigram candidates scored on SQLite
MIN_SIMILARITY = 0.5  # per query word: share of its trigrams in the closest word ("dune" ≠ "june")
# Column weights for FTS5's bm25 (title, other titles, subtitle, authors): a title match wins.
BM25 = f"bm25({FTS_TABLE}, 10.0, 10.0, 2.0, 5.0)"


def include_name(name, type_, parent_names) -> bool:
    """Alembic filter: the search structures are managed by hand, not by the models."""
    if type_ == "table" and name and name.startswith(FTS_TABLE):
        return False
    if type_ == "column" and name in ("search_vector", "search_text"):
        return False
    return not (type_ == "index" and name in ("ix_books_search", "ix_books_search_text"))


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def terms(query: str) -> list[str]:
    """Words of the query, lower-cased; punctuation is never passed to the search syntax."""
    return re.findall(r"\w+", query.lower())[:MAX_TERMS]


_PG_UPDATE_SQL = (
    "UPDATE books SET search_vector = "
    "setweight(to_tsvector('simple', :title), 'A') || "
    "setweight(to_tsvector('simple', :other_titles), 'A') || "
    "setweight(to_tsvector('simple', :authors), 'A') || "
    "setweight(to_tsvector('simple', :subtitle), 'B'), "
    "search_text = :fuzzy WHERE id = :id"
)
_SQLITE_INSERT_SQL = (
    f"INSERT INTO {FTS_TABLE} (rowid, title, other_titles, subtitle, authors) "  # noqa: S608
    "VALUES (:id, :title, :other_titles, :subtitle, :authors)"
)
_FUZZY_INSERT_SQL = f"INSERT INTO {FUZZY_TABLE} (rowid, text) VALUES (:id, :fuzzy)"  # noqa: S608
_DELETE_SQL = [f"DELETE FROM {name} WHERE rowid = :id" for name in (FTS_TABLE, FUZZY_TABLE)]  # noqa: S608


def index_book(book) -> None:
    """(Re)write the search entries for ``book``. Call after flush, before commit."""
    index_books(
        [
            {
                "id": book.id,
                "title": book.title,
                "other_titles": " ".join((book.other_titles or "").splitlines()),
                "subtitle": book.subtitle or "",
                "authors": " ".join(a.name for a in book.authors),
            }
        ]
    )


def index_books(entries: list[dict]) -> None:
    """(Re)write search entries for many books at once (an import): one executemany each.

    Each entry has ``id``, ``title``, ``subtitle``, ``authors`` (names joined) and optionally
    ``other_titles`` (joined).
    """
    if not entries:
        return
    rows = [
        {**e, "other_titles": e.get("other_titles", "")}
        | {"fuzzy": f"{e['title']} {e.get('other_titles', '')} {e['authors']}".lower()}
        for e in entries
    ]
    if _dialect() == "postgresql":
        db.session.execute(text(_PG_UPDATE_SQL), rows)
        return
    for statement in _DELETE_SQL:
        db.session.execute(text(statement), rows)
    db.session.execute(text(_SQLITE_INSERT_SQL), rows)
    db.session.execute(text(_FUZZY_INSERT_SQL), rows)


def remove_book(book_id: int) -> None:
    """Drop a book's entries (PostgreSQL's columns go with the row)."""
    if _dialect() != "postgresql":
        for statement in _DELETE_SQL:
            db.session.execute(text(statement), {"id": book_id})


@dataclass(frozen=True)
class Hits:
    """What a query finds: ``ranked`` (book_id, rank; lower is better) and ``ids`` (every
    match, to count and to page past the ranked ones). ``bounded``: there were more matches
    than RANK_LIMIT, and ``ranked`` holds only the newest RANK_LIMIT of them."""

    ranked: Select
    ids: Select
    bounded: bool = False


def matches(query: str) -> Hits | None:
    """The books ``query`` finds; None if it has no words."""
    words = terms(query)
    if not words:
        return None
    ids = _word_ids(words)
    capped = select(func.count()).select_from(ids.limit(RANK_LIMIT + 1).subquery())
    found = db.session.scalar(capped)
    near = None if found else _near_misses(words)
    if near is not None:
        return Hits(near, select(near.subquery().c.book_id))
    bounded = found > RANK_LIMIT
    return Hits(_word_matches(words, RANK_LIMIT if bounded else None), ids, bounded)


def _patterns(words: list[str]) -> list[str]:
    """Each word as a prefix, except words of one or two letters: whole words only."""
    return [w if len(w) <= 2 else f"{w}*" for w in words]


def _tsquery(words: list[str]):
    patterns = (p.replace("*", ":*") for p in _patterns(words))
    return db.func.to_tsquery("simple", " & ".join(patterns))


def _fts_query(words: list[str]) -> str:
    return " ".join(f'"{p[:-1]}"*' if p.endswith("*") else f'"{p}"' for p in _patterns(words))


_BOOKS = table("books", column("id"), column("search_vector"))
_FTS = table(FTS_TABLE, column("rowid"))


def _word_ids(words: list[str]) -> Select:
    """Every book holding every word, as book_id only (no ranking: cheap to count)."""
    if _dialect() == "postgresql":
        return select(_BOOKS.c.id.label("book_id")).where(
            _BOOKS.c.search_vector.op("@@")(_tsquery(words))
        )
    return select(_FTS.c.rowid.label("book_id")).where(
        literal_column(FTS_TABLE).op("MATCH")(_fts_query(words))
    )


def _word_matches(words: list[str], newest: int | None = None) -> Select:
    """Books holding every word, with the word index's rank: all, or only the ``newest``."""
    if _dialect() == "postgresql":
        q = _tsquery(words)
        stmt = select(
            _BOOKS.c.id.label("book_id"),
            (-db.func.ts_rank(_BOOKS.c.search_vector, q)).label("rank"),
        ).where(_BOOKS.c.search_vector.op("@@")(q))
        key = _BOOKS.c.id
    else:
        stmt = select(_FTS.c.rowid.label("book_id"), literal_column(BM25).label("rank")).where(
            literal_column(FTS_TABLE).op("MATCH")(_fts_query(words))
        )
        key = _FTS.c.rowid
    return stmt if newest is None else stmt.order_by(key.desc()).limit(newest)


def _near_misses(words: list[str]) -> Select | None:
    """Books whose words are close to every query word of three letters or more."""
    words = [w for w in words if len(w) >= 3]
    if not words:
        return None
    if _dialect() == "postgresql":
        # word_similarity's index operator (<%) uses a session threshold; set it per transaction.
        db.session.execute(
            text("SELECT set_config('pg_trgm.word_similarity_threshold', :t, true)"),
            {"t": str(MIN_SIMILARITY)},
        )
        books = table("books", column("id"), column("search_text"))
        similarity = sum(db.func.word_similarity(w, books.c.search_text) for w in words)
        return select(books.c.id.label("book_id"), (-similarity / len(words)).label("rank")).where(
            *(literal(w).op("<%")(books.c.search_text) for w in words)
        )
    scored = _sqlite_near_misses(words)
    if not scored:
        return None
    books = table("books", column("id"))
    rank = case(dict(scored), value=books.c.id, else_=0.0)
    return select(books.c.id.label("book_id"), rank.label("rank")).where(
        books.c.id.in_([book_id for book_id, _ in scored])
    )


def _sqlite_near_misses(words: list[str]) -> list[tuple[int, float]]:
    """FTS5's trigram index finds candidates sharing trigrams; each is then scored here as
    pg_trgm's word_similarity would be, so both databases accept the same near misses."""
    grams = sorted({g for w in words for g in _trigrams(w, padded=False)})
    fts_query = " OR ".join(f'"{g}"' for g in grams)
    rows = db.session.execute(
        text(
            f"SELECT rowid, text FROM {FUZZY_TABLE} WHERE {FUZZY_TABLE} MATCH :q "  # noqa: S608
            "ORDER BY rank LIMIT :n"
        ),
        {"q": fts_query, "n": FUZZY_CANDIDATES},
    )
    scored = []
    for book_id, body in rows:
        text_words = re.findall(r"\w+", body)
        found = [max((word_similarity(w, t) for t in text_words), default=0.0) for w in words]
        if min(found) >= MIN_SIMILARITY:
            scored.append((book_id, -sum(found) / len(found)))
    return scored


def _trigrams(word: str, *, padded: bool = True) -> set[str]:
    word = f"  {word} " if padded else word
    return {word[i : i + 3] for i in range(len(word) - 2)}


def word_similarity(word: str, other: str) -> float:
    """About pg_trgm's word_similarity for one word against another: the share of ``word``'s
    (padded) trigrams that ``other`` has too ("tolkein" in "tolkien": 4 of 8, 0.5)."""
    grams = _trigrams(word)
    return len(grams & _trigrams(other)) / len(grams) if grams else 0.0
