"""GET and HEAD requests read outside a transaction until they write (webapp/read_requests.py).

What reached the server is read off the DBAPI connection itself: after each statement, whether
it was inside a transaction (psycopg sends ``BEGIN`` before a statement in a transaction it
opens; pysqlite before a write), and at each commit or rollback whether there was a
transaction to end (only then do psycopg and pysqlite send ``COMMIT`` or ``ROLLBACK``). On
SQLite nothing changed: pysqlite already begins only before a write. The requests use the
engine's own pool, so these tests commit (``committed``).
"""

from __future__ import annotations

import contextlib
import re
import time

import psycopg
import pytest
from flask import Flask
from sqlalchemy import event, func, insert, select, text
from sqlalchemy.dialects import postgresql

from tests.factories import make_book, make_review
from webapp import read_requests
from webapp.extensions import csrf, db
from webapp.models import Book, Notice, User, Version
from webapp.services import notices


def in_transaction(dbapi_connection) -> bool:
    info = getattr(dbapi_connection, "info", None)
    if info is not None and hasattr(info, "transaction_status"):  # psycopg
        return info.transaction_status != info.transaction_status.IDLE
    return dbapi_connection.in_transaction  # sqlite3


@contextlib.contextmanager
def traced(engine):
    """The block's statements and transaction ends as letters, in order: ``r``/``w`` a read or
    another statement run outside a transaction, ``R``/``W`` inside one, ``C``/``X`` a COMMIT or
    ROLLBACK that had a transaction to end. ``autocommit`` holds whether psycopg's autocommit
    was on at each statement (None on SQLite)."""
    trace: list[str] = []
    autocommit: set = set()

    def statement(conn, cursor, sql, *args):
        letter = "r" if read_requests.is_plain_read(sql) else "w"
        trace.append(letter.upper() if in_transaction(cursor.connection) else letter)
        autocommit.add(autocommit_of(cursor.connection))

    def ending(letter):
        def listener(conn):
            if in_transaction(conn.connection.dbapi_connection):
                trace.append(letter)

        return listener

    listeners = [
        ("after_cursor_execute", statement),
        ("commit", ending("C")),
        ("rollback", ending("X")),
    ]
    for name, fn in listeners:
        event.listen(engine, name, fn)
    result = type("Traced", (), {})()
    try:
        yield result
    finally:
        for name, fn in listeners:
            event.remove(engine, name, fn)
        result.trace, result.autocommit = "".join(trace), autocommit


def is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def autocommit_of(dbapi_connection) -> bool | None:
    return dbapi_connection.autocommit if is_postgres() else None


def test_plain_reads_are_told_from_statements_that_need_a_transaction():
    assert read_requests.is_plain_read("SELECT books.id FROM books WHERE books.id = %(id)s")
    assert read_requests.is_plain_read("  with r as (select 1) select * from r")
    assert read_requests.is_plain_read("SELECT users.updated_at, shares FROM users")
    pg = postgresql.dialect()
    locks = [
        select(Book.id).with_for_update(),
        select(Book.id).with_for_update(key_share=True),  # FOR NO KEY UPDATE
        select(Book.id).with_for_update(read=True),  # FOR SHARE
        select(Book.id).with_for_update(read=True, key_share=True),  # FOR KEY SHARE
        select(func.pg_advisory_xact_lock(1)),
        select(func.pg_try_advisory_lock(1)),
        select(func.set_config("pg_trgm.word_similarity_threshold", "0.3", True)),
        select(func.nextval("books_id_seq")),
    ]
    for statement in locks:
        assert not read_requests.is_plain_read(str(statement.compile(dialect=pg)))
    for sql in (
        "INSERT INTO versions (kind, key, v) VALUES (%s, %s, %s)",
        "UPDATE notices SET read_at = now()",
        "DELETE FROM login_sessions",
        "WITH gone AS (DELETE FROM tags RETURNING id) SELECT count(*) FROM gone",
        "SELECT * INTO TEMP copy FROM books",
        "SAVEPOINT sa_savepoint_1",
        "SET LOCAL statement_timeout = 1000",
        "LOCK TABLE books",
    ):
        assert not read_requests.is_plain_read(sql)


