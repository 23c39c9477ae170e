"""Fixtures: apps on SQLite and on PostgreSQL, a rolled-back transaction per test, a CSRF-aware
client, auth helpers and the shared test data (``world``).

Database-touching tests run once per backend (the ``database_url`` fixture is parametrised).
Without a reachable PostgreSQL those runs are skipped with the reason; under ``CI=true`` a
missing required part fails instead, so CI can never pass by skipping.

Isolation (tests/transactions.py): each test's writes happen inside a transaction rolled back
afterwards; services still call ``commit()``, which only releases a savepoint. Tests that need
data really committed — other threads, processes or a live server must see it — are marked
``@pytest.mark.committed``: they get real commits and the tables are emptied afterwards.
A module shares data across its tests by asking for a module-scoped fixture built on
``module_transaction`` (``shared_world`` is the ready-made one).
"""

from __future__ import annotations

import contextlib
import gc
import os
import tempfile
import uuid
from pathlib import Path

import psycopg
import pytest
from flask import Flask
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from sqlalchemy import event, make_url, text

from tests import transactions
from tests.client import AuthActions, Browserless, IsolatedClient, csrf_from  # noqa: F401
from tests.factories import UserFactory, World, build_world
from webapp import create_app, page_cache
from webapp.extensions import db, limiter
from webapp.urls import ColophonFlask

# The SMTP server and job runner fixtures (tests/mailbox.py).
pytest_plugins = ["tests.mailbox", "tests.media_parts"]

