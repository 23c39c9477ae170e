"""Covers and pictures in Chromium, with the real worker: a book added with an ISBN gets its
cover from the cover source (a local HTTP server) through the ``huey_consumer`` process; a
reader uploads a cover and a picture (htmx with JavaScript, plain posts without), a bad file
is refused beside the field; the browser never asks any origin but the site's own."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.browser.conftest import assert_accessible
from tests.conftest import config_for, migrate_to_head
from tests.factories import UserFactory, isbn13_for
from tests.mailbox import free_port
from tests.media_parts import jpeg, png
from webapp import create_app
from webapp.extensions import db

CONSUMER = Path(sys.executable).parent / "huey_consumer"
WAIT = 15_000  # ms for a page to answer: the machine running the suite may be busy


@pytest.fixture
def cover_site(tmp_path, cover_source):
    """Base URL of a live site and its worker process, fetching from the local cover source."""
    db_url = f"sqlite:///{tmp_path / 'covers.db'}"
    migrate_to_head(db_url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = {
        "SITE_URL": base,
        "TASK_QUEUE": "sqlite",
        "TASK_QUEUE_FILE": str(tmp_path / "tasks.db"),
        "MEDIA_DIR": str(tmp_path / "media"),
        "COVER_SOURCE_URL": cover_source.template,
    }
    app = create_app(config_for(db_url, **settings, COVER_FETCH=True))
    with app.app_context():
        UserFactory()("coverer")
        db.session.remove()
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {
        **os.environ,
        **settings,
        "COVER_FETCH": "true",
        "COLOPHON_ENV": "testing",
        "SECRET_KEY": app.config["SECRET_KEY"],
        "DATABASE_URL": db_url,
    }
    worker = subprocess.Popen(  # noqa: S603
        [str(CONSUMER), "webapp.worker.huey", "-w", "1", "-k", "thread", "-d", "0.1", "-m", "0.5"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        yield base
    finally:
        worker.terminate()
        output = worker.communicate(timeout=15)[0].decode(errors="replace")
        server.shutdown()
        server.server_close()
    assert "Traceback" not in output, output


def cover_src(page) -> str:
    return page.locator("#book-cover img.cover").get_attribute("src")


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_covers_and_pictures(cover_site, cover_source, chromium, axe_checker, tmp_path, js):
    base = cover_site
    context = chromium.new_context(base_url=base, java_script_enabled=js)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.js_enabled, page.chromium, page.axe_checker = js, chromium, None if js else axe_checker
    origins = set()
    page.on("request", lambda r: origins.add("{0.scheme}://{0.netloc}".format(urlsplit(r.url))))
    isbn = isbn13_for(7700 + js)
    cover_source.images[isbn] = jpeg(600, 900)

    page.goto("/login")
    page.get_by_label("Username or email").fill("coverer")
    page.get_by_label("Password").fill(UserFactory.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("status")).to_contain_text("Signed in as coverer", timeout=WAIT)

    # Added with an ISBN: the worker fetches the cover; the page shows it once stored.
    page.goto("/books/new")
    page.get_by_label("Title", exact=True).fill("The Fetched Cover")
    page.get_by_label("Authors").fill("Cover Writer")
    page.get_by_label("ISBN").fill(isbn)
    page.get_by_role("button", name="Add the book").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("The Fetched Cover", timeout=WAIT)
    deadline = time.monotonic() + 20
    while not cover_src(page).startswith("/media/covers/") and time.monotonic() < deadline:
        time.sleep(0.2)
        page.reload()
    assert cover_src(page).startswith("/media/covers/"), "the worker stored no cover"
    image = page.request.get(cover_src(page))
    assert image.ok and image.headers["content-type"] == "image/jpeg"
    assert "immutable" in image.headers["cache-control"]
    assert any(hit.startswith(f"/b/isbn/{isbn}-L.jpg") for hit in cover_source.hits)
    # A reader may not replace a cover that is there.
    expect(page.locator("#cover-form")).to_have_count(0, timeout=WAIT)

    # A book without one: the reader uploads it (a bad file first).
    page.goto("/books/new")
    page.get_by_label("Title", exact=True).fill("The Uploaded Cover")
    page.get_by_label("Authors").fill("Cover Writer")
    page.get_by_role("button", name="Add the book").click()
    assert cover_src(page).endswith("/cover.svg")  # the generated placeholder meanwhile
    page.get_by_text("Add a cover").click()
    bad = tmp_path / "cover.jpg"
    bad.write_bytes(b"%PDF-1.4 not an image")
    page.get_by_label("Cover image").set_input_files(str(bad))
    page.get_by_role("button", name="Upload cover").click()
    expect(page.locator("#image-error")).to_have_text(
        "That is not a JPEG, PNG or WebP image.", timeout=WAIT
    )
    assert_accessible(page)
    good = tmp_path / "cover.png"
    good.write_bytes(png(500, 750))
    page.get_by_label("Cover image").set_input_files(str(good))
    page.get_by_role("button", name="Upload cover").click()
    expect(page.get_by_role("status")).to_contain_text("Cover saved.", timeout=WAIT)
    expect(page.locator("#book-cover img.cover")).to_have_attribute(
        "src", r_media("covers"), timeout=WAIT
    )
    assert_accessible(page)

    # A picture on /account, shown on the profile.
    page.goto("/account")
    page.get_by_label("Picture", exact=True).set_input_files(str(good))
    page.get_by_role("button", name="Upload picture").click()
    expect(page.get_by_role("status")).to_contain_text("Your picture was saved.", timeout=WAIT)
    page.goto("/u/coverer")
    expect(page.locator("img.avatar")).to_have_attribute("src", r_media("avatars"), timeout=WAIT)
    assert_accessible(page)

    assert origins == {base}, f"the browser asked other origins: {origins - {base}}"
    context.close()


def r_media(kind: str) -> re.Pattern:
    return re.compile(rf"^/media/{kind}/[0-9a-f]{{20}}-[sm]\.jpg$")
