"""webapp/models/base.py: UTCDateTime's one-function result processor gives what
TypeDecorator's own (the driver's conversion, then ``process_result_value``) gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.types import TypeDecorator

from webapp.models.base import UTCDateTime

VALUES = {
    "sqlite": [None, "2026-01-02 03:04:05.123456", "2026-01-02 03:04:05", "2026-01-02"],
    "postgresql": [
        None,
        datetime(2026, 1, 2, 3, 4, 5, 123456),
        datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2))),
        datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    ],
}


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.psycopg.dialect()])
def test_result_processor_is_typedecorators(dialect):
    column = UTCDateTime().dialect_impl(dialect)
    ours = column.result_processor(dialect, None)
    theirs = TypeDecorator.result_processor(column, dialect, None)
    for value in VALUES[dialect.name]:
        got, want = ours(value), theirs(value)
        assert got == want
        assert got is None or (got.tzinfo is UTC and want.tzinfo is UTC)


def test_postgresql_sessions_hand_timestamps_back_as_utc_itself(app):
    """webapp/engine.py sets each PostgreSQL session to UTC: psycopg's values then come with
    ``datetime.UTC`` (no ``ZoneInfo`` for ``UTCDateTime`` to move), on the session's reads as
    on psycopg's own."""
    from sqlalchemy import select, text

    from tests.factories import make_book
    from webapp.extensions import db
    from webapp.models import Book

    book = make_book("Dated")
    if db.engine.dialect.name == "postgresql":  # SQLite keeps no zone: only the read below
        assert db.session.execute(text("SHOW TimeZone")).scalar() == "UTC"
        raw = db.session.connection().exec_driver_sql("SELECT created_at FROM books").scalar()
        assert raw.tzinfo is UTC
    read = db.session.execute(select(Book.created_at).where(Book.id == book.id)).scalar()
    assert read == book.created_at and read.tzinfo is UTC
