"""Where the page cache reads the data versions on PostgreSQL: prepared statements on a few
autocommit psycopg connections of its own.

Every visitor's cache hit and 304 reads the versions (services/versions.py), so this read is
the whole database cost of a hit. Measured here (bench/README.md, issue 16): through
SQLAlchemy's pool (checkout, DBAPI cursor, unprepared statement) ~107 µs wall and 34 µs of
our CPU per read; the same statement on a held psycopg connection with ``prepare=True``
and a binary cursor ~32–48 µs wall and 13–19 µs CPU, the server no longer parsing and planning
it each time (psycopg's automatic preparing did not apply). Keeping the versions in Redis
instead cost ~43 µs wall and 23 µs CPU for an ``MGET`` with redis-py, and would add a second
copy to keep right; LISTEN/NOTIFY would save the round trip but tells other workers *after*
the writer's answer, so the next visitor could be served the old page.

The read is still one round trip to the database, which holds the truth: a write is seen by
the next request in every worker. A connection that fails is closed and the error raised
(the page cache then hands the request to Flask, whose pool pings); a new one is made on the
next read. Behind a pooler in transaction mode, prepared statements need PgBouncer ≥ 1.21.
"""

from __future__ import annotations

import os
import threading

from sqlalchemy import Engine


class DirectReader:
    """At most ``size`` idle connections kept; more are made when threads overlap."""

    paramstyle = "format"

    def __init__(self, engine: Engine, size: int):
        self.conninfo = engine.url.set(drivername="postgresql").render_as_string(
            hide_password=False
        )
        self.size = size
        self._idle: list = []
        self._lock = threading.Lock()
        self._pid = os.getpid()

    def _take(self):
        with self._lock:
            if self._pid != os.getpid():  # forked: the parent's sockets are not ours
                self._idle, self._pid = [], os.getpid()
            if self._idle:
                return self._idle.pop()
        import psycopg

        connection = psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5)
        return connection, connection.cursor(binary=True)

    def fetch(self, sql: str, params: tuple) -> list[tuple]:
        held = self._take()
        try:
            held[1].execute(sql, params, prepare=True)
            rows = held[1].fetchall()
        except Exception:
            held[0].close()
            raise
        with self._lock:
            if len(self._idle) < self.size and self._pid == os.getpid():
                self._idle.append(held)
                return rows
        held[0].close()
        return rows

    def dispose(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for connection, _ in idle:
            connection.close()
