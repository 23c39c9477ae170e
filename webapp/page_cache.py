"""A response cache in front of Flask for visitors' pages, checked against the data versions.

A visitor's GET of a public page (``services.versions.PAGES``) is answered here without
entering Flask when a stored copy carries the page's current ETag (webapp/caching.py): one
query reads the versions, the route is matched with the app's URL map, and the compressed
body goes out as stored. A matching ``If-None-Match`` gets a 304 here too. Everything else
goes to Flask untouched, and the versions read here ride along in the environ so Flask does
not read them again.

- **Key**: path, query, page or htmx fragment, the encoding chosen from ``Accept-Encoding``
  (zstd, br, gzip or identity) and the site's origin from ``SITE_URL`` (never the Host header; an
  untrusted Host goes to Flask, which refuses it).
- **Reads** the versions outside any session or app context: a pooled DBAPI cursor on SQLite
  (a hit costs ~0.16 ms of CPU in process), a prepared statement on a connection of its own on
  PostgreSQL (webapp/version_reads.py); so it sees committed data only, and its tests commit
  (``@pytest.mark.committed``).
- **Who**: visitors only. A request with a remember cookie, or a session cookie that signs in
  or carries a flashed message, goes to Flask. Copies are stored only from requests with no
  session cookie at all (so no one's session can leak into a shared copy), only for 200s that
  Flask marked cacheable (``colophon.cacheable``: a visitor, no session written) and set no
  cookie.
- **Where**: this process's memory, least recently used out first past ``PAGE_CACHE_MB``; or
  Redis (``PAGE_CACHE=redis``, the default with ``REDIS_URL``), shared by every worker and
  dyno, bounded the same way by a script that evicts the least recently used. A Redis that
  does not answer is a miss, never an error.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from datetime import timedelta

from flask import Flask
from itsdangerous import BadSignature
from sqlalchemy import Engine
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_cookie, parse_etags
from werkzeug.routing import RequestRedirect
from werkzeug.wsgi import get_host

from webapp import caching, reader_cache
from webapp.extensions import db
from webapp.page_stores import MemoryStore, RedisStore
from webapp.services import versions
from webapp.version_reads import DirectReader

log = logging.getLogger(__name__)


@functools.lru_cache(maxsize=256)
def encoding_family(accept: str) -> str:
    """zstd, br, gzip or identity: the coding Flask-Compress will choose for ``accept`` (the
    highest q; on a tie the first of ``caching.ENCODINGS``; ``*`` only when nothing named
    matches). Should the two ever disagree, the page is not stored (``_fill``), never served
    in the wrong coding. Kept per header: a handful of distinct ones, read on every hit."""
    best, best_q, any_q = "identity", 0.0, 0.0
    for part in accept.lower().split(","):
        coding, _, params = part.strip().partition(";")
        coding = coding.strip()
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 1.0
        if coding == "*":
            any_q = max(any_q, q)
        elif (
            coding in caching.ENCODINGS
            and q > 0
            and (
                q > best_q
                or (q == best_q and caching.ENCODINGS.index(coding) < caching.ENCODINGS.index(best))
            )
        ):
            best, best_q = coding, q
    if best_q == 0 and any_q > 0:
        return caching.ENCODINGS[0]
    return best


class PageCache:
    """The WSGI layer (see the module docstring)."""

    def __init__(self, wsgi_app: Callable, app: Flask, store):
        self.wsgi_app = wsgi_app
        self.app = app
        self.store = store
        self.static = (app.static_url_path or "/static").rstrip("/") + "/"
        self.adapter = app.url_map.bind("page-cache.invalid")
        self.origin = app.config.get("SITE_URL") or ""
        self.trusted_hosts = app.config.get("TRUSTED_HOSTS")
        self.session_cookie = app.config["SESSION_COOKIE_NAME"]
        self.remember_cookie = app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
        self.lifetime = timedelta(seconds=app.config["REMEMBER_COOKIE_DURATION"])
        with app.app_context():
            self.engine = lookup_engine(db.engine)

    # -- who and what ----------------------------------------------------------------------

    @property
    def readers(self):
        """Signed-in readers' kept pages (webapp/reader_cache.py), or None."""
        return self.app.extensions.get("reader_cache")

    def _session_state(self, environ: dict) -> str | tuple | None:
        """ "none" (no session cookie), "visitor" (one that neither signs in nor carries a
        message), ("reader", id, session key, CSRF secret) for a signed-in reader whose page
        may be kept, or None: the request is Flask's."""
        header = environ.get("HTTP_COOKIE")
        if not header:
            return "none"
        cookies = parse_cookie(header)
        raw = cookies.get(self.session_cookie)
        if raw is None:
            return None if self.remember_cookie in cookies else "none"
        serializer = self.app.session_interface.get_signing_serializer(self.app)
        try:
            max_age = int(self.app.permanent_session_lifetime.total_seconds())
            data = serializer.loads(raw, max_age=max_age) if serializer else {}
        except BadSignature:
            data = {}  # Flask ignores it too: a visitor
        if "_user_id" in data:
            found = reader_cache.reader_of(data) if self.readers is not None else None
            return ("reader", *found) if found else None
        if self.remember_cookie in cookies or "_flashes" in data:
            return None
        return "visitor"

    def _route(self, path: str) -> tuple[str, dict] | None:
        """The public page at ``path``, remembered: werkzeug's matcher cost a quarter of a
        hit's CPU, and the URL map does not change while the process runs."""
        return _match(self.adapter, path)

    def _plan(self, environ: dict):
        if environ.get("REQUEST_METHOD") != "GET" or "HTTP_RANGE" in environ:
            return None
        path = "/" + environ.get("PATH_INFO", "").encode("latin-1").decode(
            "utf-8", "replace"
        ).lstrip("/")
        if path.startswith(self.static):
            return None
        if self.trusted_hosts:
            try:
                get_host(environ, self.trusted_hosts)
            except Exception:  # werkzeug's SecurityError: Flask answers 400
                return None
        state = self._session_state(environ)
        if state is None:
            return None
        route = self._route(path)
        if route is None:
            return None
        endpoint, args = route
        if isinstance(state, tuple):
            return self._reader_plan(environ, state, endpoint, args, path)
        try:
            page_versions = versions.for_page(endpoint, args, self.engine)
        except Exception:  # the database is Flask's to report (503 page, logs)
            log.warning("page cache: versions lookup failed", exc_info=True)
            return None
        query = environ.get("QUERY_STRING", "")
        mode = caching.fragment_mode(
            lambda name: environ.get(f"HTTP_{name.upper().replace('-', '_')}")
        )
        family = encoding_family(environ.get("HTTP_ACCEPT_ENCODING", ""))
        tag = caching.page_etag(self.app, path, query, mode, page_versions)
        key = f"{self.origin}|{path}?{query}|{mode}|{family}"
        environ["colophon.page"] = (endpoint, args, page_versions)
        return key, tag, state, family

    def _reader_plan(self, environ: dict, state: tuple, endpoint: str, args: dict, path: str):
        """A signed-in reader's kept page: the versions and the session read in one query."""
        if endpoint not in reader_cache.PAGES:
            return None
        _, reader, session_key, secret = state
        keys = [*reader_cache.PAGES[endpoint](args), ("reader", reader)]
        try:
            found = reader_cache.read(keys, reader, session_key, self.lifetime, self.engine)
        except Exception:  # the database is Flask's to report
            log.warning("reader cache: versions lookup failed", exc_info=True)
            return None
        if found is None:
            return None  # not a live session: Flask-Login decides what the request is
        mode = caching.fragment_mode(
            lambda name: environ.get(f"HTTP_{name.upper().replace('-', '_')}")
        )
        family = encoding_family(environ.get("HTTP_ACCEPT_ENCODING", ""))
        query = environ.get("QUERY_STRING", "")
        key, tag = reader_cache.key_and_tag(
            self.app, reader, secret, path, query, mode, family, found
        )
        environ[reader_cache.PLAN] = (key, tag, reader)
        return key, tag, state, family

    # -- answering -------------------------------------------------------------------------

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        plan = self._plan(environ)
        if plan is None:
            return self.wsgi_app(environ, start_response)
        key, tag = plan[0], plan[1]
        if isinstance(plan[2], tuple):  # a signed-in reader's own copy, never a 304
            entry = self.readers.get(key)
            if entry is not None and entry[0] == tag:
                start_response("200 OK", [*entry[1], ("X-Reader-Cache", "hit")])
                return [entry[2]]
            return self._fill_reader(environ, start_response)
        if parse_etags(environ.get("HTTP_IF_NONE_MATCH")).contains_weak(tag):
            start_response("304 Not Modified", caching.not_modified_headers(self.app, tag))
            return []
        entry = self.store.get(key)
        if entry is not None and entry[0] == tag:
            start_response("200 OK", [*entry[1], ("X-Page-Cache", "hit")])
            return [entry[2]]
        return self._fill(environ, start_response, plan)

    def _fill(self, environ, start_response, plan):
        """A visitor's page: kept when Flask marked it cacheable under this very tag, for a
        request that had no session at all, in the encoding the key names."""
        key, tag, state, family = plan

        def wanted(headers):
            encoding = dict(headers).get("Content-Encoding", "identity")
            if (
                state == "none"
                and environ.get("colophon.cacheable") == tag
                and encoding in (family, "identity")
            ):
                return key, tag
            return None

        return self._keep(environ, start_response, self.store, wanted, ("X-Page-Cache", "miss"))

    def _fill_reader(self, environ, start_response):
        """A signed-in reader's page that Flask marked for keeping (webapp/reader_cache.py)."""
        return self._keep(
            environ, start_response, self.readers, lambda _: environ.get(reader_cache.KEEP)
        )

    def _keep(self, environ, start_response, store, wanted, *extra):
        """Let Flask answer; store what it sent under ``wanted(headers)`` — (key, tag), given
        once Flask has run — when that is not None, the answer is a 200 and it set no cookie."""
        seen: dict = {}

        def capture(status, headers, exc_info=None):
            seen["status"], seen["headers"] = status, list(headers)
            headers.extend(extra)
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, capture)
        headers = seen.get("headers") or []
        found = wanted(headers) if seen.get("status", "").startswith("200 ") else None
        if (
            store is None
            or found is None
            or any(name.lower() == "set-cookie" for name, _ in headers)
        ):
            return body
        try:
            content = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        if len(content) <= max(store.max_bytes // 8, 1):
            store.put(found[0], (found[1], headers, content))
        return [content]


@functools.lru_cache(maxsize=4096)
def _match(adapter, path: str) -> tuple[str, dict] | None:
    try:
        endpoint, args = adapter.match(path, method="GET")
    except (HTTPException, RequestRedirect):
        return None
    return (endpoint, args) if endpoint in versions.PAGES else None


def lookup_engine(engine: Engine) -> Engine | DirectReader:
    """Where the cache reads versions: the app's engine on SQLite (a pooled cursor, no round
    trip); on PostgreSQL a few connections of its own with the read prepared
    (webapp/version_reads.py, where the choice is measured)."""
    if engine.dialect.name != "postgresql":
        return engine
    return DirectReader(engine, engine.pool.size() if hasattr(engine.pool, "size") else 5)


def store_for(app: Flask, megabytes: int | None = None, suffix: str = ""):
    """The configured store (``megabytes``: the page cache's own budget when None), or None
    when ``PAGE_CACHE=off``. ``suffix`` follows the prefix of its keys in Redis (readers'
    pages have their own, with their own budget)."""
    kind = app.config.get("PAGE_CACHE", "memory")
    if megabytes is None:
        megabytes = app.config.get("PAGE_CACHE_MB", 64)
    max_bytes = megabytes * 1024 * 1024
    if kind == "off":
        return None
    if kind == "redis":
        url = app.config.get("PAGE_CACHE_REDIS_URL") or app.config.get("REDIS_URL")
        if url:
            base = app.config.get("PAGE_CACHE_PREFIX", "colophon:page:")
            return RedisStore(url, max_bytes, base + suffix)
        log.warning("PAGE_CACHE=redis without REDIS_URL: keeping pages in memory")
    return MemoryStore(max_bytes)


def wrap(app: Flask, wsgi_app: Callable) -> Callable:
    store = store_for(app)
    app.extensions["page_cache"] = store
    if store is None:
        return wsgi_app
    layer = app.extensions["page_cache_layer"] = PageCache(wsgi_app, app, store)
    return layer


def dispose(app: Flask) -> None:
    """Close the cache's own connections (with ``db.engine.dispose()``, e.g. in tests)."""
    layer = app.extensions.get("page_cache_layer")
    if layer is not None:
        layer.engine.dispose()
