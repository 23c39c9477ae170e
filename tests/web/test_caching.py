"""HTTP caching: compressed pages, versioned ETag → 304 for visitors before rendering, never for
signed-in readers."""

from __future__ import annotations

import gzip

import brotli
import pytest
from backports import zstd

from tests.factories import make_book, make_review


@pytest.fixture
def book(app, users):
    book = make_book("Dune", authors=("Frank Herbert",), description="Spice and **sand**.")
    make_review(users("paul"), book, "4", title="Sandy", body="A long read. " * 80)
    return book


def page(book) -> str:
    return f"/books/{book.id}-dune"


def test_visitor_gets_weak_etag_and_304_on_repeat(client, book):
    first = client.get(page(book))
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    assert first.headers["Cache-Control"] == "public, max-age=0, s-maxage=0"
    assert {"Cookie", "HX-Request", "Accept-Encoding"} <= set(first.headers["Vary"].split(", "))
    assert "Set-Cookie" not in first.headers  # nothing per-visitor: a shared cache may keep it

    again = client.get(page(book), headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag


def test_a_change_to_the_page_gives_a_new_etag(client, book, users):
    etag = client.get(page(book)).headers["ETag"]
    make_review(users("chani"), book, "5", title="Desert power")
    changed = client.get(page(book), headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert "Desert power" in changed.get_data(as_text=True)
    assert changed.headers["ETag"] != etag


def test_a_304_is_answered_from_the_versions_without_loading_or_rendering(
    app, client, book, count_queries
):
    from flask import template_rendered

    url = page(book)
    etag = client.get(url).headers["ETag"]
    rendered = []

    def record(sender, template, context, **extra):
        rendered.append(template.name)

    template_rendered.connect(record, app)
    try:
        with count_queries() as statements:
            again = client.get(url, headers={"If-None-Match": etag})
    finally:
        template_rendered.disconnect(record, app)
    assert again.status_code == 304
    assert rendered == []
    assert len(statements) == 1, statements  # the versions, nothing else
    assert again.headers["Cache-Control"].startswith("public")
    assert "Cookie" in again.headers["Vary"]


def test_the_etag_names_the_url_and_page_or_fragment(client, book):
    full = client.get(f"/books/{book.id}/reviews").headers["ETag"]
    fragment = client.get(f"/books/{book.id}/reviews", headers={"HX-Request": "true"})
    boosted = client.get(
        f"/books/{book.id}/reviews", headers={"HX-Request": "true", "HX-Boosted": "true"}
    )
    newest = client.get(f"/books/{book.id}/reviews?sort=newest").headers["ETag"]
    assert len({full, fragment.headers["ETag"], newest}) == 3
    assert boosted.headers["ETag"] == full
    assert client.get(page(book), headers={"If-None-Match": full}).status_code == 200


def test_a_visitor_with_a_message_waiting_gets_the_page_not_a_304(client, book):
    etag = client.get(page(book)).headers["ETag"]
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Signed out.")]
    response = client.get(page(book), headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "Signed out." in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "private, no-store"


def test_cdn_max_age_is_the_shared_caches_lifetime(make_app, book):
    client = make_app(CDN_MAX_AGE=30).test_client()
    response = client.get(page(book))
    assert response.headers["Cache-Control"] == "public, max-age=0, s-maxage=30"


@pytest.mark.parametrize(
    "path", ["/", "/books", "/books?q=dune", "/u/paul", "/books/{id}/reviews"], ids=str
)
def test_public_pages_answer_304_to_visitors(client, book, path):
    path = path.format(id=book.id)
    etag = client.get(path).headers["ETag"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304


def test_signed_in_pages_are_private_and_never_304(client, book, users, auth):
    users("reader")
    auth.login("reader")
    response = client.get(page(book))
    assert response.status_code == 200
    assert "ETag" not in response.headers
    assert response.headers["Cache-Control"] == "private, no-store"
    visitor_etag = 'W/"anything"'
    assert client.get(page(book), headers={"If-None-Match": visitor_etag}).status_code == 200
    fragment = client.get(f"/books/{book.id}/reviews", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "ETag" not in fragment.headers
    assert fragment.headers["Cache-Control"] == "private, no-store"


def test_a_visitor_page_that_writes_the_session_is_not_cacheable(client, book):
    login = client.get("/login")  # mints a CSRF token into the session cookie
    assert "Set-Cookie" in login.headers
    assert "ETag" not in login.headers
    assert login.headers["Cache-Control"] == "private, no-store"


def test_errors_and_redirects_carry_no_etag(client, book):
    assert "ETag" not in client.get("/books/999999").headers
    redirect = client.get(f"/books/{book.id}")
    assert redirect.status_code == 301
    assert "ETag" not in redirect.headers


@pytest.mark.parametrize(
    ("accept", "encoding", "decode"),
    [
        ("gzip, deflate, br, zstd", "zstd", zstd.decompress),
        ("br", "br", brotli.decompress),
        ("gzip", "gzip", gzip.decompress),
    ],
    ids=["zstd", "br", "gzip"],
)
def test_pages_are_compressed_when_the_client_accepts_it(client, book, accept, encoding, decode):
    plain = client.get(page(book))
    packed = client.get(page(book), headers={"Accept-Encoding": accept})
    assert packed.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert len(packed.data) < len(plain.data) / 3
    assert decode(packed.data) == plain.data
    # One ETag for every encoding of the page (weak: same content, other bytes).
    assert packed.headers["ETag"] == plain.headers["ETag"]
    not_modified = client.get(
        page(book), headers={"Accept-Encoding": accept, "If-None-Match": plain.headers["ETag"]}
    )
    assert not_modified.status_code == 304
    assert "Content-Encoding" not in not_modified.headers


def test_tiny_responses_are_not_compressed(client, app):
    response = client.get("/healthz", headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers


def test_static_files_come_precompressed_from_whitenoise_once(client, app):
    from webapp.assets import asset_url

    with app.test_request_context():
        url = asset_url("css/site.css")
    response = client.get(url, headers={"Accept-Encoding": "br"})
    body = response.get_data()
    response.close()
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "br"  # once: not compressed again
    assert brotli.decompress(body).strip()
    assert "Cache-Control" in response.headers  # WhiteNoise's, untouched by the page hooks
