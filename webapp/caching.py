"""HTTP caching of pages: compression, versioned ETags answered before rendering, no-store.

- **Compression** (Flask-Compress): zstd, brotli or gzip for text responses of 500 bytes and
  more.
  Static files never reach Flask: WhiteNoise serves their pre-compressed ``.br``/``.gz``.
- **Versioned ETags** for visitors on public pages (``services.versions.PAGES``): the tag is a
  hash of the data versions the page is built from, the build (code, templates, assets), the
  URL, page-or-fragment and the day (pages say "today"). It is known before anything is loaded,
  so a matching ``If-None-Match`` is answered ``304`` by ``precondition`` with one query and no
  rendering; the response cache in front of Flask (webapp/page_cache.py) uses the same tag.
  ``Cache-Control: public, max-age=0, s-maxage=CDN_MAX_AGE`` and ``Vary: Cookie``: browsers ask
  again each time, a CDN may keep the page for ``CDN_MAX_AGE`` seconds (0: it asks too).
- **Signed-in** responses are per-reader (own review, votes, CSRF token):
  ``Cache-Control: private, no-store`` and never an ETag. So are visitors' responses that
  write the session cookie (a flash shown once, a CSRF token minted for a form).
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from flask import Flask, Response, current_app, g, request, session
from flask_compress import Compress
from flask_login import current_user

from webapp.extensions import db
from webapp.services import versions

compress = Compress()

# Public pages that look the same to every visitor (htmx fragments of them included).
PUBLIC_ENDPOINTS = frozenset(versions.PAGES)

# What a page is compressed with, preferred first when a client accepts several equally:
# zstd (Chrome, Edge, Firefox), brotli (Safari), gzip. zstd level 3 compresses the 43 KB
# book page in 0.05 ms to 6.6 KB; brotli 4 takes 0.17–0.19 ms for 6.4 KB (bench/README.md,
# session 7). Every page is under 14 KB compressed, one round trip either way.
ENCODINGS = ("zstd", "br", "gzip")

COMPRESS_SETTINGS = {
    "COMPRESS_MIMETYPES": [
        "text/html",
        "text/css",
        "text/plain",
        "text/xml",
        "application/json",
        "application/javascript",
        "image/svg+xml",
    ],
    "COMPRESS_ALGORITHM": list(ENCODINGS),
    "COMPRESS_ZSTD_LEVEL": 3,
    # Level 4 brotli is about as fast as gzip -6 and ~10 % smaller on our pages.
    "COMPRESS_BR_LEVEL": 4,
    "COMPRESS_LEVEL": 6,
    "COMPRESS_MIN_SIZE": 500,
    # conditional_get below has already answered If-None-Match, before compressing.
    "COMPRESS_EVALUATE_CONDITIONAL_REQUEST": False,
}

PRIVATE = "private, no-store"
# Caches must tell pages from fragments (boosted links and history restores get pages) and
# visitors from signed-in readers (their cookie).
PUBLIC_VARY = (
    "Accept-Encoding",
    "Cookie",
    "HX-Request",
    "HX-Boosted",
    "HX-History-Restore-Request",
)
ROOT = Path(__file__).resolve().parent.parent


@cache
def code_hash() -> str:
    """The deployed code and templates (a platform's commit id when it gives one)."""
    for name in ("SOURCE_VERSION", "HEROKU_SLUG_COMMIT", "GIT_COMMIT"):
        if os.environ.get(name):
            return os.environ[name]
    digest = hashlib.blake2b(digest_size=8)
    for folder, pattern in ((ROOT / "webapp", "*.py"), (ROOT / "templates", "*")):
        for path in sorted(folder.rglob(pattern)):
            if path.is_file():
                digest.update(path.relative_to(ROOT).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def build_id(app: Flask) -> str:
    """Code, templates, assets and site origin: a deploy changes every tag."""
    found = app.extensions.get("page_build")
    if found is None:
        assets = app.extensions.get("colophon_assets")
        found = f"{code_hash()}.{assets.build_dir.name if assets else ''}.{app.config['SITE_URL']}"
        app.extensions["page_build"] = found
    return found


def fragment_mode(header) -> str:
    """ "fragment" for an htmx swap, else "page" (webapp.htmx.is_partial, from raw headers)."""
    if header("HX-Request") != "true":
        return "page"
    if header("HX-Boosted") == "true" or header("HX-History-Restore-Request") == "true":
        return "page"
    return "fragment"


def page_etag(app: Flask, path: str, query: str, mode: str, page_versions: tuple) -> str:
    """The tag of a visitor's page: same inputs, same page (see the module docstring)."""
    day = datetime.now(UTC).date().isoformat()
    source = f"{build_id(app)}|{path}?{query}|{mode}|{day}|{page_versions}"
    return hashlib.blake2b(source.encode(), digest_size=12).hexdigest()


def public_cache_control(app: Flask) -> str:
    return f"public, max-age=0, s-maxage={app.config['CDN_MAX_AGE']}"


def visitor_page_tag() -> str | None:
    """This request's versioned ETag, for a visitor without a message waiting; else None.

    The response cache may have read the versions already (``colophon.page`` in the WSGI
    environ, for this very endpoint and arguments); otherwise one query reads them.
    """
    if request.method not in ("GET", "HEAD") or request.endpoint not in PUBLIC_ENDPOINTS:
        return None
    if current_user.is_authenticated or "_flashes" in session:
        return None
    known = request.environ.get("colophon.page")
    if known and known[0] == request.endpoint and known[1] == request.view_args:
        page_versions = known[2]
    else:
        # On the request's own connection, which the page's queries use next: one checkout
        # (and pre-ping) a request, not a second one returned (and rolled back) at once.
        connection = db.session.connection()
        page_versions = versions.for_page(request.endpoint, request.view_args or {}, connection)
    query = request.query_string.decode("latin-1")
    mode = fragment_mode(request.headers.get)
    return page_etag(current_app, request.path, query, mode, page_versions)


def not_modified(app: Flask, tag: str) -> Response:
    response = Response(status=304)
    del response.headers["Content-Type"]
    response.set_etag(tag, weak=True)
    response.headers["Cache-Control"] = public_cache_control(app)
    for header in PUBLIC_VARY:
        response.vary.add(header)
    return response


def not_modified_headers(app: Flask, tag: str) -> list[tuple[str, str]]:
    """``not_modified``'s headers as a list, built once per app: the page cache answers
    revalidations with them, and a ``Response`` per 304 was a fifth of the answer's CPU."""
    base = app.extensions.get("not_modified_headers")
    if base is None:
        built = not_modified(app, "-").headers
        base = app.extensions["not_modified_headers"] = [
            (name, value) for name, value in built.items() if name != "ETag"
        ]
    return [("ETag", f'W/"{tag}"'), *base]


def precondition() -> Response | None:
    """Answer a visitor's ``If-None-Match`` from the versions alone: no ORM, no template."""
    tag = visitor_page_tag()
    if tag is None:
        return None
    g.page_etag = tag
    if request.if_none_match.contains_weak(tag):
        return not_modified(current_app, tag)
    return None


def conditional_get(response: Response) -> Response:
    """Versioned ETag + public caching for visitors' pages; ``private, no-store`` when signed in."""
    if request.method not in ("GET", "HEAD") or "Cache-Control" in response.headers:
        return response
    if current_user.is_authenticated or session.modified:
        response.headers["Cache-Control"] = PRIVATE
        return response
    tag = g.get("page_etag")
    if (
        tag is None
        or response.status_code != 200
        or response.is_streamed
        or response.mimetype != "text/html"
    ):
        return response
    response.set_etag(tag, weak=True)
    response.headers["Cache-Control"] = public_cache_control(current_app)
    # One parse and one write of the header, not one of each per name (as ``add`` does).
    response.vary.update(PUBLIC_VARY)
    request.environ["colophon.cacheable"] = tag  # the response cache may keep this one
    return response.make_conditional(request)


def init_app(app: Flask) -> None:
    for key, value in COMPRESS_SETTINGS.items():
        app.config.setdefault(key, value)
    compress.init_app(app)
    app.before_request(precondition)
    app.after_request(conditional_get)
