"""Screenshots of every main page at phone, tablet and desktop widths, light and dark.

The demo data on a throwaway SQLite database, served by a real server on a free loopback port,
photographed by Debian's Chromium (Playwright), viewport only, into docs/screenshots/
as ``<page>-<width>-<light|dark>.png``. Look at them after a visual change and commit them.

    .venv/bin/python scripts/screenshots.py                 # every page
    .venv/bin/python scripts/screenshots.py book signin     # some pages
    SCREENSHOTS_DIR=/tmp/shots .venv/bin/python scripts/screenshots.py /tags /notifications
                                                            # any path, signed in, elsewhere
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import threading
from pathlib import Path

from flask_migrate import upgrade
from playwright.sync_api import sync_playwright
from sqlalchemy import select
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from webapp import create_app  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.models import Book, Review, User  # noqa: E402
from webapp.services import demo, moderation, reports  # noqa: E402
from webapp.services import staff as staff_work  # noqa: E402

OUT = Path(os.environ.get("SCREENSHOTS_DIR", ROOT / "docs" / "screenshots"))
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
# Width → viewport height: a desktop, a tablet in portrait, a phone.
VIEWPORTS = {1280: 800, 768: 1024, 390: 844}
SCHEMES = ("light", "dark")
STAFF = "ada_reads"  # made a moderator here, so the queue can be shown
BOOK_TITLE = "The Left Hand of Darkness"


def seed(app) -> dict[str, str]:
    """The demo data, one moderator and a few open reports; returns the pages' paths."""
    with app.app_context():
        upgrade()
        demo.seed()
        staff = User.by_username(STAFF)
        staff.role = "moderator"
        book = db.session.scalar(select(Book).where(Book.title == BOOK_TITLE))
        reported = list(db.session.scalars(select(Review).order_by(Review.id).limit(4)))
        for review in reported:
            for name in ("ben_bookworm", "clara-h"):
                reporter = User.by_username(name)
                if reporter.id != review.user_id:
                    reports.report_review(reporter, review, "spoilers", "Gives the ending away.")
        db.session.commit()
        # Staff work for the audit log, each undone so the other pages stay as they were.
        moderation.hide(staff, reported[3], "Checking a spoiler complaint")
        moderation.restore(staff, reported[3])
        resting = User.by_username("dmitri_k")
        staff_work.suspend(staff, resting, 7, "Spoilers in three reviews after a warning")
        staff_work.unsuspend(staff, resting)
        return {
            "home": "/",
            "book": f"/books/{book.id}",
            "book-visitor": f"/books/{book.id}",
            "books": "/books",
            "search": "/books?q=le+guin",
            "profile": "/u/ben_bookworm",
            "signin": "/login",
            "signup": "/signup",
            "addbook": "/books/new",
            "account": "/account",
            "moderation": "/moderation",
            "log": "/moderation/log",
        }


# Shown to a visitor; the others to the signed-in moderator.
SIGNED_OUT = {"home", "signin", "signup", "book-visitor"}


def demo_app(tmp: str, **config):
    """The site on a throwaway SQLite database in ``tmp`` (also used by lighthouse.py)."""
    app = create_app(
        {
            "COLOPHON_ENV": "testing",
            "SECRET_KEY": "screenshots-only",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/shots.db",
            "SQLALCHEMY_ENGINE_OPTIONS": {},
            "ASSETS_BUILD_DIR": f"{tmp}/assets",
            **config,
        }
    )
    for quiet in ("werkzeug", "webapp.request"):  # one line per request would drown the list
        logging.getLogger(quiet).setLevel(logging.WARNING)
    return app


def serve(app) -> tuple[str, object]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def sign_in(browser, base: str) -> dict:
    context = browser.new_context(base_url=base)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("Username or email").fill(STAFF)
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)
    state = context.storage_state()
    context.close()
    return state


def main(wanted: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="colophon-shots-") as tmp:
        app = demo_app(tmp)
        pages = seed(app)
        for path in (name for name in wanted if name.startswith("/")):
            pages[path] = path
        names = wanted or [*pages, "menu"]
        base, server = serve(app)
        OUT.mkdir(parents=True, exist_ok=True)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
                )
                staff = sign_in(browser, base)
                for width, height in VIEWPORTS.items():
                    for scheme in SCHEMES:
                        for signed_in in (False, True):
                            context = browser.new_context(
                                base_url=base,
                                viewport={"width": width, "height": height},
                                color_scheme=scheme,
                                storage_state=staff if signed_in else None,
                            )
                            page = context.new_page()
                            for name in names:
                                if name == "menu" or (name in SIGNED_OUT) == signed_in:
                                    continue
                                page.goto(pages[name])
                                page.evaluate("document.fonts.ready")
                                slug = name.strip("/").replace("/", "_") or "root"
                                path = OUT / f"{slug}-{width}-{scheme}.png"
                                page.screenshot(path=path)
                                print(f"{path}  {path.stat().st_size // 1024} KB")
                            if signed_in and width < 960 and "menu" in names:
                                page.goto(pages["home"])  # the folded header, opened
                                page.locator(".nav-menu > summary").click()
                                path = OUT / f"menu-{width}-{scheme}.png"
                                page.screenshot(path=path)
                                print(f"{path}  {path.stat().st_size // 1024} KB")
                            context.close()
                browser.close()
        finally:
            server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
