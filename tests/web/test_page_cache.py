"""The visitors' page cache in front of Flask (webapp/page_cache.py), in memory and on Redis.

The cache reads the versions on the engine's own pool, outside the test's transaction, so its
tests commit (``committed``: real commits, tables emptied afterwards).
"""

from __future__ import annotations

import gzip
import uuid

import brotli
import pytest
from backports import zstd
from flask import request_started
from flask_compress.flask_compress import _choose_algorithm

from tests.conftest import AuthActions, Browserless
from tests.factories import make_book, make_review
from webapp.caching import ENCODINGS
from webapp.page_cache import encoding_family
from webapp.page_stores import MemoryStore
from webapp.version_reads import DirectReader

from .conftest import REDIS_URL


@pytest.fixture
def dune(cached_app, users):
    book = make_book("Dune", authors=("Frank Herbert",))
    make_review(users("paul"), book, "4", title="Sandy", body="A long read. " * 80)
    users("chani")
    return f"/books/{book.id}-{book.slug}", book


def users_named(name):
    from webapp.extensions import db
    from webapp.models import User

    return db.session.query(User).filter_by(username=name).one()


def entered_flask(app, client, url, **kwargs) -> tuple:
    """(response, whether Flask saw the request)."""
    seen = []

    def record(sender, **extra):
        seen.append(1)

    request_started.connect(record, app)
    try:
        response = client.get(url, **kwargs)
    finally:
        request_started.disconnect(record, app)
    return response, bool(seen)


@pytest.mark.committed
def test_a_visitors_second_view_is_answered_without_entering_flask(cached_app, dune, monkeypatch):
    from sqlalchemy import event

    url, _ = dune
    visitor = cached_app.test_client()
    first, flask_saw_first = entered_flask(cached_app, visitor, url)
    assert first.headers["X-Page-Cache"] == "miss" and flask_saw_first
    reads = []  # the versions are read once, past SQLAlchemy's session

    def record(*args):
        reads.append(1)

    engine = cached_app.extensions["page_cache_layer"].engine
    if isinstance(engine, DirectReader):  # PostgreSQL: its own prepared read
        real_fetch = engine.fetch
        monkeypatch.setattr(engine, "fetch", lambda *a: record() or real_fetch(*a))
        again, flask_saw = entered_flask(cached_app, cached_app.test_client(), url)
    else:  # SQLite: a pooled DBAPI cursor
        event.listen(engine, "checkout", record)
        try:
            again, flask_saw = entered_flask(cached_app, cached_app.test_client(), url)
        finally:
            event.remove(engine, "checkout", record)
    assert again.headers["X-Page-Cache"] == "hit"
    assert not flask_saw
    assert len(reads) == 1  # one read of the versions
    assert again.data == first.data
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Cache-Control"].startswith("public")
    not_modified, flask_saw = entered_flask(
        cached_app, visitor, url, headers={"If-None-Match": first.headers["ETag"]}
    )
    assert not_modified.status_code == 304 and not flask_saw


@pytest.mark.committed
def test_a_review_save_is_visible_to_the_next_visitor_at_once(cached_app, dune):
    url, _ = dune
    visitor = cached_app.test_client()
    visitor.get(url)
    assert visitor.get(url).headers["X-Page-Cache"] == "hit"
    reader = AuthActions(Browserless(cached_app.test_client()))
    reader.login("chani")
    _, book = dune
    saved = reader.web.post(
        f"/books/{book.id}/review", {"rating": "5", "title": "Desert power", "body": "Yes."}
    )
    assert saved.status_code == 303
    after = visitor.get(url)
    assert after.headers["X-Page-Cache"] == "miss"
    assert "Desert power" in after.get_data(as_text=True)
    assert visitor.get(url).headers["X-Page-Cache"] == "hit"


@pytest.mark.committed
def test_a_review_saved_in_one_worker_is_seen_by_the_next_visitor_of_another(make_app, users):
    """Two workers (apps with their own memory caches and connections; only the database is
    shared), each holding the page: a save through one is the next page of the other."""
    one, two = (make_app(PAGE_CACHE="memory") for _ in range(2))
    with one.app_context():
        book = make_book("Middlemarch", authors=("George Eliot",))
        users("dorothea")
        url = f"/books/{book.id}-{book.slug}"
    for app in (one, two):
        app.test_client().get(url)
        assert app.test_client().get(url).headers["X-Page-Cache"] == "hit"
    reader = AuthActions(Browserless(one.test_client()))
    reader.login("dorothea")
    saved = reader.web.post(
        f"/books/{book.id}/review", {"rating": "5", "title": "Unhistoric acts", "body": "Yes."}
    )
    assert saved.status_code == 303
    fresh = two.test_client().get(url)
    assert fresh.headers["X-Page-Cache"] == "miss"
    assert "Unhistoric acts" in fresh.get_data(as_text=True)


