"""Health check, error pages, htmx asset, headers shared by every page."""

from __future__ import annotations

import re

import pytest

from webapp import create_app


def test_healthz_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok",
        "database": "ok",
        "ratelimit": {"storage": "memory", "status": "ok"},
        "redis": "not configured",
    }


def test_healthz_down_when_the_database_does_not_answer(tmp_path):
    # A real, unreachable server: nothing listens on port 1.
    app = create_app(
        {
            "COLOPHON_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://postgres@127.0.0.1:1/none",
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 2}},
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "error"
    with app.app_context():
        from webapp.extensions import db

        db.engine.dispose()


def test_404_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "<h1>Not found</h1>" in html and "<html" in html


def test_404_htmx_fragment(web):
    response = web.htmx_get("/no/such/page")
    assert response.status_code == 404
    assert response.headers["HX-Retarget"] == "#flash"
    assert "<html" not in response.get_data(as_text=True)


def test_405_page(client):
    response = client.get("/logout")
    assert response.status_code == 405
    assert "Method not allowed" in response.get_data(as_text=True)
    assert "POST" in response.headers["Allow"]


def test_500_page_hides_the_traceback(make_app, caplog):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Something went wrong" in html
    assert "secret internals" not in html and "Traceback" not in html
    assert "secret internals" in caplog.text


def test_403_page(make_app):
    app = make_app()

    @app.get("/forbidden")
    def forbidden():
        from flask import abort

        abort(403)

    response = app.test_client().get("/forbidden")
    assert response.status_code == 403
    assert "Not allowed" in response.get_data(as_text=True)


def test_htmx_is_served_from_the_installed_package(client):
    old = client.get("/vendor/htmx.min.js")
    assert old.status_code == 301 and "/static/vendor/htmx.min." in old.headers["Location"]
    response = client.get(old.headers["Location"])
    assert response.status_code == 200
    assert b"htmx" in response.data[:2000]
    assert 'version:"2.' in response.get_data(as_text=True)
    response.close()


@pytest.mark.parametrize("path", ["/", "/books", "/login", "/signup"])
def test_anonymous_pages_vary_and_only_forms_start_a_session(client, path):
    response = client.get(path)
    html = response.get_data(as_text=True)
    # Anonymous readers post only forms with hidden tokens, so pages without forms stay
    # cookie-free (cacheable); no CSRF header is needed for them.
    assert "hx-headers" not in html
    assert ("Set-Cookie" in response.headers) is ('name="csrf_token"' in html)
    assert "HX-Request" in response.headers["Vary"]
    # Nothing the browser loads comes from another origin (no CDN, no third party).
    loaded = re.findall(r'<(?:script|img|link|source|iframe)\b[^>]*?\s(?:src|href)="([^"]*)"', html)
    assert loaded and all(url.startswith("/") and not url.startswith("//") for url in loaded)


@pytest.mark.parametrize("path", ["/", "/account"])
def test_signed_in_pages_carry_the_csrf_header_for_htmx(client, auth, users, path):
    users("reader")
    auth.login()
    html = client.get(path).get_data(as_text=True)
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
