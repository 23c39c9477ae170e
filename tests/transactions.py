"""Each test runs inside a transaction that is rolled back, instead of emptying every table.

One connection per test database stays open for the whole run. A test (or a module's shared
data) opens a transaction on it — a real ``BEGIN``, or a ``SAVEPOINT`` when a module's shared
data already holds one — and rolls it back afterwards. Every ``db.session`` of every app on that
database is pinned to the connection with ``join_transaction_mode="create_savepoint"``, so a
service's ``commit()`` only releases a savepoint and nothing reaches the disk.

Sessions take turns on the one connection: when one starts a transaction, any other session's
open transaction there is rolled back first (as a separate connection would not see its
uncommitted rows either). That keeps the savepoints a stack, so no session's rollback can undo
rows another session committed after it — the test's session and each request's session, say.

SQLite: pysqlite's own transaction handling breaks SAVEPOINT, so the pinned engine uses the
documented recipe (SQLAlchemy "Serializable isolation / Savepoints / Transactional DDL"):
pysqlite emits no BEGIN of its own and the engine emits it.
"""

from __future__ import annotations

import contextlib
import threading
import weakref

from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import Connection, Engine, event
from sqlalchemy.orm import Session

from webapp.extensions import db

# Database URL (as rendered by the engine) → the connection all sessions on it must use.
_PINNED: dict[str, Connection] = {}
# The thread running the tests: the only one that may use a pinned connection.
_MAIN_THREAD = threading.get_ident()
# Sessions with an open transaction on a pinned connection (at most one at a time).
_OPEN: weakref.WeakSet[Session] = weakref.WeakSet()
SAVEPOINT_STATEMENTS = ("SAVEPOINT ", "RELEASE SAVEPOINT ", "ROLLBACK TO SAVEPOINT ")


def _key(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


class PinnedSession(FlaskSession):
    """Flask-SQLAlchemy's session, sent to the pinned connection of its database if any."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        chosen = super().get_bind(mapper, clause=clause, bind=bind, **kwargs)
        if isinstance(chosen, Engine) and (pinned := _PINNED.get(_key(chosen))) is not None:
            if threading.get_ident() != _MAIN_THREAD:
                raise RuntimeError(
                    "another thread used the test's transaction; mark the test "
                    "@pytest.mark.committed so its data is really committed"
                )
            return pinned
        return chosen


def _pinned(session: Session) -> bool:
    try:
        return isinstance(session.get_bind(), Connection)
    except RuntimeError:  # no app context: not one of ours
        return False


@event.listens_for(PinnedSession, "after_transaction_create")
def _take_turns(session: Session, transaction) -> None:
    if transaction.parent is not None or not _PINNED or not _pinned(session):
        return
    for other in list(_OPEN):
        if other is not session and other.in_transaction():
            other.rollback()
    _OPEN.add(session)


@event.listens_for(PinnedSession, "after_transaction_end")
def _turn_over(session: Session, transaction) -> None:
    if transaction.parent is None:
        _OPEN.discard(session)


def install() -> None:
    """Make ``db.session`` create PinnedSessions (unpinned they behave exactly as before)."""
    db.session = db._make_scoped_session(
        {"class_": PinnedSession, "join_transaction_mode": "create_savepoint"}
    )


def _sqlite_savepoints(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _no_pysqlite_begin(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _emit_begin(conn):
        conn.exec_driver_sql("BEGIN")


class Pin:
    """The one connection to a test database and the stack of transactions open on it."""

    def __init__(self, engine: Engine):
        if engine.dialect.name == "sqlite":
            _sqlite_savepoints(engine)
        self.engine = engine
        self.connection = engine.connect()
        self._stack: list = []

    @property
    def active(self) -> bool:
        return bool(self._stack)

    def begin(self) -> None:
        """Open a transaction (or a savepoint inside the open one); sessions now use it."""
        if self._stack:
            self._stack.append(self.connection.begin_nested())
        else:
            self._stack.append(self.connection.begin())
        _PINNED[_key(self.engine)] = self.connection

    def rollback(self) -> None:
        """Undo everything since the matching ``begin`` (sessions still open are rolled back)."""
        for session in list(_OPEN):
            if session.in_transaction():
                session.rollback()
        self._stack.pop().rollback()
        if not self._stack:
            _PINNED.pop(_key(self.engine), None)

    @contextlib.contextmanager
    def rolled_back(self):
        """``with pin.rolled_back(): …`` — whatever the block writes is gone afterwards."""
        self.begin()
        try:
            yield
        finally:
            self.rollback()

    def close(self) -> None:
        while self._stack:
            self.rollback()
        self.connection.close()
        self.engine.dispose()


def statement_counter(statements: list[str]):
    """A ``before_cursor_execute`` listener that keeps the app's own statements.

    The savepoints this module wraps around every commit are not the app's queries, so they
    are not counted.
    """

    def before(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(SAVEPOINT_STATEMENTS):
            statements.append(statement)

    return before


def pinned_engine(engine: Engine) -> Engine:
    """The engine whose connection runs ``engine``'s statements now (for event listeners)."""
    connection = _PINNED.get(_key(engine))
    return connection.engine if connection is not None else engine
