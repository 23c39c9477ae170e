"""The strict Content-Security-Policy holds in a real browser: htmx runs, nothing inline."""

from __future__ import annotations

from playwright.sync_api import expect

from webapp.security import CONTENT_SECURITY_POLICY


def test_pages_run_under_the_strict_policy(page):
    violations: list[str] = []
    response = page.goto("/login")
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    if not page.js_enabled:
        return
    page.evaluate(
        "() => { window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI)); }"
    )
    assert page.evaluate("() => htmx.version") == "2.0.11"  # package-lock.json's
    # The self-hosted body font loads under font-src 'self' (default-src).
    loaded = "async () => { await document.fonts.ready; return [...document.fonts]"
    loaded += ".filter(f => f.status === 'loaded').map(f => f.family); }"
    assert "Literata Variable" in page.evaluate(loaded)
    # includeIndicatorStyles is false: htmx injects no <style>, nothing else does either.
    assert page.evaluate("() => document.querySelectorAll('style, [style]').length") == 0
    # An htmx round trip (422 swap) under the policy.
    page.get_by_label("Username or email").fill("nobody")
    page.get_by_label("Password").fill("wrong password!")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    violations = page.evaluate("() => window.__csp")
    assert violations == []
    assert page.evaluate("() => document.querySelectorAll('style, [style]').length") == 0
