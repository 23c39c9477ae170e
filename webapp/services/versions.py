"""Data versions of the public pages, replaced in the same transaction as every change to them.

A cached page (ETag, the response cache in webapp/page_cache.py) is valid while the versions
it was built from are unchanged. Which versions a page reads is ``PAGES`` below; which ones a
change replaces is decided here, in one place, from the rows the session flushes:

- ``book:<id>``: a book's page and its review pages (the book, its authors, its reviews, their
  helpful counts and replies, the lists that include it).
- ``user:<id>``: a reader's profile (their reviews, shelves, reads, goal, follows, lists; its
  book cards show ratings, so a profile reads the ``catalog`` version too).
- ``catalog``: everything else a visitor sees (home, browse and search, author pages, a
  review's own page, lists): replaced by any change to books, reviews, replies or lists.
- ``site``: every page. A reader's rename, suspension, role change, privacy or deletion, a
  book's title/cover/authors or a merge replace it, rather than finding every page that shows
  the name or the book: such changes are rare, and finding the pages would cost more.
- ``reader:<id>``: what a signed-in reader sees of their own (webapp/reader_cache.py): moved by
  every write made in their requests, by every row that names them (a column referring to
  ``users``: a notice, a follow, a report, a vote, a hidden review) and with their profile.

Changes made with SQL statements instead of ORM objects (vote counts, bulk moves, deletes by
condition) ``touch()`` what they change. The new values are written in ``before_commit``,
after every other lock the transaction takes and in a fixed order, so the hot ``catalog`` row
cannot deadlock with the reader/book/review locks (services/locks.py). A version is a random
63-bit number, not a counter: a rolled-back transaction, a restored backup or an emptied test
database can never bring back a number a cached page was stored under.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

from sqlalchemy import Connection, Engine, event, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from webapp.extensions import db
from webapp.models import (
    Author,
    Block,
    Book,
    BookAuthor,
    BookList,
    Follow,
    HelpfulVote,
    ListItem,
    ProgressUpdate,
    Read,
    ReadingGoal,
    Reply,
    Review,
    ShelfEntry,
    ShelfTag,
    Tag,
    User,
    Version,
)
from webapp.models.book import KEPT_AGGREGATES
from webapp.services import reader_versions as readers
from webapp.version_reads import DirectReader

Key = tuple[str, int]
Source = Engine | DirectReader  # where versions are read outside a request
SITE: Key = ("site", 0)
CATALOG: Key = ("catalog", 0)

# Columns of books that change with every rating (kept numbers): the book's page and the
# catalogue show them, but no profile or other book does.
BOOK_KEPT = frozenset(
    {
        *KEPT_AGGREGATES,
        "last_reviewed_at",
        "search_vector",
        "cover_checked_at",  # when the worker last looked for a cover: shown nowhere
    }
)
# Columns of shelf entries that only their reader sees.
ENTRY_PRIVATE = frozenset({"private_notes", "owned_copies", "content_warnings"})
# Columns of users that no public page shows.
USER_PRIVATE = frozenset(
    {
        "email",
        "password_hash",
        "email_verified_at",
        "pending_email",
        "notify_moderation",
        "notify_replies",
        "notify_reports",
        "notify_imports",
        "digest",
        "suspension_reason",
        "username_fold",
    }
)
# Columns of users shown beside their reviews on every book page, or deciding what is shown.
USER_EVERYWHERE = frozenset(
    {
        "username",
        "username_key",
        "role",
        "suspended_until",
        "is_private",
        "reading_private",
        "avatar_key",  # the picture beside their reviews
    }
)
_PENDING = "versions.pending"


# --- reading -------------------------------------------------------------------------------


_SELECT = 'SELECT kind, "key", v FROM versions WHERE '


def _read(where: str, params: tuple, engine: Source | None = None) -> list[tuple]:
    """Rows of ``versions`` matching ``where`` ({p} marks a parameter), read with the driver.

    This runs on every visitor's page view, cache hits included, so it goes straight to the
    DBAPI cursor (a tenth of an ORM select's CPU): on ``engine`` when given (the page cache,
    outside any request: an engine on SQLite, a ``DirectReader`` on PostgreSQL), else on
    whatever the request's session is bound to.
    """
    return read_sql(_SELECT + where, params, engine)


def read_sql(query: str, params: tuple, engine: Source | None = None) -> list[tuple]:
    """Rows of ``query`` ({p} marks a parameter), read with the driver as ``_read`` says."""
    bind = engine if engine is not None else db.session.get_bind()
    if isinstance(bind, DirectReader):  # the page cache's prepared reads on PostgreSQL
        return bind.fetch(query.format(p="%s"), params)
    mark = "?" if bind.dialect.paramstyle == "qmark" else "%s"
    sql = query.format(p=mark)
    if isinstance(bind, Connection):
        return [tuple(row) for row in bind.exec_driver_sql(sql, params)]
    dbapi_error = bind.dialect.loaded_dbapi.Error
    try:
        connection = bind.raw_connection()
    except dbapi_error as exc:
        # The driver's own error, raised below SQLAlchemy: wrap it as SQLAlchemy would, so a
        # database that is down is the error handlers' 503, not a 500.
        raise DBAPIError.instance(sql, params, exc, dbapi_error) from exc
    try:
        cursor = connection.cursor()
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        cursor.close()
    except dbapi_error as exc:
        connection.invalidate()  # a dead connection (database restarted) is not reused
        raise DBAPIError.instance(sql, params, exc, dbapi_error) from exc
    except Exception:
        connection.invalidate()
        raise
    finally:
        connection.close()
    return rows


def current(keys: Iterable[Key], engine: Source | None = None) -> dict[Key, int]:
    """The versions of ``keys`` (0 for a key never changed), in one query."""
    keys = list(keys)
    where = " OR ".join(['(kind = {p} AND "key" = {p})'] * len(keys))
    rows = _read(where, tuple(part for key in keys for part in key), engine)
    found = {(kind, key): v for kind, key, v in rows}
    return {k: found.get(k, 0) for k in keys}


def profile_versions(username: str, engine: Source | None = None) -> dict[Key, int]:
    """A profile's versions by the name in its URL (one query: the id is looked up inside).

    Its shelves show book cards with their ratings, so the catalogue version is read too.
    """
    rows = _read(
        "kind IN ('site', 'catalog') AND \"key\" = 0 OR kind = 'user' AND \"key\" = "
        "(SELECT id FROM users WHERE username_key = {p})",
        (username.lower(),),
        engine,
    )
    found = {kind: v for kind, _key, v in rows}
    return {
        SITE: found.get("site", 0),
        CATALOG: found.get("catalog", 0),
        ("user", 0): found.get("user", 0),
    }


# Public pages → the versions they are built from ("view arguments" → keys).
PAGES = {
    "main.home": lambda args: [SITE, CATALOG],
    "catalog.index": lambda args: [SITE, CATALOG],
    "catalog.author": lambda args: [SITE, CATALOG],
    "reviews.show": lambda args: [SITE, CATALOG],
    "books.detail": lambda args: [SITE, ("book", args["book_id"])],
    "reviews.more": lambda args: [SITE, ("book", args["book_id"])],
    "lists.show": lambda args: [SITE, CATALOG],  # a maker's privacy or name: SITE
    "lists.of_reader": lambda args: [SITE, CATALOG],
    "users.profile": None,  # by name: profile_versions
}


def for_page(endpoint: str | None, args: dict, engine: Source | None = None) -> tuple | None:
    """The versions a public page is built from, or None for a page without versions."""
    if endpoint not in PAGES:
        return None
    if endpoint == "users.profile":
        return tuple(profile_versions(args["username"], engine).values())
    return tuple(current(PAGES[endpoint](args), engine).values())


# --- changing ------------------------------------------------------------------------------


def _ids(value) -> list[int]:
    if value is None:
        return []
    if isinstance(value, int):
        return [value]
    return list(value)


def touch(
    session: Session | None = None,
    *,
    book=None,
    user=None,
    review=None,
    site: bool = False,
    catalog: bool = False,
) -> None:
    """Mark versions to replace when the session commits (ids or iterables of ids).

    ``review=`` resolves to the review's book and author at commit (use it for SQL-statement
    changes to reviews and votes). Books and reviews imply the catalogue.
    """
    pending = _pending(session or db.session())
    pending["keys"].update(("book", i) for i in _ids(book))
    pending["keys"].update(("user", i) for i in _ids(user))
    pending["reviews"].update(_ids(review))
    readers.mark_current(pending["readers"])
    if book is not None or review is not None or catalog:
        pending["keys"].add(CATALOG)
    if site:
        pending["keys"].add(SITE)


def _pending(session: Session) -> dict:
    return session.info.setdefault(
        _PENDING, {"keys": set(), "reviews": set(), "reads": set(), "readers": set()}
    )


def _changed(obj) -> set[str]:
    """Names of the columns of a dirty object whose value changed in this flush."""
    state = db.inspect(obj)
    return {
        attr.key
        for attr in state.mapper.column_attrs
        if state.attrs[attr.key].history.has_changes()
    }


def _collect(session: Session, obj, is_new: bool, is_deleted: bool) -> None:
    """What a flushed row changes (see the module docstring for the kinds)."""
    pending = _pending(session)
    pending["readers"].update(readers.named(obj, is_new))
    keys = pending["keys"]
    match obj:
        case Review():
            keys.update({("book", obj.book_id), ("user", obj.user_id), CATALOG})
        case Reply():
            pending["reviews"].add(obj.review_id)
            keys.update({("user", obj.user_id), CATALOG})
        case HelpfulVote():
            pending["reviews"].add(obj.review_id)
        case Book():
            keys.update({("book", obj.id), CATALOG})
            if is_deleted or (not is_new and _changed(obj) - BOOK_KEPT):
                keys.add(SITE)
        case BookAuthor():
            keys.update({("book", obj.book_id), CATALOG})
            if not any(isinstance(o, Book) and o.id == obj.book_id for o in session.new):
                keys.add(SITE)  # an existing book's byline, shown on profiles and lists
        case Author():
            if not is_new:
                keys.add(SITE)
        case User():
            if is_new:
                return
            changed = set() if is_deleted else _changed(obj)
            if is_deleted or changed & USER_EVERYWHERE:
                keys.add(SITE)
            elif changed - USER_PRIVATE:
                keys.add(("user", obj.id))
        case BookList():
            keys.update({("user", obj.user_id), CATALOG})
            if not is_new:
                keys.add(SITE)  # its title shows on the pages of every book it holds
        case ListItem():
            keys.update({("book", obj.book_id), CATALOG})
        case ShelfEntry() if not is_new and not is_deleted and _changed(obj) <= ENTRY_PRIVATE:
            return  # the reader's private notes: no public page shows them
        case ShelfEntry() | Read() | ShelfTag():
            keys.update({("user", obj.user_id), ("book", obj.book_id)})
        case ProgressUpdate():
            pending["reads"].add(obj.read_id)
        case ReadingGoal() | Tag():
            keys.add(("user", obj.user_id))
        case Follow():
            keys.update({("user", obj.follower_id), ("user", obj.followee_id)})
        case Block():
            keys.update({("user", obj.blocker_id), ("user", obj.blocked_id)})


def _after_flush(session: Session, flush_context) -> None:
    if session.new or session.deleted or session.dirty:
        readers.mark_current(_pending(session)["readers"])
    for obj in session.new:
        _collect(session, obj, is_new=True, is_deleted=False)
    for obj in session.deleted:
        _collect(session, obj, is_new=False, is_deleted=True)
    for obj in session.dirty:
        if session.is_modified(obj, include_collections=False):
            _collect(session, obj, is_new=False, is_deleted=False)


def _resolve(session: Session, pending: dict) -> set[Key]:
    keys = set(pending["keys"])
    if pending["reviews"]:
        rows = session.execute(
            select(Review.book_id, Review.user_id).where(Review.id.in_(pending["reviews"]))
        )
        for book_id, user_id in rows:
            keys.update({("book", book_id), ("user", user_id)})
        keys.add(CATALOG)
    if pending["reads"]:
        users = session.scalars(select(Read.user_id).where(Read.id.in_(pending["reads"])))
        keys.update(("user", u) for u in users)
    # A reader's own view moves with their profile and with every row naming them.
    readers = pending["readers"] | {i for kind, i in keys if kind == "user"}
    keys.update(("reader", i) for i in readers)
    return keys


def _write(session: Session, keys: set[Key]) -> None:
    """Replace each version with a fresh random number (upsert), in sorted order."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    rows = [{"kind": k, "key": i, "v": random.getrandbits(63)} for k, i in sorted(keys)]
    statement = insert(Version).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=[Version.kind, Version.key], set_={"v": statement.excluded.v}
    )
    session.execute(statement)


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the versions are written when the whole transaction commits
    session.flush()  # what commit would flush next, so its changes are collected too
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    keys = _resolve(session, pending)
    if keys:
        _write(session, keys)


def _statement_write(state) -> None:
    """An UPDATE, DELETE or INSERT statement run in a reader's request (marking notices read,
    undoing an import) moves that reader's version like an ORM change would; the versions'
    own upsert (``_write``) is not such a change."""
    writes = state.is_update or state.is_delete or state.is_insert
    table = getattr(getattr(state.statement, "table", None), "name", None)
    if writes and table != Version.__tablename__:
        readers.mark_current(_pending(state.session)["readers"])


def _forget(session: Session, transaction) -> None:
    """A transaction rolled back changes nothing (a committed one has written its versions)."""
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def init_app() -> None:
    """Listen on every Flask-SQLAlchemy session (once per process)."""
    from flask_sqlalchemy.session import Session as FlaskSession

    if event.contains(FlaskSession, "after_flush", _after_flush):
        return
    event.listen(FlaskSession, "after_flush", _after_flush)
    event.listen(FlaskSession, "before_commit", _before_commit)
    event.listen(FlaskSession, "after_transaction_end", _forget)
    event.listen(FlaskSession, "do_orm_execute", _statement_write)