@pytest.mark.committed
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_a_request_that_only_reads_sends_no_begin_and_no_rollback(app, users, auth, method):
    book = make_book("Persuasion", authors=("Jane Austen",))
    make_review(users("anne"), book, "4", title="Late", body="Eight years on.")
    users("reader")
    auth.login("reader")  # signed in: the session, shelf and votes are read too
    url = f"/books/{book.id}-{book.slug}"
    db.session.rollback()  # the test's own session: only the requests are traced
    for client in (app.test_client(), auth.web.client):  # a visitor, then the reader
        with traced(db.engine) as seen:
            assert client.open(url, method=method).status_code == 200
        assert re.fullmatch("r+", seen.trace), seen.trace
        assert seen.autocommit == ({True} if is_postgres() else {None})


@pytest.mark.committed
def test_a_get_that_writes_writes_in_one_transaction_that_it_commits(app, users, auth):
    reader = users("reader")
    notices.notify(reader.id, "Your review was restored.")
    notices.notify(reader.id, "Your report was upheld.")
    db.session.commit()
    auth.login("reader")
    with traced(db.engine) as seen:
        page = auth.web.client.get("/notifications")
    assert page.status_code == 200 and "Your report was upheld." in page.get_data(as_text=True)
    # Reads outside; the notices marked read and the reader's version together, committed.
    assert re.fullmatch("r+W[WR]*Cr*", seen.trace), seen.trace
    assert notices.unread_count(db.session.get(User, reader.id)) == 0


REFUSE_VERSIONS = {
    "postgresql": [
        "CREATE FUNCTION refuse_versions() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'versions refused'; END $$",
        "CREATE TRIGGER refuse_versions BEFORE INSERT ON versions "
        "FOR EACH ROW EXECUTE FUNCTION refuse_versions()",
    ],
    "sqlite": [
        "CREATE TRIGGER refuse_versions BEFORE INSERT ON versions "
        "BEGIN SELECT RAISE(ABORT, 'versions refused'); END",
    ],
}
ALLOW_VERSIONS = {
    "postgresql": ["DROP TRIGGER refuse_versions ON versions", "DROP FUNCTION refuse_versions()"],
    "sqlite": ["DROP TRIGGER refuse_versions"],
}


def run_sql(statements: list[str]) -> None:
    for sql in statements:
        db.session.execute(text(sql))
    db.session.commit()


@pytest.mark.committed
def test_a_get_whose_write_fails_midway_leaves_nothing_written(app, users, auth):
    """The notices page marks them read, then the commit writes the reader's version: with
    that write refused by the database, the notices must still be unread."""
    reader = users("reader")
    notices.notify(reader.id, "Your review was restored.")
    db.session.commit()
    auth.login("reader")
    run_sql(REFUSE_VERSIONS[db.engine.dialect.name])
    try:
        with traced(db.engine) as seen:
            assert auth.web.client.get("/notifications").status_code == 500
    finally:
        run_sql(ALLOW_VERSIONS[db.engine.dialect.name])
    assert re.fullmatch("r+W+Xr*", seen.trace), seen.trace  # the UPDATE was rolled back
    assert db.session.scalar(select(func.count(Notice.id)).where(Notice.read_at.is_(None))) == 1


def write_versions(levels: list) -> None:
    """Two writes on the request's session, recording whether its connection was in
    autocommit (None on SQLite)."""
    levels.append(autocommit_of(db.session.connection().connection.dbapi_connection))
    db.session.execute(insert(Version).values(kind="test", key=1, v=1))
    db.session.execute(insert(Version).values(kind="test", key=2, v=2))


def versions_written() -> int:
    return db.session.scalar(select(func.count()).where(Version.kind == "test"))


def with_routes(app: Flask, levels: list) -> Flask:
    """Routes that write and then end without committing (CSRF off for the POST: these tests
    are about transactions, not forms)."""

    def returns():
        write_versions(levels)
        return "not committed"

    def raises():
        write_versions(levels)
        raise RuntimeError("failed after writing")

    app.add_url_rule("/test/returns", "test_returns", returns, methods=["GET", "POST"])
    app.add_url_rule("/test/raises", "test_raises", raises)
    csrf.exempt(returns)
    return app


