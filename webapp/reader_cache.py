"""Signed-in readers' book pages, kept per reader and session, checked against the versions.

A signed-in page is the reader's own (their review, shelf, reading, votes, follows, the unread
count, their CSRF token), so the visitors' cache (webapp/page_cache.py) never holds one. This
one keeps a reader's copy of a book page for that reader alone: the key is the reader's id and
a hash of their session's CSRF secret (so the token in the page is theirs), the path, query,
page-or-fragment and encoding; the copy is served while the page's versions and the reader's
own (``reader:<id>``, services/versions.py: moved by any write in their requests and by any
row naming them) are the ones it was drawn under. A reader coming back to a book page (the
back button: signed-in pages are ``no-store``, so the browser asks again) gets it from here.

- **Who**: Flask-Login has loaded the reader as on every request (a suspended reader or an
  ended session is a visitor before this runs); a message waiting (flash) goes to the view.
- **Stored** by the WSGI layer (webapp/page_cache.py) from what Flask finally sent, only for a
  200 HTML page the view drew for the same reader and a response that set no cookie.
- **Where**: the page cache's kinds of store (memory per process, or Redis), a budget of its
  own (``READER_CACHE_MB``; 0: off). Off with the page cache.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from flask import Flask, Response, current_app, g, request, session
from flask_login import current_user

from webapp import caching
from webapp.services import versions

# Pages kept per reader → the versions they are drawn from besides the reader's own.
PAGES = {"books.detail": versions.PAGES["books.detail"]}
KEEP = "colophon.reader_keep"  # WSGI environ: (key, tag) of a page the layer may store
DROPPED_HEADERS = frozenset({"content-length", "x-page-cache", "x-reader-cache"})


def _plan() -> tuple[str, str] | None:
    """(key, tag) for this request, or None when it is not one to serve or keep."""
    if request.method != "GET" or request.endpoint not in PAGES:
        return None
    if not current_user.is_authenticated or "_flashes" in session:
        return None
    secret = session.get("csrf_token")
    if not secret:
        return None  # the page would mint the session's token: drawn, not kept
    from webapp.page_cache import encoding_family

    layer = current_app.extensions.get("page_cache_layer")
    keys = [*PAGES[request.endpoint](request.view_args or {}), ("reader", current_user.id)]
    found = versions.current(keys, layer.engine if layer is not None else None)
    mode = caching.fragment_mode(request.headers.get)
    family = encoding_family(request.headers.get("Accept-Encoding", ""))
    session_hash = hashlib.blake2b(str(secret).encode(), digest_size=8).hexdigest()
    query = request.query_string.decode("latin-1")
    key = f"{current_user.id}|{session_hash}|{request.path}?{query}|{mode}|{family}"
    day = datetime.now(UTC).date().isoformat()
    source = f"{caching.build_id(current_app)}|{key}|{day}|{tuple(found.values())}"
    return key, hashlib.blake2b(source.encode(), digest_size=12).hexdigest()


def serve() -> Response | None:
    """``before_request``: the reader's stored copy when it is current."""
    store = current_app.extensions.get("reader_cache")
    if store is None:
        return None
    plan = _plan()
    if plan is None:
        return None
    key, tag = plan
    entry = store.get(key)
    if entry is not None and entry[0] == tag:
        g.reader_cache_hit = True
        headers = [(k, v) for k, v in entry[1] if k.lower() not in DROPPED_HEADERS]
        return Response(entry[2], headers=[*headers, ("X-Reader-Cache", "hit")])
    g.reader_cache_plan = (key, tag, current_user.id)
    return None


def mark(response: Response) -> Response:
    """``after_request``: let the WSGI layer keep a page drawn for the reader it was planned for."""
    plan = g.get("reader_cache_plan")
    if (
        plan is not None
        and response.status_code == 200
        and response.mimetype == "text/html"
        and not response.is_streamed
        and current_user.is_authenticated
        and current_user.id == plan[2]
        and "_flashes" not in session
    ):
        request.environ[KEEP] = plan[:2]
    return response


def init_app(app: Flask) -> None:
    from webapp.page_cache import store_for

    megabytes = app.config.get("READER_CACHE_MB", 32)
    store = None
    if megabytes and app.config.get("PAGE_CACHE", "memory") != "off":
        store = store_for(app, megabytes, suffix="reader:")
    app.extensions["reader_cache"] = store
    if store is not None:
        app.before_request(serve)
        app.after_request(mark)