@pytest.mark.committed
def test_list_author_and_profile_pages_are_kept_and_a_list_change_shows_at_once(cached_app, dune):
    from webapp.services import lists

    url, book = dune
    paul = users_named("paul")
    picks = lists.create(paul, "Desert reading")
    lists.add(paul, picks, book)
    pages = [
        f"/lists/{picks.id}",
        "/u/paul/lists",
        f"/authors/{book.authors[0].id}-{book.authors[0].slug}",
        "/u/paul",
    ]
    visitor = cached_app.test_client()
    for page in pages:
        first = visitor.get(page)
        assert first.status_code == 200 and "Set-Cookie" not in first.headers, page
        assert visitor.get(page).headers["X-Page-Cache"] == "hit", page
    maker = AuthActions(Browserless(cached_app.test_client()))
    maker.login("paul")
    noted = maker.web.post(f"/lists/{picks.id}/books/{book.id}/note", {"note": "Spice first."})
    assert noted.status_code == 303
    after = visitor.get(pages[0])
    assert after.headers["X-Page-Cache"] == "miss" and "Spice first." in after.get_data(
        as_text=True
    )


@pytest.mark.committed
def test_signed_in_readers_and_waiting_messages_go_to_flask(cached_app, dune):
    url, _ = dune
    cached_app.test_client().get(url)
    reader = AuthActions(Browserless(cached_app.test_client()))
    reader.login("chani")
    page, flask_saw = entered_flask(cached_app, reader.web.client, url)
    assert flask_saw and "X-Page-Cache" not in page.headers
    assert page.headers["Cache-Control"] == "private, no-store"

    flashed = cached_app.test_client()
    with flashed.session_transaction() as session:
        session["_flashes"] = [("info", "Welcome back.")]
    page, flask_saw = entered_flask(cached_app, flashed, url)
    assert flask_saw and "Welcome back." in page.get_data(as_text=True)
    assert "X-Page-Cache" not in page.headers


@pytest.mark.committed
def test_a_visitor_with_a_session_is_served_but_never_stored_from(cached_app, dune):
    url, _ = dune
    with_session = cached_app.test_client()
    with_session.get("/login")  # a CSRF token in the session cookie
    assert with_session.get(url).headers["X-Page-Cache"] == "miss"
    assert with_session.get(url).headers["X-Page-Cache"] == "miss"  # not kept from them
    cached_app.test_client().get(url)  # a cookie-less visitor fills it
    assert with_session.get(url).headers["X-Page-Cache"] == "hit"


@pytest.mark.committed
def test_the_key_ignores_the_host_header(cached_app, dune):
    url, _ = dune
    cached_app.test_client().get(url)
    other_host = cached_app.test_client().get(url, headers={"Host": "evil.example"})
    assert other_host.headers["X-Page-Cache"] == "hit"
    assert b"evil.example" not in other_host.data


@pytest.mark.committed
def test_untrusted_hosts_are_refused_by_flask_not_served(shared_app, transaction, users):
    app = shared_app(PAGE_CACHE="memory", TRUSTED_HOSTS=("books.example",))
    with app.app_context():
        app.extensions["page_cache"].clear()
        client = app.test_client()
        assert client.get("/", headers={"Host": "books.example"}).status_code == 200
        assert client.get("/", headers={"Host": "books.example"}).headers["X-Page-Cache"] == "hit"
        assert client.get("/", headers={"Host": "evil.example"}).status_code == 400


@pytest.mark.committed
@pytest.mark.parametrize(
    ("accept", "encoding", "decode"),
    [
        ("gzip, deflate, br, zstd", "zstd", zstd.decompress),
        ("gzip, deflate, br", "br", brotli.decompress),
        ("gzip", "gzip", gzip.decompress),
        ("", None, bytes),
    ],
    ids=["chrome-zstd", "safari-br", "gzip", "identity"],
)
def test_each_encoding_is_kept_compressed_and_apart(cached_app, dune, accept, encoding, decode):
    url, _ = dune
    bodies = []
    for expected in ("miss", "hit"):
        response = cached_app.test_client().get(url, headers={"Accept-Encoding": accept})
        assert response.headers["X-Page-Cache"] == expected
        assert response.headers.get("Content-Encoding") == encoding
        bodies.append(decode(response.data))
    plain = cached_app.test_client().get(url, headers={"Accept-Encoding": "identity"}).data
    assert bodies == [plain, plain]


# Accept-Encoding as browsers, tools and odd clients send it.
ACCEPTS = [
    "gzip, deflate, br, zstd",  # Chrome, Edge, Firefox
    "gzip, deflate, br",  # Safari
    "br, gzip",
    "gzip;q=1.0, br;q=0.5",
    "br;q=0, gzip",
    "zstd;q=0.5, br;q=0.9, gzip;q=0.1",
    "deflate, gzip",
    "deflate",
    "GZIP",
    "*",
    "compress, *",
    "br;q=0.8, *;q=0.1",
    "identity",
    "",
]