IN_CI = os.environ.get("CI", "").lower() == "true"
# The server's own database, used to create the test databases.
SERVER_DATABASE_URL = os.environ.get(
    "TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
# Under pytest-xdist each worker process gets its own database (``test_gw0``, ``test_gw1``…),
# since tests there run at the same time and empty tables they committed to.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
TEST_DATABASE_URL = (
    make_url(SERVER_DATABASE_URL)
    .set(database=f"{make_url(SERVER_DATABASE_URL).database}_{XDIST_WORKER}")
    .render_as_string(hide_password=False)
    if XDIST_WORKER
    else SERVER_DATABASE_URL
)
# The Redis database the queue tests flush: ``TEST_REDIS_URL``'s (default 7), or under xdist
# the ones after it, one per worker (gw0 → 8, gw1 → 9…); two checkouts testing at once on one
# Redis give each its own base (or each its own server).
_REDIS_BASE = make_url(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/7"))
_REDIS_DB = int(_REDIS_BASE.database or 0)
REDIS_TEST_URL = _REDIS_BASE.set(
    database=str(
        _REDIS_DB + 1 + int(XDIST_WORKER.removeprefix("gw")) if XDIST_WORKER else _REDIS_DB
    )
).render_as_string(hide_password=False)

transactions.install()


class SharedTemplateCode(BytecodeCache):
    """Each template compiled once per test process, for every app built in it.

    Jinja compiles a template per environment, so each of the ~250 apps a run builds paid
    for every template it rendered again (~2,900 compilations, ~7 % of the suite's Python
    time). The compiled code is a function of the source alone here — every app sets Jinja up
    the same way — so it is kept by template and handed back while the source is unchanged
    (Jinja's own checksum of it); each app still builds its own template objects from it.
    """

    def __init__(self) -> None:
        self._code: dict[str, tuple[str, object]] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        kept = self._code.get(bucket.key)
        if kept is not None and kept[0] == bucket.checksum:
            bucket.code = kept[1]

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = (bucket.checksum, bucket.code)


ColophonFlask.jinja_options = {
    **ColophonFlask.jinja_options,
    "bytecode_cache": SharedTemplateCode(),
}

# Uploaded and fetched images land here, never in the checkout's instance/media.
MEDIA_DIR = tempfile.mkdtemp(prefix="colophon-test-media-")


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


def require_postgres(url: str) -> str:
    """``url``'s database, created on the TEST_DATABASE_URL server when missing."""
    error = postgres_error(SERVER_DATABASE_URL)
    require(error is None, f"PostgreSQL at {SERVER_DATABASE_URL} is unreachable: {error}")
    name = make_url(url).database
    with psycopg.connect(SERVER_DATABASE_URL, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return url


def config_for(url: str, **overrides) -> dict:
    return {
        "COLOPHON_ENV": "testing",
        "SECRET_KEY": "test-secret-not-for-production",
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "SERVER_NAME": None,
        "MEDIA_DIR": MEDIA_DIR,
        **overrides,
    }


def migrate_to_head(url: str) -> None:
    from flask_migrate import upgrade

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
        with psycopg.connect(require_postgres(TEST_DATABASE_URL), autocommit=True) as conn:
            conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
            conn.execute("CREATE SCHEMA public")
        from webapp.config import normalise_database_url

        url = normalise_database_url(TEST_DATABASE_URL)
    migrate_to_head(url)
    return url


@pytest.fixture(scope="session")
def scratch_postgres() -> str:
    """A second PostgreSQL database beside the test database (``<name>_scratch``), kept
    between runs: emptied for each use, because dropping a database forces a checkpoint that
    takes seconds on a busy server."""
    url = make_url(TEST_DATABASE_URL)
    scratch = url.set(database=f"{url.database}_scratch")
    return require_postgres(scratch.render_as_string(hide_password=False))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database(request, tmp_path):
    """The URL of an empty database of each kind (PostgreSQL: the scratch database, emptied).

    The PostgreSQL URL keeps the form TEST_DATABASE_URL was given in (``postgresql://``).
    """
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    url = request.getfixturevalue("scratch_postgres")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")
    return url


def _empty_tables() -> None:
    """Delete every row (for ``committed`` tests, whose writes really reached the database)."""
    tables = [t for t in db.metadata.sorted_tables]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(tables):
            db.session.execute(table.delete())
        db.session.execute(text("DELETE FROM book_search"))
        db.session.execute(text("DELETE FROM book_search_fuzzy"))
    db.session.commit()


# --- apps and transactions -------------------------------------------------------------------


def _new_app(url: str, **overrides) -> Flask:
    app = create_app(config_for(url, **overrides))
    app.test_client_class = IsolatedClient
    return app


@pytest.fixture(scope="session")
def shared_app(database_url):
    """``shared_app(**overrides)``: one app per configuration, built once per session.

    Building an app (routes, assets, templates compiled on first use) costs ~0.1 s, so tests
    share it; tests that add routes or change an app's config use ``make_app`` instead.
    Flask-Limiter keeps its settings on the one extension object, so they are put back to this
    app's each time it is handed out.
    """
    apps: dict = {}

    def get(**overrides) -> Flask:
        key = tuple(sorted(overrides.items()))
        if key not in apps:
            app = _new_app(database_url, **overrides)
            apps[key] = (app, dict(vars(limiter)))
        app, limiter_state = apps[key]
        vars(limiter).update(limiter_state)
        return app

    yield get
    for app, _ in apps.values():
        with app.app_context():
            db.engine.dispose()
            page_cache.dispose(app)


@pytest.fixture(scope="session")
def _pin(database_url) -> transactions.Pin:
    """The one connection to this backend's test database (see tests/transactions.py)."""
    app = create_app(config_for(database_url))
    with app.app_context():
        engine = db.engine
    pin = transactions.Pin(engine)
    yield pin
    pin.close()


@pytest.fixture(scope="module")
def module_transaction(_pin):
    """A transaction around a whole module: build shared rows in it; each test then runs in a
    savepoint inside it. Every database test of such a module must use it (directly or via a
    fixture like ``shared_world``), or it would see rows it did not ask for."""
    with _pin.rolled_back():
        yield _pin


@pytest.fixture
def transaction(request, _pin, shared_app):
    """The test's own transaction, rolled back at the end (``committed`` tests: none)."""
    if request.node.get_closest_marker("committed"):
        if _pin.active:
            pytest.fail("a committed test cannot run inside a module_transaction", pytrace=False)
        yield None
        with shared_app().app_context():
            _empty_tables()
            db.session.remove()
        return
    if _pin.active and "module_transaction" not in request.fixturenames:
        pytest.fail(
            "this module shares rows (module_transaction): every database test in it must "
            "use that fixture too",
            pytrace=False,
        )
    with _pin.rolled_back():
        yield _pin


@pytest.fixture
def make_app(database_url, transaction):
    """Build a fresh app on the test database with config overrides (the test's transaction)."""
    apps = []

    def factory(**overrides):
        app = _new_app(database_url, **overrides)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
            page_cache.dispose(app)
    limiter.reset()


@pytest.fixture
def app(shared_app, transaction):
    """The default app, with an app context open for the test's own queries."""
    app = shared_app()
    with app.app_context():
        yield app
        db.session.remove()
    limiter.reset()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def users(app) -> UserFactory:
    return UserFactory()


@pytest.fixture
def web(client) -> Browserless:
    return Browserless(client)


@pytest.fixture
def auth(web) -> AuthActions:
    return AuthActions(web)


@pytest.fixture
def reader(users, auth):
    """A reader, signed in on ``client``."""
    user = users("reader")
    auth.login("reader")
    return user


@pytest.fixture
def count_queries(app):
    """Counts SQL statements run inside the ``with`` block: ``with count_queries() as n: …``.

    The savepoints wrapped around commits by the test transaction are not counted.
    """

    @contextlib.contextmanager
    def counter():
        statements: list[str] = []
        engine = transactions.pinned_engine(db.engine)
        before = transactions.statement_counter(statements)
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counter


# --- shared test data --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shared_world(module_transaction, shared_app) -> dict[str, int]:
    """The ``World`` rows built once for the module; ``world`` then reads them per test."""
    with shared_app().app_context():
        ids = build_world().ids()
        db.session.remove()
    return ids


@pytest.fixture
def world(request, users) -> World:
    """A ``World`` (tests/factories.py): built in this test's transaction, or — in a module
    using ``shared_world`` — the module's rows, read through this test's session."""
    if "shared_world" in request.fixturenames:
        return World.load(request.getfixturevalue("shared_world"))
    return build_world()


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def pytest_collection_finish(session):
    """Python's cyclic garbage collector, tuned for a test run: the objects alive after
    collection (modules, apps, the URL map) are frozen out of its scans, and it runs after
    50,000 new container objects instead of 700. A full pass over the ~300,000 objects a
    worker holds took ~6% of its CPU; nothing a test checks depends on when it runs."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def pytest_unconfigure(config):
    """At exit pytest runs five full collections to find exceptions raised in finalizers; with
    the ~1,000,000 objects a worker holds then, that took 5–7 s at the end of every run.
    Collecting here until nothing more is found (usually twice) runs those finalizers just as
    well, under the same unraisable-exception hook; what is left is alive, so it is frozen out
    of pytest's passes, which then have only their own new objects to look at."""
    for _ in range(5):
        if not gc.collect():
            break
    gc.freeze()


def pytest_collection_modifyitems(config, items):
    """Browser tests carry the ``browser`` mark (``-m "not browser"`` leaves them out)."""
    browser_tests = Path(__file__).parent / "browser"
    for item in items:
        if item.path.is_relative_to(browser_tests):
            item.add_marker(pytest.mark.browser)


def pytest_sessionfinish(session, exitstatus):
    """Under CI=true any skipped test fails the run: PostgreSQL and Chromium are required."""
    if not IN_CI:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and exitstatus == 0:
        reporter.write_line(f"CI=true: {len(skipped)} test(s) were skipped; failing the run.")
        session.exitstatus = 1
