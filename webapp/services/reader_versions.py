"""Whose own version (``reader:<id>``, services/versions.py) a change moves.

A signed-in reader's kept pages (webapp/reader_cache.py) show their shelf, votes, follows,
unread count and more, so their version moves with any write made in their requests and with
any row that names them: a column referring to ``users`` (a notice, a follow, a block, a
report, a vote, a review hidden by a moderator), or their own ``users`` row.
"""

from __future__ import annotations

from flask import g, has_request_context

from webapp.extensions import db
from webapp.models import User

_COLUMNS: dict[type, tuple[str, ...]] = {}


def mark_current(readers: set[int]) -> None:
    """Add the reader whose request this is (``g._login_user`` is Flask-Login's: read, never
    loaded here)."""
    if has_request_context():
        user = g.get("_login_user")
        if user is not None and user.is_authenticated:
            readers.add(user.id)


def columns(cls: type) -> tuple[str, ...]:
    """The attributes of ``cls`` that refer to a reader (a foreign key to ``users``)."""
    found = _COLUMNS.get(cls)
    if found is None:
        found = _COLUMNS[cls] = tuple(
            attr.key
            for attr in db.inspect(cls).column_attrs
            if any(fk.column.table.name == "users" for c in attr.columns for fk in c.foreign_keys)
        )
    return found


def named(obj, is_new: bool) -> set[int]:
    """The readers a flushed row names (before and after the change), itself for a User."""
    state = db.inspect(obj)
    found = {obj.id} if isinstance(obj, User) and not is_new else set()
    for name in columns(type(obj)):
        history = state.attrs[name].history  # passive: never a load inside the flush
        found.update(v for v in (*history.added, *history.unchanged, *history.deleted) if v)
    return found
