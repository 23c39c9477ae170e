"""The account page: change email, change password (ends other sessions), delete."""

from __future__ import annotations

import pytest

from tests.conftest import Browserless
from webapp.extensions import db
from webapp.models import User

PW = "correct horse battery"


def test_account_page(client, reader):
    html = client.get("/account").get_data(as_text=True)
    assert "reader@example.com" in html
    for form in ("email-form", "password-form", "delete-form"):
        assert f'id="{form}"' in html
    assert "reviews, ratings and shelves" in html


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_change_email(web, reader, htmx):
    response = web.post(
        "/account/email",
        {"email-email": "Fresh@Example.com", "email-current_password": PW},
        htmx=htmx,
    )
    if htmx:
        assert response.status_code == 204 and response.headers["HX-Redirect"] == "/account"
    else:
        assert response.status_code == 303 and response.headers["Location"] == "/account"
    db.session.refresh(reader)
    # The new address must confirm first (tests/web/test_mail_accounts.py follows the link).
    assert (reader.email, reader.pending_email) == ("reader@example.com", "fresh@example.com")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"email-current_password": "not my password"},
            "email-current_password",
            "not your current password",
        ),
        ({"email-email": "bad"}, "email-email", "not a valid email"),
        ({"email-email": "other@example.com"}, "email-email", "already exists"),
    ],
)
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_change_email_errors(web, reader, users, data, field, message, htmx):
    users("other")
    form = {"email-email": "fresh@example.com", "email-current_password": PW, **data}
    response = web.post("/account/email", form, htmx=htmx)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html
    assert f'value="{form["email-email"]}"' in html
    assert ("<html" in html) is not htmx
    db.session.refresh(reader)
    assert reader.email == "reader@example.com"


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_change_password_ends_other_sessions(app, web, reader, auth, htmx):
    other = Browserless(app.test_client())
    assert other.post("/login", {"login": "reader", "password": PW}).status_code == 303
    assert other.client.get("/account").status_code == 200

    response = web.post(
        "/account/password",
        {"password-current_password": PW, "password-new_password": "a brand new passphrase"},
        htmx=htmx,
    )
    assert response.status_code == (204 if htmx else 303)
    # This session stays signed in; the other one is signed out at once.
    assert web.client.get("/account").status_code == 200
    assert other.client.get("/account").status_code == 303
    auth.logout()
    assert auth.login(password=PW).status_code == 422
    assert auth.login(password="a brand new passphrase").status_code == 303


def test_change_password_ends_remembered_sessions(app, reader, web):
    other = Browserless(app.test_client())
    other.post("/login", {"login": "reader", "password": PW, "remember": "y"})
    remember = other.client.get_cookie("remember_token").value
    web.post(
        "/account/password",
        {"password-current_password": PW, "password-new_password": "a brand new passphrase"},
    )
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remember)
    assert fresh.get("/account").status_code == 303


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"password-current_password": "wrong password"},
            "password-current_password",
            "not your current password",
        ),
        ({"password-new_password": "short"}, "password-new_password", "between 10 and 1024"),
        ({"password-new_password": "1234567890"}, "password-new_password", "too common"),
    ],
)
def test_change_password_errors(web, reader, data, field, message):
    form = {"password-current_password": PW, "password-new_password": "another good one", **data}
    response = web.post("/account/password", form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_delete_account(web, reader, client, htmx):
    reader_id = reader.id
    response = web.post("/account/delete", {"delete-password": PW}, htmx=htmx)
    assert response.status_code == (204 if htmx else 303)
    assert db.session.get(User, reader_id) is None
    home = client.get("/")
    assert "Sign in" in home.get_data(as_text=True)
    assert "were deleted" in home.get_data(as_text=True)


def test_delete_account_needs_password(web, reader):
    response = web.post("/account/delete", {"delete-password": "wrong password"})
    assert response.status_code == 422
    assert "not your current password" in response.get_data(as_text=True)
    assert User.by_username("reader") is not None


def test_account_actions_need_login(web):
    for url in ("/account/email", "/account/password", "/account/delete"):
        response = web.post(url, {})
        assert response.status_code == 303
        assert response.headers["Location"].startswith("/login")