def test_encoding_family():
    assert encoding_family("gzip, deflate, br, zstd") == "zstd"
    assert encoding_family("gzip, deflate, br") == "br"
    assert encoding_family("gzip;q=1.0, br;q=0.5") == "gzip"
    assert encoding_family("br;q=0, gzip") == "gzip"
    assert encoding_family("zstd;q=0.5, br;q=0.9, gzip;q=0.1") == "br"
    assert encoding_family("identity") == "identity"
    assert encoding_family("") == "identity"
    assert encoding_family("*") == "zstd"
    assert encoding_family("br;q=0.8, *;q=0.1") == "br"


@pytest.mark.parametrize("accept", ACCEPTS)
def test_encoding_family_is_the_coding_flask_compress_sends(accept):
    """The key names the coding the stored body will have: a disagreement would store nothing
    for that client (``_fill`` checks), so they agree on every header above."""
    assert encoding_family(accept) == (_choose_algorithm(ENCODINGS, accept) or "identity")


@pytest.mark.committed
def test_other_pages_and_errors_are_never_kept(cached_app, dune):
    client = cached_app.test_client()
    for _ in range(2):
        assert "X-Page-Cache" not in client.get("/login").headers  # not a versioned page
        missing = client.get("/books/999999-nothing")
        assert missing.status_code == 404
        assert missing.headers["X-Page-Cache"] == "miss"


def test_the_memory_store_drops_the_least_recently_used_past_its_size():
    store = MemoryStore(max_bytes=3000)
    for name in "abc":
        store.put(name, ("t", [], b"x" * 900))
    assert store.get("a") is not None  # now the most recently used
    store.put("d", ("t", [], b"x" * 900))
    assert store.get("b") is None
    assert all(store.get(n) is not None for n in "acd")
    assert store.size <= 3000


# --- Redis: shared by every worker ------------------------------------------------------------


@pytest.mark.committed
def test_workers_share_pages_through_redis_and_a_write_shows_at_once(redis_apps, users):
    one, two = redis_apps  # two workers' apps on one Redis
    with one.app_context():
        book = make_book("Emma", authors=("Jane Austen",))
        users("harriet")
        url = f"/books/{book.id}-{book.slug}"
        assert one.test_client().get(url).headers["X-Page-Cache"] == "miss"
        assert two.test_client().get(url).headers["X-Page-Cache"] == "hit"
        make_review(users("knightley"), book, "5", title="Badly done, Emma")
        fresh = two.test_client().get(url)
        assert fresh.headers["X-Page-Cache"] == "miss"
        assert "Badly done, Emma" in fresh.get_data(as_text=True)
        assert one.test_client().get(url).headers["X-Page-Cache"] == "hit"


def test_the_redis_store_is_bounded_and_drops_the_least_recently_used(redis_apps):
    from webapp.page_stores import RedisStore

    store = RedisStore(REDIS_URL, max_bytes=3000, prefix=f"test-page:{uuid.uuid4().hex}:")
    try:
        for name in "abc":
            store.put(name, ("t", [["Content-Type", "text/html"]], b"x" * 900))
        assert store.get("a") is not None
        store.put("d", ("t", [], b"x" * 900))
        assert store.get("b") is None
        assert all(store.get(n) is not None for n in "acd")
        assert int(store.client.get(store.total)) <= 3000
    finally:
        store.clear()


@pytest.mark.committed
def test_redis_not_answering_is_a_miss_not_an_error(make_app, users):
    app = make_app(PAGE_CACHE="redis", PAGE_CACHE_REDIS_URL="redis://127.0.0.1:1/0")
    with app.app_context():
        book = make_book("Persuasion", authors=("Jane Austen",))
        url = f"/books/{book.id}-{book.slug}"
        for _ in range(2):
            response = app.test_client().get(url)
            assert response.status_code == 200
            assert response.headers["X-Page-Cache"] == "miss"


@pytest.mark.committed
def test_a_readers_want_to_read_never_reaches_a_cached_visitors_page(cached_app, dune):
    """Cards carry the reader's shelf state; visitors' copies only a sign-in link."""
    _, book = dune
    visitor = cached_app.test_client()
    reader = AuthActions(Browserless(cached_app.test_client()))
    reader.login("chani")
    assert reader.web.post(f"/books/{book.id}/want", {"next": "/books"}).status_code == 303
    page, flask_saw = entered_flask(cached_app, reader.web.client, "/books")
    assert flask_saw and page.headers["Cache-Control"] == "private, no-store"
    assert 'aria-pressed="true"' in page.get_data(as_text=True)
    for expected in ("miss", "hit"):
        seen = visitor.get("/books")
        assert seen.headers["X-Page-Cache"] == expected
        html = seen.get_data(as_text=True)
        assert "aria-pressed" not in html and "csrf_token" not in html
        assert 'href="/login?next=/books"' in html
