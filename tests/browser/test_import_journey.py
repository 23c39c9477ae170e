"""A reader imports a Goodreads export: upload, progress that moves (in place with JS, by
Refresh without), the report. The worker's job runs for real; axe on every import page."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import LIVE_APPS, assert_accessible, sign_up
from tests.mailbox import run_jobs

EXPORT = Path(__file__).parent.parent / "data" / "goodreads_library_export.csv"


def test_import_progress_and_report(page, live_server):
    sign_up(page, "importer")
    page.goto("/import")
    assert_accessible(page)
    page.get_by_label("Library export (CSV)").set_input_files(str(EXPORT))
    page.get_by_label("Take the file's").check()
    page.get_by_role("button", name="Import").click()
    progress = page.locator("#import-progress")
    expect(progress).to_contain_text("0 of 6 rows")
    assert_accessible(page)
    if page.js_enabled:
        page.evaluate("window.__no_reload = true")
    app = LIVE_APPS[live_server]
    with app.app_context():
        assert run_jobs(app) >= 1
    if not page.js_enabled:
        page.get_by_role("link", name="Refresh").click()
    expect(progress).to_contain_text("6 of 6 rows", timeout=8_000)
    expect(progress.locator("dd").nth(3)).to_have_text("1")  # failed: the untitled row
    if page.js_enabled:
        assert page.evaluate("window.__no_reload === true"), "the page reloaded"
    page.get_by_role("link", name="Read the report").click()
    expect(page.get_by_role("table")).to_contain_text("The row has no title.")
    assert_accessible(page)
