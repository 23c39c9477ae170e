"""Real Chromium (Debian's /usr/bin/chromium) driven by Playwright against a real server.

The app runs in a werkzeug server on a free loopback port, on its own migrated SQLite file.
A missing browser skips these tests locally, with the reason; under CI=true it fails.
"""

from __future__ import annotations

import os
import threading
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from werkzeug.serving import make_server

from tests.client import csrf_from
from tests.conftest import config_for, migrate_to_head, require
from tests.factories import UserFactory
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


# The browser's default viewport, put back after tests that change it.
VIEWPORT = {"width": 1280, "height": 720}


@pytest.fixture(scope="session")
def _tabs(chromium):
    """One context and tab per (server, JavaScript on/off), kept for the whole session.

    A fresh context costs Chromium a new renderer process and a cold start of every page:
    ~0.6–0.9 s of CPU, against ~0.1 s for a navigation in a tab that already exists.
    """
    tabs: dict = {}
    yield tabs
    for tab in tabs.values():
        tab.context.close()


@pytest.fixture(params=[True, False], ids=["js", "nojs"])
def page(request, _tabs, chromium, live_server):
    """A browser tab with JavaScript on and off, reused across tests but reset between them:
    no cookies (so nobody is signed in), an empty HTTP cache, the default viewport and colour
    scheme, no routes, and no event handlers left from the last test. Every test starts by
    navigating, which replaces whatever document the last one left; the teardown moves to a
    static file first, so nothing the last page does reaches the next test's console check."""
    key = (live_server, request.param)
    if key not in _tabs:
        context = chromium.new_context(base_url=live_server, java_script_enabled=request.param)
        context.set_default_timeout(10_000)
        _tabs[key] = context.new_page()
    page = _tabs[key]
    page.js_enabled = request.param
    page.chromium = chromium
    page.live_server = live_server
    page.axe_checker = None if request.param else request.getfixturevalue("axe_checker")
    errors: list[str] = []

    def on_console(msg):
        # Chromium logs every 4xx fetch; a 422 is our answer to invalid input, not a fault.
        if msg.type == "error" and "status of 422" not in msg.text:
            errors.append(msg.text)

    handlers = [("console", on_console), ("pageerror", lambda exc: errors.append(str(exc)))]
    for event, handler in handlers:
        page.on(event, handler)
    page.console_errors = errors

    def remembered(add):  # handlers the test adds are taken off again afterwards
        def register(event, handler):
            handlers.append((event, handler))
            add(page, event, handler)

        return register

    page.on, page.once = remembered(type(page).on), remembered(type(page).once)
    try:
        yield page
    finally:
        del page.on, page.once
        page.unroute_all()
        try:
            page.goto("/favicon.ico")
        finally:
            for event, handler in handlers:
                page.remove_listener(event, handler)
            page.set_viewport_size(VIEWPORT)
            page.emulate_media(media="null", color_scheme="light")
            page.context.clear_cookies()
            page.context.clear_permissions()
            # As a new context would: no cached fonts or pages (test_layout's font-swap check
            # refuses the fonts and must see them refused).
            cdp = page.context.new_cdp_session(page)
            cdp.send("Network.clearBrowserCache")
            cdp.detach()
    assert errors == [], f"browser console errors: {errors}"


_axe = Axe()
# axe's own options, as axe-playwright-python passes them; only the violations come back.
AXE_RUN = "options => axe.run(options).then(results => results.violations)"


# Transitions still running (finite ones: a spinner fading out after an htmx swap, 0.2 s).
SETTLED = """() => Promise.all(document.getAnimations()
  .filter(a => a.effect && Number.isFinite(a.effect.getComputedTiming().endTime))
  .map(a => a.finished.catch(() => null)))"""


def _axe_violations(target) -> list[dict]:
    """axe-core's violations on ``target``'s document (axe is injected once per document),
    once its transitions have ended: on a busy machine axe could otherwise measure a colour
    halfway through a fade and report a contrast the reader never sees at rest."""
    if not target.evaluate("typeof window.axe === 'object'"):
        target.evaluate(_axe.axe_script)
    target.evaluate(SETTLED)
    return target.evaluate(AXE_RUN, {"resultTypes": ["violations"]})


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


def _show(checker, url: str, html: str) -> None:
    """``html`` as the axe checker's document, at ``url``.

    The first time for a server, by navigating there with ``html`` as the answer; after that
    the checker's document is rewritten in place (``set_content``: document.open and write,
    waiting for the load event) once its address has moved to ``url`` (``replaceState``, same
    origin). No request for the page; stylesheets and fonts come from the HTTP cache, which a
    route turns off; and axe stays loaded in the window instead of being injected into a new
    document each time: ~0.05–0.2 s a check instead of ~0.3–0.7 s.
    """
    if _origin(checker.url) == _origin(url):
        checker.evaluate("url => history.replaceState(null, '', url)", url)
        checker.set_content(html)
        return

    def replay(route):
        route.fulfill(body=html, content_type="text/html")

    checker.route(url, replay)
    try:
        checker.goto(url)
    finally:
        checker.unroute(url, replay)


def assert_accessible(page) -> None:
    """axe-core (bundled by axe-playwright-python, injected locally) finds no violations.

    axe needs timers, which never fire with JavaScript disabled; for those pages the exact
    HTML the reader sees is replayed at the same URL in a scripting context and checked there.
    """
    if page.js_enabled:
        violations = _axe_violations(page)
    else:
        checker = page.axe_checker
        _show(checker, page.url, page.content())
        violations = _axe_violations(checker)
    summary = [
        f"{v['id']}: {v['help']} -> {[n['target'] for n in v['nodes']][:3]}" for v in violations
    ]
    assert violations == [], f"axe violations on {page.url}: {summary}"


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
    """A new reader, signed in: for the journeys that start signed in rather than test signing
    up (test_accounts_journey and test_mail_journey do that through the pages).

    The reader is made by the factories in the live server's database and signed in by posting
    the real login form from the tab's own context, so the browser holds the session cookie;
    no page is drawn and no production-cost password hash is made.
    """
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    app = LIVE_APPS[page.live_server]
    with app.app_context():
        from webapp.extensions import db

        UserFactory()(name)
        db.session.remove()
    login = f"{page.live_server}/login"
    token = csrf_from(page.request.get(login).text())
    answer = page.request.post(
        login,
        form={"login": name, "password": UserFactory.password, "csrf_token": token},
        max_redirects=0,
    )
    assert answer.status == 303, f"signing in {name} answered {answer.status}"
    return name
