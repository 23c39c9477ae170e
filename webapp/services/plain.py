"""Plain rows for the book page's hot reads.

A columns-only statement run on the session's connection: the same transaction as the ORM's
queries, without the ORM's execution and row machinery, which plain values never needed
(0.04 ms a statement on SQLite, a tenth of a page of reviews).

``JSONRows`` folds a subquery's rows into one JSON value of the row that carries it, so a few
short lists come with the statement that needs them instead of in statements of their own
(each a round trip: ~0.1 ms of CPU on PostgreSQL, a fifth of that on SQLite).
"""

from __future__ import annotations

from sqlalchemy import JSON, ColumnElement, Row
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import coercions, roles
from sqlalchemy.sql.visitors import InternalTraversal

from webapp.extensions import db


def rows(statement, params: dict) -> list[Row]:
    """The rows of ``statement`` with ``params``, as the driver's values, all fetched at once:
    iterating a result fetches row by row, and psycopg's ``fetchone`` is Python (~1.5 µs a
    row, 30 rows a cold book page), where its ``fetchall`` loads them in one C call."""
    return db.session.connection().execute(statement, params).all()


class JSONRows(ColumnElement):
    """The aggregate of ``columns`` as a JSON array of arrays, one a row, in ``order_by``'s
    order; on no rows NULL (PostgreSQL) or ``[]`` (SQLite). Read it with ``unfold``.

    PostgreSQL orders inside the aggregate. SQLite (before 3.44) has no ORDER BY there, so
    the rows must come from a subquery ordered the same way: SQLite never flattens an ordered
    subquery into an aggregate query, and aggregates its rows in the order they come."""

    __visit_name__ = "json_rows"
    _traverse_internals = [
        ("columns", InternalTraversal.dp_clauseelement_tuple),
        ("order_by", InternalTraversal.dp_clauseelement_tuple),
    ]
    type = JSON()

    def __init__(self, columns, order_by=()) -> None:
        self.columns = tuple(coercions.expect(roles.ExpressionElementRole, c) for c in columns)
        self.order_by = tuple(coercions.expect(roles.OrderByRole, c) for c in order_by)

    @property
    def _from_objects(self) -> list:
        return [table for column in self.columns for table in column._from_objects]


def _listed(compiler, elements, **kw) -> str:
    return ", ".join(compiler.process(element, **kw) for element in elements)


@compiles(JSONRows, "postgresql")
def _postgresql(element: JSONRows, compiler, **kw) -> str:
    order = f" ORDER BY {_listed(compiler, element.order_by, **kw)}" if element.order_by else ""
    return f"json_agg(json_build_array({_listed(compiler, element.columns, **kw)}){order})"


@compiles(JSONRows, "sqlite")
def _sqlite(element: JSONRows, compiler, **kw) -> str:
    return f"json_group_array(json_array({_listed(compiler, element.columns, **kw)}))"


def unfold(value: list | None, row: type) -> list:
    """``JSONRows``' value as a list of ``row`` (a named tuple) in their order."""
    return [row(*values) for values in value or ()]
