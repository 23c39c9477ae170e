"""Absolute links come from SITE_URL; production answers only its TRUSTED_HOSTS."""

from __future__ import annotations

import secrets

import pytest

from tests.factories import make_book
from webapp.config import ConfigError, load_config
from webapp.hosts import SiteUrlError, parse_hosts, parse_site_url

SITE = "https://books.example.org"
HTTPS = {"X-Forwarded-Proto": "https"}


@pytest.fixture
def prod(make_app):
    return make_app(
        COLOPHON_ENV="production",
        SECRET_KEY=secrets.token_hex(32),
        SITE_URL=SITE,
        TRUSTED_HOSTS=["books.example.org"],
    )


def test_a_forged_host_is_not_reflected_into_canonical_or_og_links(app, client):
    book = make_book("Dune")
    html = client.get(f"/books/{book.id}-dune", headers={"Host": "evil.example"}).text
    assert "evil.example" not in html
    assert f'<link rel="canonical" href="http://localhost/books/{book.id}-dune">' in html
    assert f'property="og:image" content="http://localhost/books/{book.id}/share.png?v=' in html


def test_production_refuses_unknown_hosts_with_a_plain_400(prod):
    client = prod.test_client()
    with prod.app_context():
        book_id = make_book("Dune").id
    for host in ("evil.example", "books.example.org.evil.example", "localhost"):
        response = client.get(f"/books/{book_id}-dune", headers={**HTTPS, "Host": host})
        assert response.status_code == 400, host
        assert "unknown host" in response.text and host not in response.text
    response = client.post("/login", headers={**HTTPS, "Host": "evil.example"})
    assert response.status_code == 400


def test_production_serves_its_own_host_with_links_on_site_url(prod):
    client = prod.test_client()
    with prod.app_context():
        book_id = make_book("Dune").id
    response = client.get(f"/books/{book_id}-dune", headers={**HTTPS, "Host": "books.example.org"})
    assert response.status_code == 200
    assert f'<meta property="og:url" content="{SITE}/books/{book_id}-dune">' in response.text


def test_without_site_url_pages_leave_out_absolute_links(make_app):
    app = make_app(SITE_URL=None)
    with app.app_context():
        book_id = make_book("Dune").id
    html = app.test_client().get(f"/books/{book_id}-dune", headers={"Host": "evil.example"}).text
    assert response_ok(html) and "evil.example" not in html
    assert 'rel="canonical"' not in html and "og:url" not in html and "og:image" not in html
    assert f'itemprop="url" href="/books/{book_id}-dune"' in html


def response_ok(html: str) -> bool:
    return "<h1" in html and "Dune" in html


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://Books.Example.org", "https://books.example.org"),
        ("https://books.example.org/", "https://books.example.org"),
        ("http://localhost:5000", "http://localhost:5000"),
    ],
)
def test_site_url_is_normalised_to_an_origin(value, expected):
    assert parse_site_url(value) == expected


@pytest.mark.parametrize(
    "value", ["books.example.org", "ftp://books.example.org", "https://x.org/shop", "https://"]
)
def test_site_url_that_is_not_an_origin_is_refused(value, monkeypatch):
    with pytest.raises(SiteUrlError):
        parse_site_url(value)
    monkeypatch.setenv("SITE_URL", value)
    with pytest.raises(ConfigError, match="SITE_URL"):
        load_config("production", secrets.token_hex(32))


def test_production_trusts_site_url_host_unless_told_otherwise(monkeypatch):
    monkeypatch.setenv("SITE_URL", "https://books.example.org")
    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)
    config = load_config("production", secrets.token_hex(32))
    assert config["SITE_URL"] == SITE and config["TRUSTED_HOSTS"] == ["books.example.org"]
    monkeypatch.setenv("TRUSTED_HOSTS", "books.example.org, .books.example.org")
    config = load_config("production", secrets.token_hex(32))
    assert config["TRUSTED_HOSTS"] == ["books.example.org", ".books.example.org"]
    monkeypatch.delenv("TRUSTED_HOSTS")
    assert load_config("development")["TRUSTED_HOSTS"] is None  # any host while developing
    assert parse_hosts(" , ") is None