@pytest.mark.committed
@pytest.mark.parametrize("ending", ["returns", "raises"])
def test_a_get_that_writes_and_is_not_committed_leaves_nothing(make_app, ending):
    levels: list = []
    app = with_routes(make_app(), levels)
    with app.app_context():
        with traced(db.engine) as seen:
            assert app.test_client().get(f"/test/{ending}").status_code in (200, 500)
        assert levels == ([True] if is_postgres() else [None])
        assert re.fullmatch("W+Xr*", seen.trace), seen.trace
        assert versions_written() == 0


@pytest.mark.committed
def test_a_post_after_a_get_on_the_same_pooled_connection_is_transactional(make_app):
    """One connection in the pool: the GET's goes back in autocommit and must come out
    transactional again, so the POST's uncommitted writes are rolled back."""
    levels: list = []
    app = with_routes(
        make_app(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0}), levels
    )
    with app.app_context():
        checked_out: list = []
        event.listen(db.engine, "checkout", lambda dbapi, *args: checked_out.append(dbapi))
        client = app.test_client()
        assert client.get("/").status_code == 200
        if is_postgres():
            assert checked_out[-1].autocommit is False  # reset when it went back
        with traced(db.engine) as seen:
            assert client.post("/test/returns").status_code == 200
        assert len(set(map(id, checked_out))) == 1  # the same DBAPI connection throughout
        assert levels == ([False] if is_postgres() else [None])
        assert re.fullmatch("W+X", seen.trace), seen.trace
        assert versions_written() == 0


@pytest.mark.committed
def test_a_get_that_streams_rows_reads_them_in_a_transaction(make_app):
    """A server-side cursor's DECLARE needs a transaction: the GET's connection begins one."""
    app = make_app()

    def streams():
        rows = db.session.execute(select(Book.title).execution_options(yield_per=2))
        return ",".join(sorted(rows.scalars()))

    app.add_url_rule("/test/streams", "test_streams", streams)
    with app.app_context():
        for title in ("Emma", "Persuasion", "Sanditon"):
            make_book(title)
        with traced(db.engine) as seen:
            page = app.test_client().get("/test/streams")
        assert page.get_data(as_text=True) == "Emma,Persuasion,Sanditon"
        assert re.fullmatch("R+X" if is_postgres() else "r+", seen.trace), seen.trace


@pytest.mark.committed
def test_a_server_set_to_a_stricter_level_keeps_a_transaction_per_request(make_app, database_url):
    """REPEATABLE READ gives a request one snapshot for all its reads: kept (PostgreSQL; on
    SQLite, whose reads run outside a transaction, nothing changes)."""
    postgres = database_url.startswith("postgresql")
    options = "-c default_transaction_isolation=repeatable\\ read"
    engine_options = {"connect_args": {"options": options}} if postgres else {}
    app = make_app(SQLALCHEMY_ENGINE_OPTIONS=engine_options)
    with app.app_context():
        with traced(db.engine) as seen:
            assert app.test_client().get("/").status_code == 200
        assert re.fullmatch("R+X" if postgres else "r+", seen.trace), seen.trace
        assert seen.autocommit == ({False} if postgres else {None})


@pytest.mark.committed
def test_a_page_after_the_server_ended_its_connection_is_served(make_app):
    """Production's pool (pre-ping, webapp/pg_ping.py): the server ends the pooled connection
    between two requests, as a restart does; the next request gets a new one, and a 200."""
    options = {"pool_pre_ping": True, "pool_size": 1, "max_overflow": 0}
    app = make_app(SQLALCHEMY_ENGINE_OPTIONS=options)
    client = app.test_client()
    with app.app_context():
        if not is_postgres():
            return  # SQLite: no server to end a connection
        pids: list = []
        event.listen(
            db.engine, "checkout", lambda dbapi, *args: pids.append(dbapi.info.backend_pid)
        )
        for _ in range(2):  # the second checkout pings: on time alone the third would not
            assert client.get("/").status_code == 200
        url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(url, autocommit=True) as admin:  # beside the pool, not from it
            admin.execute("SELECT pg_terminate_backend(%s)", (pids[-1],))
        time.sleep(0.2)  # the server's goodbye reaches the pooled connection's socket
        assert client.get("/").status_code == 200
        assert client.get("/").status_code == 200
        assert pids[-1] != pids[-3]
