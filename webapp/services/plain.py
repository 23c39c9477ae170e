"""Plain rows for the book page's hot reads.

A columns-only statement run on the session's connection: the same transaction as the ORM's
queries, without the ORM's execution and row machinery, which plain values never needed
(0.04 ms a statement on SQLite, a tenth of a page of reviews).
"""

from __future__ import annotations

from webapp.extensions import db


def rows(statement, params: dict):
    """The result of ``statement`` with ``params``, rows as the driver's values."""
    return db.session.connection().execute(statement, params)
