"""The pool's pre-ping on PostgreSQL: a round trip only when a connection may be dead.

SQLAlchemy's pre-ping sends ``SELECT 1`` at every checkout: ~0.1 ms of CPU a request in
process (psycopg's execute, and autocommit switched on and back around it), a tenth of what is
left of a cold book page's PostgreSQL cost. Most of what it guards against shows without it:
a connection the server ends (a restart, ``pg_terminate_backend``, a crashed backend, an idle
timeout) is closed by the server's kernel, so its socket turns readable at once (the FATAL
message, or the end of the stream), and a ``poll`` of the socket costs ~1 µs. What a quiet
socket cannot show is a connection lost without a word (a NAT or firewall dropping an idle
flow, a host gone), and that comes after idleness, so a connection whose last round trip was
``IDLE_SECONDS`` or more ago is still pinged. The ping is sent when:

- the socket is readable, or psycopg or libpq already holds the connection for lost;
- the last ping on the connection is ``IDLE_SECONDS`` old or more (or there was none).

A failed ping is SQLAlchemy's as before: the pool is invalidated and a new connection made. A
connection the server drops in the instant between the check and the first statement fails
that statement; SQLAlchemy invalidates the pool and the request answers 503 (Retry-After),
as it would during the restart itself.
"""

from __future__ import annotations

import select
import time
from functools import partial

from psycopg import pq
from sqlalchemy import Engine

IDLE_SECONDS = 5.0
_PINGED = "_colophon_pinged"  # monotonic time of the connection's last ping


def may_be_lost(dbapi_connection, now: float) -> bool:
    """Whether ``dbapi_connection`` needs a real ping at ``now`` (see the module docstring)."""
    if dbapi_connection.closed or dbapi_connection.broken:
        return True
    pgconn = dbapi_connection.pgconn
    if pgconn.status != pq.ConnStatus.OK:
        return True
    if now - dbapi_connection.__dict__.get(_PINGED, -IDLE_SECONDS) >= IDLE_SECONDS:
        return True
    readable, _, _ = select.select([pgconn.socket], [], [], 0)
    return bool(readable)


def _ping(do_ping, dbapi_connection) -> bool:
    now = time.monotonic()
    if not may_be_lost(dbapi_connection, now):
        return True
    alive = do_ping(dbapi_connection)  # raises on a lost connection, as SQLAlchemy expects
    dbapi_connection.__dict__[_PINGED] = now
    return alive


def install(engine: Engine) -> None:
    """Ping ``engine``'s psycopg connections only when needed (the pool's pre-ping, when
    configured, is what calls ``do_ping``)."""
    dialect = engine.dialect
    if dialect.driver != "psycopg":
        return
    if not isinstance(dialect.__dict__.get("do_ping"), partial):
        dialect.do_ping = partial(_ping, dialect.do_ping)
