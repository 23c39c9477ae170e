"""The pool's pre-ping pings only a connection that may be lost (webapp/pg_ping.py).

The server ending a pooled connection (as a restart does) is done with ``pg_terminate_backend``;
the next checkout must notice, ping, and hand out a new connection, with no error.
"""

from __future__ import annotations

import select
import time

import psycopg
import pytest
from sqlalchemy import create_engine, text

from tests.conftest import TEST_DATABASE_URL, require_postgres
from webapp import pg_ping
from webapp.config import normalise_database_url


@pytest.fixture
def engine():
    url = normalise_database_url(require_postgres(TEST_DATABASE_URL))
    engine = create_engine(url, pool_pre_ping=True, pool_size=1, max_overflow=0)
    pings: list[int] = []
    original = engine.dialect.do_ping
    engine.dialect.do_ping = lambda conn: pings.append(1) or original(conn)
    pg_ping.install(engine)
    pg_ping.install(engine)  # once
    engine.pings = pings
    yield engine
    engine.dispose()


def backend(engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(text("SELECT pg_backend_pid()"))


def test_a_connection_in_use_is_pinged_once_a_while(engine, monkeypatch):
    first = backend(engine)  # a fresh connection: SQLAlchemy does not ping it
    assert [backend(engine) for _ in range(5)] == [first] * 5
    assert len(engine.pings) == 1  # its first checkout after: no ping recorded yet
    monkeypatch.setattr(pg_ping, "IDLE_SECONDS", 0.0)
    backend(engine)
    backend(engine)
    assert len(engine.pings) == 3


def test_a_connection_idle_for_long_is_pinged(engine, monkeypatch):
    backend(engine)
    backend(engine)
    now = time.monotonic()
    assert len(engine.pings) == 1
    monkeypatch.setattr(time, "monotonic", lambda: now + pg_ping.IDLE_SECONDS)
    backend(engine)
    assert len(engine.pings) == 2


def test_a_connection_the_server_ended_is_replaced(engine):
    backend(engine)
    # Ended while checked out and idle (autocommit: nothing to roll back when it goes back).
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        first = connection.scalar(text("SELECT pg_backend_pid()"))
        socket = connection.connection.dbapi_connection.pgconn.socket
        with psycopg.connect(require_postgres(TEST_DATABASE_URL), autocommit=True) as admin:
            assert admin.execute("SELECT pg_terminate_backend(%s)", (first,)).fetchone()[0]
        assert select.select([socket], [], [], 5)[0]  # the server's goodbye arrived
    pings = len(engine.pings)
    second = backend(engine)  # no error: the socket asked for a ping, which failed; replaced
    assert second != first and len(engine.pings) == pings + 1
    assert backend(engine) == second


def test_a_broken_connection_is_pinged(engine):
    backend(engine)
    backend(engine)
    with engine.connect() as connection:
        dbapi_connection = connection.connection.dbapi_connection
        assert not pg_ping.may_be_lost(dbapi_connection, time.monotonic())
        dbapi_connection.pgconn.finish()  # what psycopg sees of a connection gone
        assert pg_ping.may_be_lost(dbapi_connection, time.monotonic())
        connection.invalidate()
