"""psycopg cursors that reuse the ``Column`` objects of a result shape seen before.

psycopg makes a ``Column`` per result column each time ``cursor.description`` is read (~0.9 µs
a column: the name decoded, the type looked up in the adapters), and SQLAlchemy reads it after
every statement, if only to see whether rows came back: 50 columns, ~45 µs of a cold book
page on PostgreSQL, for a description SQLAlchemy had already kept with the compiled statement.

A ``Column`` is made from the result's name, type, modifier and size of its column and the
connection's type registry, nothing else; so a list made for one result serves every later
result on the connection with the same names, types, modifiers and sizes (read off the result
each time: ~0.15 µs a column). Kept per connection (a connection may register types of its
own), at most ``KEPT`` shapes.
"""

from __future__ import annotations

from psycopg import Connection
from sqlalchemy import Engine, event

from webapp.read_requests import LazyBeginCursor

KEPT = 256
_ATTRIBUTE = "_colophon_descriptions"


class KeptDescriptionCursor(LazyBeginCursor):
    """A client cursor whose ``description`` comes from the connection's kept columns (and
    that begins lazily on a read request's connection: webapp/read_requests.py)."""

    __slots__ = ()

    @property
    def description(self):
        result = self.pgresult
        if result is None or not result.nfields:
            return super().description  # no result, a command's, or rows without columns
        fields = range(result.nfields)
        shape = (
            tuple(map(result.fname, fields)),
            tuple(map(result.ftype, fields)),
            tuple(map(result.fmod, fields)),
            tuple(map(result.fsize, fields)),
        )
        kept = self._conn.__dict__.setdefault(_ATTRIBUTE, {})
        columns = kept.get(shape)
        if columns is None:
            columns = super().description
            if len(kept) >= KEPT:
                kept.clear()
            kept[shape] = columns
        return list(columns)  # a caller's own list, as psycopg's


def _use_on(dbapi_connection: Connection, connection_record) -> None:
    dbapi_connection.cursor_factory = KeptDescriptionCursor


def install(engine: Engine) -> None:
    """Give ``engine``'s new connections these cursors (psycopg only, once)."""
    if engine.dialect.driver != "psycopg":
        return
    if not event.contains(engine, "connect", _use_on):
        event.listen(engine, "connect", _use_on)
