"""Per-connection database settings.

SQLite serves several gunicorn workers and threads only in WAL mode: readers no longer block
the writer, and a writer waits (``busy_timeout``) instead of failing with "database is locked".
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import Engine, event

from webapp.extensions import db

SQLITE_BUSY_TIMEOUT_MS = 5000


def is_sqlite_file(engine: Engine) -> bool:
    database = engine.url.database or ""
    return engine.dialect.name == "sqlite" and database not in {"", ":memory:"}


def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def configure_engine(app: Flask) -> None:
    """Switch SQLite file databases to WAL on every new connection."""
    with app.app_context():
        engine = db.engine
    if is_sqlite_file(engine) and not event.contains(engine, "connect", _sqlite_pragmas):
        event.listen(engine, "connect", _sqlite_pragmas)
