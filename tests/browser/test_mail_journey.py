"""Sign up, confirm by mail, forget the password, reset it from the mail, sign in — in Chromium.

The site runs in a real HTTP server; the worker is the real ``huey_consumer`` process reading
the same queue (a SQLite file, or Redis) and sending through a real SMTP server (aiosmtpd).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.browser.conftest import assert_accessible
from tests.conftest import REDIS_TEST_URL, config_for, migrate_to_head, require
from tests.mailbox import free_port
from tests.unit.test_doctor import redis_reachable
from webapp import create_app
from webapp.views.recovery import RESET_SENT

CONSUMER = Path(sys.executable).parent / "huey_consumer"


@pytest.fixture(params=["sqlite", "redis"])
def mail_site(request, tmp_path, mailbox):
    """(base URL, queue) of a live site and its worker process, sharing one database."""
    db_url = f"sqlite:///{tmp_path / 'journey.db'}"
    migrate_to_head(db_url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = {
        "MAIL_URL": mailbox.url,
        "SITE_URL": base,
        "UNVERIFIED_CAN_POST": "false",
        "TASK_QUEUE": request.param,
        "TASK_QUEUE_FILE": str(tmp_path / "tasks.db"),
    }
    if request.param == "redis":
        require(redis_reachable(), "Redis at 127.0.0.1:6379 is unreachable")
        settings["REDIS_URL"] = REDIS_TEST_URL
    overrides = {**settings, "UNVERIFIED_CAN_POST": False, "REDIS_URL": settings.get("REDIS_URL")}
    app = create_app(config_for(db_url, **overrides))
    app.extensions["huey"].flush()
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    env = {
        **os.environ,
        **settings,
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
        yield base, request.param
    finally:
        worker.terminate()
        output = worker.communicate(timeout=15)[0].decode(errors="replace")
        server.shutdown()
        app.extensions["huey"].flush()
    assert "Traceback" not in output, output


def wait_for_mail(mailbox, address: str, subject: str, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [m for m in mailbox.to(address) if m["Subject"] == subject]
        if found:
            return found[-1]
        time.sleep(0.1)
    raise AssertionError(f"no {subject!r} mail for {address} within {timeout}s")


def test_sign_up_confirm_forget_reset_sign_in(mail_site, chromium, mailbox, axe_checker):
    base, queue = mail_site
    js = queue == "sqlite"  # one run with JavaScript, one without
    context = chromium.new_context(base_url=base, java_script_enabled=js)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.js_enabled, page.chromium = js, chromium
    page.axe_checker = None if js else axe_checker
    name = f"mailer_{uuid.uuid4().hex[:6]}"
    address = f"{name}@example.com"
    first, second = "first passphrase 1", "second passphrase 2"

    page.goto("/signup")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Email").fill(address)
    page.get_by_label("Password").fill(first)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("status")).to_contain_text(f"We mailed a link to {address}")

    confirm = wait_for_mail(mailbox, address, "Confirm your email address")
    assert confirm["To"] == f"{name} <{address}>"
    page.goto(mailbox.link(confirm, f"{base}/email/confirm/"))
    assert_accessible(page)
    page.get_by_role("button", name=f"Yes, confirm {address}").click()
    expect(page.get_by_role("status")).to_contain_text(f"{address} is confirmed")

    page.get_by_role("button", name="Log out").click()
    page.goto("/login")
    page.get_by_role("link", name="Forgot your password?").click()
    assert_accessible(page)
    page.get_by_label("Email").fill(address.upper())
    page.get_by_role("button", name="Mail me a link").click()
    expect(page.get_by_role("status")).to_contain_text(RESET_SENT)

    reset = wait_for_mail(mailbox, address, "Reset your password")
    link = mailbox.link(reset, f"{base}/password/reset/")
    page.goto(link)
    expect(page).to_have_title(re.compile("Choose a new password"))
    assert_accessible(page)
    page.get_by_label("New password").fill(second)
    page.get_by_role("button", name="Set my new password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password was changed")

    page.get_by_label("Username or email").fill(name)
    page.get_by_label("Password").fill(second)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("status")).to_contain_text(f"Signed in as {name}")

    page.goto(link)  # the link worked once
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()
    context.close()
