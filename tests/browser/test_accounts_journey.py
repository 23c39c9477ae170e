"""A reader signs up, logs out, logs in and changes the password — with and without JS."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible


def test_sign_up_log_out_log_in_change_password(page):
    name = f"reader_{uuid.uuid4().hex[:8]}"
    old, new = "first passphrase 1", "second passphrase 2"

    page.goto("/")
    assert_accessible(page)
    page.get_by_role("link", name="Sign up").click()
    expect(page).to_have_title(re.compile("Sign up"))
    assert_accessible(page)

    # A too-short password is refused beside the field, and the typed name is kept.
    page.get_by_label("Username").fill(name)
    page.get_by_label("Email").fill(f"{name}@example.com")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#password-error")).to_contain_text("between 10 and 1024")
    expect(page.get_by_label("Username")).to_have_value(name)
    assert_accessible(page)

    page.get_by_label("Password").fill(old)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("status")).to_contain_text(f"Welcome to Colophon, {name}")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text(name)

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()

    page.get_by_role("link", name="Sign in").click()
    assert_accessible(page)
    page.get_by_label("Username or email").fill(name)
    page.get_by_label("Password").fill("wrong password!")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("do not match an account")
    assert_accessible(page)
    page.get_by_label("Password").fill(old)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("status")).to_contain_text(f"Signed in as {name}")

    page.get_by_role("link", name="Account").click()
    expect(page).to_have_url(re.compile("/account$"))
    assert_accessible(page)
    form = page.locator("#password-form")
    form.get_by_label("Current password").fill("not it at all")
    form.get_by_label("New password").fill(new)
    form.get_by_role("button", name="Change password").click()
    expect(page.locator("#password-current_password-error")).to_contain_text("not your current")
    assert_accessible(page)
    form = page.locator("#password-form")
    form.get_by_label("Current password").fill(old)
    form.get_by_label("New password").fill(new)
    form.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password was changed")

    page.get_by_role("button", name="Log out").click()
    page.goto("/login")
    page.get_by_label("Username or email").fill(name)
    page.get_by_label("Password").fill(new)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("navigation", name="Main")).to_contain_text(name)


def test_htmx_swaps_the_form_in_place(page):
    """With JS, a bad login re-renders only the form (no navigation); without, a full page."""
    page.goto("/login")
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    page.get_by_label("Username or email").fill("nobody_here")
    page.get_by_label("Password").fill("whatever it is")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("do not match an account")
    expect(page.get_by_label("Username or email")).to_have_value("nobody_here")
    assert (navigations == []) is page.js_enabled
