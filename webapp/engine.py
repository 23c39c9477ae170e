"""Per-connection database settings, in one place.

SQLite enforces foreign keys (ON DELETE CASCADE) only when asked, on each connection. It serves
several gunicorn workers and threads only in WAL mode: readers no longer block the writer, and
a writer waits (``busy_timeout``) instead of failing with "database is locked".

PostgreSQL sessions are set to UTC: psycopg hands a timestamp back in the session's zone, and
for a zone named otherwise than ``UTC`` (Debian's default is ``Etc/UTC``) as a ``ZoneInfo``,
which ``UTCDateTime`` then moves to ``datetime.UTC``: ~0.4 µs a value, 40-odd a book page,
where the same value in ``UTC`` comes as ``datetime.UTC`` and stays. Nothing we run reads the
session's zone otherwise (timestamps are stored and shown as UTC; dates are dates).
"""

from __future__ import annotations

from flask import Flask, current_app
from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError

from webapp import pg_cursor, pg_ping, read_requests
from webapp.extensions import db

SQLITE_BUSY_TIMEOUT_MS = 5000


def is_sqlite_file(engine: Engine) -> bool:
    database = engine.url.database or ""
    return engine.dialect.name == "sqlite" and database not in {"", ":memory:"}


def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def _sqlite_wal(dbapi_connection, connection_record) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _postgresql_utc(dbapi_connection, connection_record) -> None:
    # SET, not a startup option: a pooler (PgBouncer) refuses ``options`` but keeps TimeZone.
    dbapi_connection.execute("SET TIME ZONE 'UTC'")
    dbapi_connection.commit()


def configure_engine(app: Flask) -> None:
    """Set SQLite's pragmas on every new connection (WAL only for a database file); on
    PostgreSQL, GET and HEAD requests read outside a transaction (webapp/read_requests.py),
    cursors reuse result descriptions (webapp/pg_cursor.py) and the pool's pre-ping makes a
    round trip only when a connection may be lost (webapp/pg_ping.py), and sessions are UTC."""
    with app.app_context():
        engines = list(db.engines.values())
    for engine in engines:
        read_requests.install(engine)
        pg_cursor.install(engine)
        pg_ping.install(engine)
        utc = engine.dialect.name == "postgresql"
        if utc and not event.contains(engine, "connect", _postgresql_utc):
            event.listen(engine, "connect", _postgresql_utc)
        if engine.dialect.name != "sqlite":
            continue
        wanted = [_sqlite_pragmas] + ([_sqlite_wal] if is_sqlite_file(engine) else [])
        for listener in wanted:
            if not event.contains(engine, "connect", listener):
                event.listen(engine, "connect", listener)


def guard_session_teardown(app: Flask) -> None:
    """End each request's session without letting a dead connection turn it into a 500.

    Flask-SQLAlchemy rolls the session back after the response is built; if the database was
    restarted meanwhile that rollback raises outside every error handler, and the reader gets a
    500 for a page that was already rendered. The broken session is dropped instead (its
    connection is invalidated, and the pool's pre-ping replaces it on the next checkout).
    """
    original = db._teardown_session
    funcs = app.teardown_appcontext_funcs
    funcs[:] = [_remove_session if f == original else f for f in funcs]


def _remove_session(exc: BaseException | None) -> None:
    try:
        db.session.remove()
    except DBAPIError as error:
        current_app.logger.warning("session teardown failed, connection dropped: %s", error.orig)
        db.session.registry.clear()
