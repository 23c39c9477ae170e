"""GET and HEAD requests on PostgreSQL read outside a transaction, until they write.

A request's session opens a transaction: psycopg sends ``BEGIN`` before its first statement
and the teardown ``ROLLBACK`` after the last, two round trips (~55 µs of CPU each on the bench
machine) on requests that only read. Under READ COMMITTED, PostgreSQL's default, each
statement of a transaction takes its own snapshot anyway, so a read outside one sees the same
data (a server set to a stricter level keeps its transactions: nothing here applies). The
versions of a cached page are still read before the data it is drawn from
(webapp/caching.py), so a page is never kept under a tag newer than its data.

- A connection made during a GET or HEAD request (``engine_connect``) is put in AUTOCOMMIT
  through SQLAlchemy's isolation level, which SQLAlchemy resets (after the pool's rollback)
  when the connection goes back to the pool: the next request, a POST say, gets it
  transactional again.
- Lazy ``BEGIN``: before the first statement that is not a plain read (``is_plain_read``) or
  opens a server-side cursor, ``BEGIN`` is sent on the connection, so what the request writes
  is one transaction. The session's commit commits it and a rollback undoes it: psycopg's
  ``commit()``/``rollback()`` send COMMIT/ROLLBACK whenever the server is in a transaction,
  autocommit or not, and SQLAlchemy calls them on AUTOCOMMIT connections too, unless the
  engine's ``skip_autocommit_rollback`` is on (then nothing here is installed).

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
from psycopg import ServerCursor
from psycopg.pq import TransactionStatus
from sqlalchemy import Connection, Engine, event

READ_METHODS = frozenset({"GET", "HEAD"})
LAZY_BEGIN = "colophon_lazy_begin"  # the execution option marking the connections set here
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


def _autocommit_for_reads(connection: Connection) -> None:
    if connection.dialect.default_isolation_level != "READ COMMITTED":
        return  # a stricter level gives a request one snapshot: keep it
    if has_request_context() and request.method in READ_METHODS:
        connection.execution_options(isolation_level="AUTOCOMMIT", **{LAZY_BEGIN: True})


def _begin_before_write(connection, cursor, statement, parameters, context, executemany):
    if not connection.get_execution_options().get(LAZY_BEGIN):
        return
    dbapi = cursor.connection
    if not dbapi.autocommit or dbapi.info.transaction_status != TransactionStatus.IDLE:
        return  # set back to a transactional level, or the transaction is open already
    if is_plain_read(statement) and not isinstance(cursor, ServerCursor):
        return
    dbapi.execute("BEGIN")


def install(engine: Engine) -> None:
    """Listen on ``engine`` (PostgreSQL only, once)."""
    if engine.dialect.name != "postgresql" or engine.dialect.skip_autocommit_rollback:
        return
    if not event.contains(engine, "engine_connect", _autocommit_for_reads):
        event.listen(engine, "engine_connect", _autocommit_for_reads)
        event.listen(engine, "before_cursor_execute", _begin_before_write)
