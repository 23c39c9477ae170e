"""Fixtures: an app per test on SQLite and on PostgreSQL, a CSRF-aware client, auth helpers.

Database-touching tests run once per backend (the ``database_url`` fixture is parametrised).
Without a reachable PostgreSQL those runs are skipped with the reason; under ``CI=true`` a
missing required part fails instead, so CI can never pass by skipping.
"""

from __future__ import annotations

import contextvars
import os
import re
import uuid

import psycopg
import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event, text

from tests.factories import UserFactory
from webapp import create_app
from webapp.extensions import db, limiter

IN_CI = os.environ.get("CI", "").lower() == "true"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def require(condition: bool, reason: str) -> None:
    """Skip when a required part is missing, but fail under CI=true."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} — required under CI=true", pytrace=False)
    pytest.skip(reason)


def postgres_error(url: str) -> str | None:
    try:
        with psycopg.connect(url, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]


def config_for(url: str, **overrides) -> dict:
    return {
        "COLOPHON_ENV": "testing",
        "SECRET_KEY": "test-secret-not-for-production",
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "SERVER_NAME": None,
        **overrides,
    }


def migrate_to_head(url: str) -> None:
    app = create_app(config_for(url))
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(
    scope="session",
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def database_url(request, tmp_path_factory) -> str:
    """A database built by the migrations, once per backend per test session."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'colophon-test.db'}"
    else:
        error = postgres_error(TEST_DATABASE_URL)
        require(error is None, f"PostgreSQL at {TEST_DATABASE_URL} is unreachable: {error}")
        with psycopg.connect(TEST_DATABASE_URL, autocommit=True) as conn:
            conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
            conn.execute("CREATE SCHEMA public")
        from webapp.config import normalise_database_url

        url = normalise_database_url(TEST_DATABASE_URL)
    migrate_to_head(url)
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database(request, tmp_path):
    """The URL of a brand-new, empty database of each kind (PostgreSQL: created, then dropped).

    The PostgreSQL URL keeps the form TEST_DATABASE_URL was given in (``postgresql://``).
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    error = postgres_error(TEST_DATABASE_URL)
    require(error is None, f"PostgreSQL at {TEST_DATABASE_URL} is unreachable: {error}")
    name = f"colophon_tmp_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(TEST_DATABASE_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{TEST_DATABASE_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(TEST_DATABASE_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _empty_tables() -> None:
    tables = [t for t in db.metadata.sorted_tables]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(tables):
            db.session.execute(table.delete())
        db.session.execute(text("DELETE FROM book_search"))
    db.session.commit()


class IsolatedClient(FlaskClient):
    """Runs each request in a fresh context, as a server would.

    Tests hold an app context open for their own queries; without this, requests would share
    its ``g`` (the CSRF token, the logged-in user) across clients. Afterwards the test's
    session is rolled back so it sees what the request wrote.
    """

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context() and db.session.registry.has():
            db.session.rollback()
        return response


@pytest.fixture
def make_app(database_url):
    """Build an app on the test database with config overrides; rows are wiped afterwards."""
    apps = []

    def factory(**overrides):
        app = create_app(config_for(database_url, **overrides))
        app.test_client_class = IsolatedClient
        apps.append(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            db.session.remove()
            _empty_tables()
            db.engine.dispose()
    limiter.reset()


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def users(app) -> UserFactory:
    return UserFactory()


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF field"
    return match.group(1)


class Browserless:
    """Form posts the way a browser sends them: plain, or as htmx with the CSRF header."""

    def __init__(self, client):
        self.client = client

    def token(self) -> str:
        """The session's CSRF token, read off a page like a browser would."""
        return csrf_from(self.client.get("/login").get_data(as_text=True))

    def post(self, url: str, data: dict | None = None, *, htmx: bool = False, page: str = "/"):
        """POST ``data`` to ``url``; ``page`` is where the form sat (sent as HX-Current-URL)."""
        data = dict(data or {})
        token = self.token()
        headers = {}
        if htmx:
            headers = {"HX-Request": "true", "X-CSRFToken": token, "HX-Current-URL": page}
        else:
            data.setdefault("csrf_token", token)
        return self.client.post(url, data=data, headers=headers)

    def htmx_get(self, url: str):
        return self.client.get(url, headers={"HX-Request": "true"})


@pytest.fixture
def web(client) -> Browserless:
    return Browserless(client)


class AuthActions:
    def __init__(self, web: Browserless):
        self.web = web

    def login(self, login: str = "reader", password: str = UserFactory.password, **extra):
        return self.web.post("/login", {"login": login, "password": password, **extra})

    def logout(self):
        return self.web.post("/logout", page="/login")


@pytest.fixture
def auth(web) -> AuthActions:
    return AuthActions(web)


@pytest.fixture
def count_queries(app):
    """Counts SQL statements run inside the ``with`` block: ``with count_queries() as n: …``."""
    import contextlib

    @contextlib.contextmanager
    def counter():
        statements: list[str] = []

        def before(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return counter


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def pytest_sessionfinish(session, exitstatus):
    """Under CI=true any skipped test fails the run: PostgreSQL and Chromium are required."""
    if not IN_CI:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and exitstatus == 0:
        reporter.write_line(f"CI=true: {len(skipped)} test(s) were skipped; failing the run.")
        session.exitstatus = 1
