"""Sessions end when the reader says so: logout, "sign out everywhere else", password change."""

from __future__ import annotations

import pytest

from tests.conftest import Browserless

PW = "correct horse battery"
BOTH = pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])


def browser(app, remember=False) -> Browserless:
    """A separate browser, signed in as ``reader``."""
    web = Browserless(app.test_client())
    form = {"login": "reader", "password": PW, **({"remember": "y"} if remember else {})}
    assert web.post("/login", form).status_code == 303
    return web


def signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def with_cookies(app, **cookies):
    client = app.test_client()
    for name, value in cookies.items():
        client.set_cookie(name, value)
    return client


@BOTH
def test_logout_ends_the_session_and_the_remember_cookie_server_side(app, users, htmx):
    users("reader")
    web = browser(app, remember=True)
    session_cookie = web.client.get_cookie("session").value
    remember = web.client.get_cookie("remember_token").value
    other = browser(app)

    assert web.post("/logout", htmx=htmx, page="/account").status_code == (204 if htmx else 303)
    assert not signed_in(web.client)
    # A copy of either cookie taken before logout no longer signs in …
    assert not signed_in(with_cookies(app, session=session_cookie))
    assert not signed_in(with_cookies(app, remember_token=remember))
    # … while the reader's other browser stays signed in.
    assert signed_in(other.client)


def test_a_remember_cookie_alone_signs_in_until_its_session_ends(app, users):
    users("reader")
    web = browser(app, remember=True)
    remember = web.client.get_cookie("remember_token").value
    assert signed_in(with_cookies(app, remember_token=remember))
    web.post("/account/sessions")  # from this browser: ends only the others
    assert signed_in(with_cookies(app, remember_token=remember))


@BOTH
def test_sign_out_everywhere_else(app, users, htmx):
    users("reader")
    here = browser(app)
    there = browser(app, remember=True)
    remember = there.client.get_cookie("remember_token").value
    page = here.client.get("/account").text
    assert "also signed in on 1 other browser or device" in page
    assert "Sign out everywhere else" in page

    response = here.post("/account/sessions", htmx=htmx, page="/account")
    assert response.status_code == (204 if htmx else 303)
    page = here.client.get("/account")
    assert page.status_code == 200 and "Signed out of 1 other session." in page.text
    assert "This is the only browser signed in" in page.text
    assert not signed_in(there.client)
    assert not signed_in(with_cookies(app, remember_token=remember))


def test_sign_out_everywhere_else_needs_csrf_and_a_session(app, users):
    users("reader")
    here, there = browser(app), browser(app)
    assert here.client.post("/account/sessions").status_code == 400
    assert signed_in(there.client)
    anonymous = Browserless(app.test_client())
    assert anonymous.post("/account/sessions").headers["Location"].startswith("/login")


def test_a_suspension_ends_every_session_for_good(app, users):
    from webapp.services import staff

    reader, admin = users("reader"), users("boss", role="admin")
    web = browser(app, remember=True)
    remember = web.client.get_cookie("remember_token").value
    staff.suspend(admin, reader, 1, "spam")
    staff.unsuspend(admin, reader)
    assert not signed_in(web.client)
    assert not signed_in(with_cookies(app, remember_token=remember))


@pytest.mark.parametrize("session_id", ["x:abc", "1", "1:", "99999999999999999999999:k", "١:k"])
def test_malformed_session_ids_are_anonymous(app, session_id):
    from webapp.sessions import load_user

    assert load_user(session_id) is None
