"""Lighthouse scores of every main page, on a phone (mobile emulation) and a desktop.

The demo data (as scripts/screenshots.py seeds it, plus a list) on a throwaway SQLite
database, served on a free loopback port; Lighthouse 12 from npm drives Debian's Chromium
(``LIGHTHOUSE``: its CLI, e.g. from ``npm install lighthouse@12`` in a scratch folder — not a
dependency of the site). Prints one line per page and form factor (performance,
accessibility, best practices, SEO) and the audits that cost points; ``LIGHTHOUSE_OUT`` keeps
the JSON reports.

    LIGHTHOUSE=/tmp/lh/node_modules/.bin/lighthouse .venv/bin/python scripts/lighthouse.py
    ... scripts/lighthouse.py book account      # some pages
    LIGHTHOUSE_RUNS=3 ...                       # the median of three runs per page
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))

import screenshots  # noqa: E402  (seed, serve and sign in as the screenshots do)

from webapp.extensions import db  # noqa: E402
from webapp.models import Book, User  # noqa: E402
from webapp.services import lists  # noqa: E402

LIGHTHOUSE = os.environ.get("LIGHTHOUSE", "lighthouse")
RUNS = int(os.environ.get("LIGHTHOUSE_RUNS", "1"))
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
# Page → signed in? Account needs a reader; the rest are what a visitor (and a crawler) gets.
PAGES = {
    "home": False,
    "books": False,
    "book": False,
    "search": False,
    "profile": False,
    "signin": False,
    "signup": False,
    "lists": False,
    "list": False,
    "account": True,
    "book-signed-in": True,
}


def add_list(app, pages: dict[str, str]) -> None:
    with app.app_context():
        owner = User.by_username(screenshots.STAFF)
        made = lists.create(owner, "Worlds to get lost in", "Books that build a whole world.")
        for book in db.session.scalars(db.select(Book).order_by(Book.id).limit(5)):
            lists.add(owner, made, book)
        pages["lists"] = f"/u/{owner.username}/lists"
        pages["list"] = f"/lists/{made.id}"
        book = db.session.get(Book, int(pages["book"].rsplit("/", 1)[1]))
        pages["book"] = pages["book-signed-in"] = f"/books/{book.id}-{book.slug}"  # no redirect


def run(name: str, url: str, form_factor: str, cookie: str | None, out: Path | None) -> dict:
    args = [
        LIGHTHOUSE,
        url,
        "--output=json",
        "--quiet",
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
    ]
    if form_factor == "desktop":
        args.append("--preset=desktop")
    if cookie:
        args.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    done = subprocess.run(args, capture_output=True, env=env, check=True)  # noqa: S603 (our args)
    report = json.loads(done.stdout)
    if out:
        (out / f"{name}-{form_factor}.json").write_text(json.dumps(report))
    return report


def lost_points(report: dict) -> list[str]:
    """The scored audits below 1, with their display value (e.g. the CLS number)."""
    found = []
    for category in report["categories"].values():
        for ref in category["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                found.append(f"{ref['id']} {audit['score']:.2f} {audit.get('displayValue', '')}")
    return found


def main(wanted: list[str]) -> int:
    out = Path(os.environ["LIGHTHOUSE_OUT"]) if os.environ.get("LIGHTHOUSE_OUT") else None
    if out:
        out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="colophon-lighthouse-") as tmp:
        # Visitors' pages from the page cache, as production serves them.
        app = screenshots.demo_app(tmp, PAGE_CACHE="memory")
        pages = screenshots.seed(app)
        add_list(app, pages)
        base, server = screenshots.serve(app)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=screenshots.CHROMIUM,
                    headless=True,
                    args=screenshots.CHROMIUM_ARGS,
                )
                state = screenshots.sign_in(browser, base)
                browser.close()
            cookie = "; ".join(f"{c['name']}={c['value']}" for c in state["cookies"])
            for name in wanted or PAGES:
                for form_factor in ("mobile", "desktop"):
                    reports = [
                        run(
                            name,
                            base + pages[name],
                            form_factor,
                            cookie if PAGES[name] else None,
                            out,
                        )
                        for _ in range(RUNS)
                    ]
                    scores = [
                        round(statistics.median(r["categories"][c]["score"] for r in reports) * 100)
                        for c in CATEGORIES
                    ]
                    lost = "; ".join(lost_points(reports[-1]))
                    print(f"{name:15} {form_factor:8} {' '.join(f'{s:3}' for s in scores)}  {lost}")
                    sys.stdout.flush()
        finally:
            server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
