"""Hostile or odd input gets a 4xx with a clear message, never a 5xx (each case the fuzz found
or the issue listed), and an unreachable database gets 503 with Retry-After."""

from __future__ import annotations

import contextlib

import pytest
from flask import abort
from sqlalchemy import func, select, text

from tests.conftest import config_for
from tests.factories import make_book, make_review
from webapp import create_app
from webapp.extensions import db
from webapp.models import Book, Review

PW = "correct horse battery"


@pytest.fixture
def book(app):
    return make_book("Dune", isbn="9780441013593")


@pytest.mark.parametrize(
    "path",
    [
        "/books/2147483648",
        "/books/99999999999999999999999999999999999999",
        "/books/١٢",
        "/books/%EF%BC%91",
        "/reviews/9223372036854775808",
        "/authors/2147483648-x",
        "/u/a%00b",
        "/u/%01",
        "/static/%00.css",
    ],
)
def test_paths_out_of_range_or_with_control_characters_are_404(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "page", ["99999999999999999999", "-5", "0", "٣", "1e9", "%00", "2147483648"]
)
def test_odd_page_numbers_show_the_first_page(client, book, page):
    for url in (f"/books?page={page}", "/u/someone"):
        response = client.get(url)
        assert response.status_code in (200, 404)
    assert client.get(f"/books?page={page}").status_code == 200


@pytest.mark.parametrize(
    "after", ["nan_1", "inf_2", "1.0_99999999999", "2026-01-01T00:00:00_1", "x", "_", "1.0_١"]
)
def test_malformed_show_more_cursors_start_over(client, users, book, after):
    make_review(users("someone"), book, "4", body="Words.")
    for sort in ("helpful", "newest"):
        response = client.get(
            f"/books/{book.id}/reviews", query_string={"after": after, "sort": sort}
        )
        assert response.status_code == 200 and "Words." in response.text


def test_nul_bytes_are_dropped_from_queries_and_forms(web, client, reader, book):
    assert client.get("/books", query_string={"q": "Du\x00ne"}).status_code == 200
    response = web.post(
        f"/books/{book.id}/review", {"rating": "4", "body": "Spice\x00 and sand\x01."}
    )
    assert response.status_code == 303
    assert db.session.scalar(select(Review.body)) == "Spice and sand."


@pytest.mark.parametrize(
    ("rating", "message"),
    [
        ("٣", "with the digits 0–9"),
        ("৪.৫", "with the digits 0–9"),
        ("sNaN", "from 0.5 to 5 stars"),
        ("NaN", "from 0.5 to 5 stars"),
        ("1e999999999", "from 0.5 to 5 stars"),
        ("Infinity", "from 0.5 to 5 stars"),
        ("4.25", "in half stars"),
        ("-1", "from 0.5 to 5 stars"),
    ],
)
def test_rating_oddities_are_refused_beside_the_field_with_the_text_kept(
    web, reader, book, rating, message
):
    form = {"rating": rating, "body": "My careful words."}
    response = web.post(f"/books/{book.id}/review", form)
    assert response.status_code == 422
    assert message in response.text and "My careful words." in response.text
    assert db.session.scalar(select(func.count()).select_from(Review)) == 0


def test_fullwidth_digits_are_digits_in_ratings_and_isbns(web, reader, book):
    assert web.post(f"/books/{book.id}/review", {"rating": "４.５"}).status_code == 303
    assert db.session.scalar(select(Review.rating)) == 9
    data = {
        "title": "Dune again",
        "authors": "Frank Herbert",
        "isbn": "９７８－０４４１０１３５９３",
    }
    response = web.post("/books/new", data)
    assert response.status_code == 303 and response.headers["Location"].startswith(
        f"/books/{book.id}-"
    )
    assert db.session.scalar(select(func.count()).select_from(Book)) == 1
    refused = web.post("/books/new", {**data, "isbn": "٩٧٨٠٤٤١٠١٣٥٩٣"})
    assert refused.status_code == 422 and "digits 0–9" in refused.text


def test_a_body_over_the_limit_gets_413_with_the_site_page(make_app):
    app = make_app(MAX_CONTENT_LENGTH=2000)
    response = app.test_client().post("/login", data={"login": "x" * 5000, "password": "y"})
    assert response.status_code == 413
    assert "Too large" in response.text and 'class="site-header"' in response.text


def test_the_default_limit_is_one_megabyte(app):
    assert app.config["MAX_CONTENT_LENGTH"] == 1024 * 1024


def test_htmx_login_with_a_non_latin1_next_gets_an_encoded_hx_redirect(web, users):
    users("reader")
    form = {"login": "reader", "password": PW, "next": "/u/читатель?q=日本"}
    response = web.post("/login", form, htmx=True, page="/login")
    assert response.status_code == 204
    assert (
        response.headers["HX-Redirect"]
        == "/u/%D1%87%D0%B8%D1%82%D0%B0%D1%82%D0%B5%D0%BB%D1%8C?q=%E6%97%A5%E6%9C%AC"
    )
    assert response.headers["HX-Redirect"].isascii()


def test_an_error_page_after_a_failed_statement_still_renders(make_app, users):
    """The session is rolled back first: on PostgreSQL the failed transaction would refuse
    the query that loads the signed-in reader for the error page."""
    app = make_app()

    @app.get("/test-only/fails-after-a-bad-statement")
    def fails():
        with contextlib.suppress(Exception):  # no rollback, as a buggy view might forget
            db.session.execute(text("SELECT * FROM no_such_table"))
        abort(404)

    with app.app_context():
        users("reader")
    from tests.conftest import Browserless

    web = Browserless(app.test_client())
    web.post("/login", {"login": "reader", "password": PW})
    response = web.client.get("/test-only/fails-after-a-bad-statement")
    assert response.status_code == 404 and "reader" in response.text  # signed in, rendered


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://postgres@127.0.0.1:1/none",
        "sqlite:////nonexistent-directory/colophon.db",
    ],
    ids=["postgresql", "sqlite"],
)
def test_database_unavailable_is_503_with_retry_after(url):
    app = create_app(
        config_for(
            url,
            SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 2}}
            if url.startswith("postgresql")
            else {},
        )
    )
    client = app.test_client()
    client.set_cookie("session", "not-a-real-session")
    for path, htmx in (("/", False), ("/books", False), ("/books", True)):
        headers = {"HX-Request": "true"} if htmx else {}
        response = client.get(path, headers=headers)
        assert response.status_code == 503, path
        assert response.headers["Retry-After"] == "5"
        assert "cannot reach its database" in response.text
    with app.app_context():
        db.engine.dispose()
