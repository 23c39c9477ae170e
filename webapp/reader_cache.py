"""Signed-in readers' book pages, kept per reader and session, checked against the versions.

A signed-in page is the reader's own (their review, shelf, reading, votes, follows, the unread
count, their CSRF token), so the visitors' cache (webapp/page_cache.py) never holds one. This
one keeps a reader's copy of a book page for that reader alone: the key is the reader's id and
a hash of their session's CSRF secret (so the token in the page is theirs), the path, query,
page-or-fragment and encoding; the copy is served while the page's versions and the reader's
own (``reader:<id>``, services/versions.py: moved by any write in their requests and by any
row naming them) are the ones it was drawn under. A reader coming back to a book page (the
back button: signed-in pages are ``no-store``, so the browser asks again) gets it from here.

- **Answered** by the WSGI layer in front of Flask (webapp/page_cache.py) with one query that
  reads the versions *and* checks the session as Flask-Login's loader would
  (``session_live``: the session row exists, is within its lifetime, the reader is not
  suspended); anything else — no CSRF secret yet, a message waiting, a remember cookie being
  set — goes to Flask.
- **Stored** by that layer from what Flask finally sent, only when Flask drew the page for the
  same reader (``mark``), answered 200 HTML and set no cookie; never for moderators and
  admins (their header shows the site's open-report count).
- **Where**: the page cache's kinds of store (memory per process, or Redis), a budget of its
  own (``READER_CACHE_MB``; 0: off). Off with the page cache.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from flask import Flask, request, session
from flask_login import current_user

from webapp import caching, permissions
from webapp.models.user import hash_session_key
from webapp.services import versions

# Pages kept per reader → the versions they are drawn from besides the reader's own.
PAGES = {"books.detail": versions.PAGES["books.detail"]}
PLAN = "colophon.reader_plan"  # WSGI environ: (key, tag, reader id) read in front of Flask
KEEP = "colophon.reader_keep"  # WSGI environ: (key, tag) of a page the layer may store

_SESSION_ROW = (
    "SELECT 'session', s.user_id, 0, s.created_at, u.suspended_until FROM login_sessions s"
    " JOIN users u ON u.id = s.user_id WHERE s.user_id = {p} AND s.key_hash = {p}"
)


def reader_of(data: dict) -> tuple[int, str, str] | None:
    """(reader id, session key, CSRF secret) from a signed-in session's data, or None when the
    request is Flask's: a message waiting, a remember cookie to set or clear, no CSRF secret
    yet (the page would mint it), or an id Flask-Login's loader would refuse."""
    if "_flashes" in data or "_remember" in data:
        return None
    user_id, _, key = str(data.get("_user_id", "")).partition(":")
    secret = data.get("csrf_token")
    if not (user_id.isascii() and user_id.isdigit()) or len(user_id) > 18 or not key:
        return None
    return (int(user_id), key, str(secret)) if secret else None


def _when(value) -> datetime | None:
    """A time as the driver hands it back (SQLite: text), aware in UTC."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(str(value))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def read(keys: list, reader: int, key: str, lifetime: timedelta, engine) -> dict | None:
    """The versions of ``keys`` (0 for one never changed), or None when the session is not
    live — ended, expired, or its reader suspended: the same rules as
    ``login_sessions.session_user`` and ``sessions.load_user``, in the same query."""
    where = " OR ".join(['(kind = {p} AND "key" = {p})'] * len(keys))
    # Only placeholders are formatted in: the values go as parameters.
    sql = f'SELECT kind, "key", v, NULL, NULL FROM versions WHERE {where} UNION ALL {_SESSION_ROW}'  # noqa: S608
    params = (*(part for k in keys for part in k), reader, hash_session_key(key))
    rows = versions.read_sql(sql, params, engine)
    now = datetime.now(UTC)
    live = any(
        kind == "session"
        and _when(created) >= now - lifetime
        and not ((until := _when(suspended)) is not None and until > now)
        for kind, _, _, created, suspended in rows
    )
    if not live:
        return None
    found = {(kind, k): v for kind, k, v, _, _ in rows if kind != "session"}
    return {k: found.get(k, 0) for k in keys}


def key_and_tag(
    app: Flask, reader: int, secret: str, path: str, query: str, mode: str, family: str, found
) -> tuple[str, str]:
    session_hash = hashlib.blake2b(secret.encode(), digest_size=8).hexdigest()
    key = f"{reader}|{session_hash}|{path}?{query}|{mode}|{family}"
    day = datetime.now(UTC).date().isoformat()
    source = f"{caching.build_id(app)}|{key}|{day}|{tuple(found.values())}"
    return key, hashlib.blake2b(source.encode(), digest_size=12).hexdigest()


def mark(response):
    """``after_request``: let the layer keep a page Flask drew for the reader it was planned
    for, with no message shown. Never staff's: their header counts the open reports, which
    any reader's report moves."""
    plan = request.environ.get(PLAN)
    if (
        plan is not None
        and request.method == "GET"
        and request.endpoint in PAGES
        and response.status_code == 200
        and response.mimetype == "text/html"
        and not response.is_streamed
        and current_user.is_authenticated
        and current_user.id == plan[2]
        and not permissions.can_moderate(current_user)
        and "_flashes" not in session
    ):
        request.environ[KEEP] = plan[:2]
    return response


def init_app(app: Flask) -> None:
    from webapp.page_cache import store_for

    megabytes = app.config.get("READER_CACHE_MB", 16)
    store = None
    if megabytes and app.config.get("PAGE_CACHE", "memory") != "off":
        store = store_for(app, megabytes, suffix="reader:")
    app.extensions["reader_cache"] = store
    if store is not None:
        app.after_request(mark)
