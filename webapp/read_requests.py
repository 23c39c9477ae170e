"""GET and HEAD requests on PostgreSQL read outside a transaction, until they write.

A request's session opens a transaction: psycopg sends ``BEGIN`` before its first statement
and the teardown ``ROLLBACK`` after the last, two round trips (~55 µs of CPU each on the bench
machine) on requests that only read. Under READ COMMITTED, PostgreSQL's default, each
statement of a transaction takes its own snapshot anyway, so a read outside one sees the same
data (a server set to a stricter level keeps its transactions: nothing here applies). The
versions of a cached page are still read before the data it is drawn from
(webapp/caching.py), so a page is never kept under a tag newer than its data.

- A connection checked out of the pool during a GET or HEAD request is put in psycopg's
  autocommit, and back to transactional when it is checked in (after the pool's rollback),
  so the next request, a POST say, gets it transactional again.
- Lazy ``BEGIN``: the connections' cursors (``LazyBeginCursor``, which ``pg_cursor``'s build
  on) send ``BEGIN`` before the first statement that is not a plain read (``is_plain_read``)
  or opens a server-side cursor, so what the request writes is one transaction. The
  session's commit commits it and a rollback undoes it: psycopg's ``commit()``/``rollback()``
  send COMMIT/ROLLBACK whenever the server is in a transaction, autocommit or not, and
  SQLAlchemy calls them (unless the engine's ``skip_autocommit_rollback`` is on; then nothing
  here is installed).

This is done in the pool's and psycopg's layer, not through SQLAlchemy's: an engine with any
``ConnectionEvents`` listener dispatches events around every statement, begin and rollback,
and its isolation level, set and reset per connection, goes through its characteristics:
~90 µs of CPU a cold book page in all (bench/README.md, session 7). SQLAlchemy keeps its own
view (a transactional connection); its begin is a no-op on psycopg, and its commit and
rollback are psycopg's, which do what the server's state needs.

With no ROLLBACK per request, psycopg's automatic prepared statements (from a statement's
fifth run on a connection) now last: a ROLLBACK cleared them. Most of the CPU saved comes from
that (bench/README.md); behind PgBouncer in transaction mode it needs PgBouncer ≥ 1.21, as the
page cache's own prepared reads do (webapp/version_reads.py).

SQLite is left alone: pysqlite already begins only before a write.
"""

from __future__ import annotations

import re
from functools import lru_cache

from flask import has_request_context, request
from psycopg import Cursor, ServerCursor
from psycopg.pq import TransactionStatus
from sqlalchemy import Engine, event

READ_METHODS = frozenset({"GET", "HEAD"})
LAZY_BEGIN = "_colophon_lazy_begin"  # set on the psycopg connections put in autocommit here
_INSTALLED = "_colophon_read_requests"
_READ = re.compile(r"\s*(?:SELECT|WITH)\b", re.IGNORECASE)
# What makes a SELECT more than a read: a write in a CTE, SELECT INTO, a row lock (FOR UPDATE,
# FOR NO KEY UPDATE, FOR SHARE, FOR KEY SHARE), an advisory lock, a sequence, a setting for
# the transaction, a notification. A word matched by mistake costs a BEGIN, nothing more.
_NOT_READ = re.compile(
    r"\b(?:insert|update|delete|merge|into|share|nextval|setval|set_config|pg_notify"
    r"|pg_(?:try_)?advisory\w*)\b"
)


@lru_cache(maxsize=1024)
def is_plain_read(statement: str) -> bool:
    """Whether ``statement`` only reads, so it may run outside a transaction (remembered: the
    search costs ~50 µs on a long statement, and the same few statements run on every page)."""
    return _READ.match(statement) is not None and _NOT_READ.search(statement.lower()) is None


def _begin(connection) -> None:
    """BEGIN on a connection put in autocommit here, unless it is in a transaction already."""
    if connection.autocommit and connection.info.transaction_status == TransactionStatus.IDLE:
        Cursor(connection).execute("BEGIN")


class LazyBeginCursor(Cursor):
    """A client cursor that begins a transaction before a statement that is not a plain read."""

    __slots__ = ()

    def execute(self, query, params=None, **kwargs):
        if self._conn.__dict__.get(LAZY_BEGIN) and not (
            isinstance(query, str) and is_plain_read(query)
        ):
            _begin(self._conn)
        return super().execute(query, params, **kwargs)

    def executemany(self, query, params_seq, **kwargs):
        if self._conn.__dict__.get(LAZY_BEGIN):
            _begin(self._conn)
        return super().executemany(query, params_seq, **kwargs)


class LazyBeginServerCursor(ServerCursor):
    """A server-side cursor: its DECLARE needs a transaction."""

    __slots__ = ()

    def execute(self, query, params=None, **kwargs):
        if self._conn.__dict__.get(LAZY_BEGIN):
            _begin(self._conn)
        return super().execute(query, params, **kwargs)


def _lazy_cursors(dbapi_connection, connection_record) -> None:
    if not issubclass(dbapi_connection.cursor_factory, LazyBeginCursor):
        dbapi_connection.cursor_factory = LazyBeginCursor
    dbapi_connection.server_cursor_factory = LazyBeginServerCursor


def _transactional_again(dbapi_connection, connection_record) -> None:
    """At checkin, after the pool's rollback: a connection that cannot be set back (lost, or
    somehow still in a transaction) is closed, and the pool makes a new one."""
    if dbapi_connection is None or not dbapi_connection.__dict__.pop(LAZY_BEGIN, False):
        return
    idle = not dbapi_connection.closed and not dbapi_connection.broken
    if idle and dbapi_connection.info.transaction_status == TransactionStatus.IDLE:
        dbapi_connection.autocommit = False
    else:
        connection_record.invalidate()


def install(engine: Engine) -> None:
    """Listen on ``engine``'s pool (PostgreSQL only, once)."""
    dialect = engine.dialect
    if dialect.name != "postgresql" or dialect.skip_autocommit_rollback:
        return
    if dialect.__dict__.get(_INSTALLED):
        return
    dialect.__dict__[_INSTALLED] = True

    def autocommit_for_reads(dbapi_connection, connection_record, connection_proxy) -> None:
        if dialect.default_isolation_level != "READ COMMITTED":
            return  # a stricter level gives a request one snapshot: keep it
        if has_request_context() and request.method in READ_METHODS:
            dbapi_connection.autocommit = True
            dbapi_connection.__dict__[LAZY_BEGIN] = True

    event.listen(engine, "connect", _lazy_cursors)
    event.listen(engine, "checkout", autocommit_for_reads)
    event.listen(engine, "checkin", _transactional_again)
