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

    # Every wrong field is named at once, in the site's words; the typed text is kept.
    page.get_by_label("Username").fill("a b")
    page.get_by_label("Email").fill("not an address")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#username-error")).to_contain_text("Use 3–30 characters")
    expect(page.locator("#email-error")).to_contain_text("not a valid email address")
    expect(page.locator("#password-error")).to_have_text("Use at least 10 characters.")
    if page.js_enabled:  # swapped in place: focus on the first field to fix
        expect(page.get_by_label("Username")).to_be_focused()
    expect(page.get_by_label("Email")).to_have_value("not an address")
    assert_accessible(page)
    page.get_by_label("Username").fill(name)
    page.get_by_label("Email").fill(f"{name}@example.com")

    page.get_by_label("Password").fill(old)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("status")).to_contain_text(f"Welcome to Colophon, {name}")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text(name)

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()

    page.get_by_role("link", name="Sign in", exact=True).click()
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
