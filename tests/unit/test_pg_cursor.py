"""Cursors that keep their statements' descriptions (webapp/pg_cursor.py), on PostgreSQL."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import Cursor
from sqlalchemy import create_engine, text

from tests.conftest import TEST_DATABASE_URL, require_postgres
from webapp import pg_cursor
from webapp.config import normalise_database_url
from webapp.pg_cursor import KeptDescriptionCursor


@pytest.fixture
def connections():
    """A connection with the kept descriptions and a plain one, in autocommit."""
    url = require_postgres(TEST_DATABASE_URL)
    with (
        psycopg.connect(url, autocommit=True) as kept,
        psycopg.connect(url, autocommit=True) as plain,
    ):
        kept.cursor_factory = KeptDescriptionCursor
        yield kept, plain


def described(cursor) -> list | None:
    return None if cursor.description is None else [tuple(c) for c in cursor.description]


STATEMENTS = [
    ("SELECT 1 AS a, %s AS b", (1,)),
    ("SELECT 1 AS a, %s AS b", ("text now",)),  # the same text, another parameter type
    ("SELECT 1 AS a, %s AS b", (2,)),
    ("SELECT 1 AS b, %s AS a", (2,)),
    ("SELECT 1 AS one; SELECT 'two' AS two, 2", None),  # two results
    ("SELECT now() AS at, 1.5::numeric(4, 2) AS n, 'x'::varchar(7) AS v", None),
    ("SELECT", None),  # rows, no columns
    ("SET application_name = 'colophon-test'", None),  # no rows
]


def test_descriptions_are_psycopgs_own(connections):
    kept, plain = connections
    for _ in range(6):  # built, then kept; prepared from the fifth run
        for query, params in STATEMENTS:
            mine, theirs = kept.cursor(), plain.cursor()
            mine.execute(query, params)
            theirs.execute(query, params)
            assert described(mine) == described(theirs), query
            while mine.nextset():
                assert theirs.nextset()
                assert described(mine) == described(theirs), query


def test_a_statement_is_described_once_per_connection(connections, monkeypatch):
    kept, _ = connections
    built = []
    original = Cursor.description
    monkeypatch.setattr(
        Cursor, "description", property(lambda c: built.append(1) or original.fget(c))
    )
    first = kept.cursor().execute("SELECT 1 AS a, 'b' AS b").description
    again = kept.cursor().execute("SELECT 1 AS a, 'b' AS b").description
    assert len(built) == 1 and again == first and again is not first  # a list of its own
    again.clear()
    assert [c.name for c in kept.cursor().execute("SELECT 1 AS a, 'b' AS b").description] == [
        "a",
        "b",
    ]


def test_a_changed_table_is_described_afresh(connections):
    kept, plain = connections
    kept.execute("CREATE TEMPORARY TABLE changing (a int)")
    plain.execute("CREATE TEMPORARY TABLE changing (a int)")
    changes = [
        "ALTER TABLE changing ADD COLUMN b varchar(5)",
        "ALTER TABLE changing RENAME COLUMN b TO c",
        "ALTER TABLE changing ALTER COLUMN c TYPE varchar(9)",
        "ALTER TABLE changing ALTER COLUMN a TYPE bigint",
    ]
    for change in [None, *changes]:
        if change:
            kept.execute(change)
            plain.execute(change)
        for _ in range(6):  # psycopg prepares a statement on its fifth run
            mine = kept.cursor().execute("SELECT * FROM changing")
            assert described(mine) == described(plain.cursor().execute("SELECT * FROM changing"))


def test_the_engines_connections_keep_descriptions():
    url = normalise_database_url(require_postgres(TEST_DATABASE_URL))
    engine = create_engine(url)
    pg_cursor.install(engine)
    pg_cursor.install(engine)  # once
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT 1 AS a, 'b' AS b")).all()
            cursor = connection.connection.dbapi_connection.cursor()
            assert isinstance(cursor, KeptDescriptionCursor) and rows == [(1, "b")]
    finally:
        engine.dispose()
