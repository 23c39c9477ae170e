"""Real Chromium (Debian's /usr/bin/chromium) driven by Playwright against a real server.

The app runs in a werkzeug server on a free loopback port, on its own migrated SQLite file.
A missing browser skips these tests locally, with the reason; under CI=true it fails.
"""

from __future__ import annotations

import os
import threading
import uuid
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.conftest import config_for, migrate_to_head, require
from webapp import create_app
from webapp.services import demo

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# The app behind each live server URL, so fixtures can seed data in its database.
LIVE_APPS: dict = {}


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """Base URL of the app served over real HTTP in a background thread."""
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'browser.db'}"
    migrate_to_head(url)
    app = create_app(
        config_for(
            url,
            SIGNUP_LIMIT_PER_IP="1000 per hour",
            LOGIN_LIMIT_PER_IP="1000 per minute",
            PAGE_CACHE="memory",  # as served: visitors' pages come from the cache after writes
        )
    )
    with app.app_context():
        demo.seed()  # demo books, readers and reviews for journeys that browse the catalogue
    server = make_server("127.0.0.1", 0, app, threaded=True)
    LIVE_APPS[f"http://127.0.0.1:{server.server_port}"] = app
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def chromium():
    require(Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe_checker(chromium):
    """One page with scripting on, where pages seen without JavaScript are replayed for axe."""
    context = chromium.new_context()
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture(params=[True, False], ids=["js", "nojs"])
def page(request, chromium, live_server):
    """A fresh browser context per test, with JavaScript on and off."""
    context = chromium.new_context(base_url=live_server, java_script_enabled=request.param)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.js_enabled = request.param
    page.chromium = chromium
    page.axe_checker = None if request.param else request.getfixturevalue("axe_checker")
    errors: list[str] = []

    def on_console(msg):
        # Chromium logs every 4xx fetch; a 422 is our answer to invalid input, not a fault.
        if msg.type == "error" and "status of 422" not in msg.text:
            errors.append(msg.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.console_errors = errors
    yield page
    context.close()
    assert errors == [], f"browser console errors: {errors}"


_axe = Axe()


def assert_accessible(page) -> None:
    """axe-core (bundled by axe-playwright-python, injected locally) finds no violations.

    axe needs timers, which never fire with JavaScript disabled; for those pages the exact
    HTML the reader sees is replayed at the same URL in a scripting context and checked there.
    """
    if page.js_enabled:
        results = _axe.run(page)
    else:
        html, url, checker = page.content(), page.url, page.axe_checker

        def replay(route):
            route.fulfill(body=html, content_type="text/html")

        checker.route(url, replay)
        try:
            checker.goto(url)
            results = _axe.run(checker)
        finally:
            checker.unroute(url, replay)
    violations = results.response["violations"]
    summary = [
        f"{v['id']}: {v['help']} -> {[n['target'] for n in v['nodes']][:3]}" for v in violations
    ]
    assert results.violations_count == 0, f"axe violations on {page.url}: {summary}"


@pytest.fixture
def live_data(live_server):
    """Run ``fn()`` in an app context of the live server's app and return its result."""

    def run(fn):
        from webapp.extensions import db

        with LIVE_APPS[live_server].app_context():
            try:
                return fn()
            finally:
                db.session.remove()

    return run


def sign_up(page, prefix: str = "reader") -> str:
    """A new reader signed up through the form (the live server lets them post at once)."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    page.goto("/signup")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Email").fill(f"{name}@example.com")
    page.get_by_label("Password").fill("a long enough passphrase")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("status")).to_contain_text("Welcome to Colophon")
    return name
