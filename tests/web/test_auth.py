"""Sign up, log in, log out — plain and htmx paths, validation, CSRF, next, rate limits."""

from __future__ import annotations

import pytest

from webapp.models import User
from webapp.views.auth import BAD_LOGIN
from webapp.web import safe_next

GOOD = {"username": "new_reader", "email": "New@Example.com", "password": "a long enough secret"}


def test_signup_page(client):
    response = client.get("/signup")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<label for="username">Username</label>' in html
    assert 'name="csrf_token"' in html
    assert "HX-Request" in response.headers["Vary"]


def test_signup_signs_in_and_redirects(web, client):
    response = web.post("/signup", GOOD)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    user = User.by_username("NEW_READER")
    assert user.username == "new_reader"
    assert user.email == "new@example.com"
    assert user.password_hash.startswith("scrypt:")
    assert "a long enough secret" not in user.password_hash
    home = client.get("/").get_data(as_text=True)
    assert "new_reader" in home and "Log out" in home


def test_signup_htmx_redirects_with_header(web):
    response = web.post("/signup", GOOD, htmx=True, page="/signup")
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"username": "ab"}, "username", "Use 3–30 characters: letters, digits, underscores"),
        ({"username": "has space"}, "username", "letters, digits, underscores"),
        ({"username": "x" * 31}, "username", "Use 3–30 characters"),
        ({"username": "Taken_Name"}, "username", "That username is taken."),
        ({"email": "not-an-email"}, "email", "not a valid email"),
        ({"email": "TAKEN@example.com"}, "email", "already exists"),
        ({"password": "short"}, "password", "Use at least 10 characters."),
        ({"password": "x" * 1025}, "password", "Use at most 1024 characters."),
        ({"password": "password123"}, "password", "too common"),
        ({"password": "QWERTYUIOP"}, "password", "too common"),
        ({"username": ""}, "username", "Choose a username."),
        ({"email": ""}, "email", "Give your email address"),
        ({"password": ""}, "password", "Choose a password of at least 10 characters."),
    ],
)
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_signup_validation(web, users, data, field, message, htmx):
    users("taken_name", email="taken@example.com")
    form = {**GOOD, **data}
    response = web.post("/signup", form, htmx=htmx, page="/signup")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    assert message in html
    assert 'aria-invalid="true"' in html
    # The reader's text is kept (never the password).
    if field != "username" and form["username"]:
        assert f'value="{form["username"]}"' in html
    if form["password"]:
        assert form["password"] not in html.replace(f'value="{form["username"]}"', "")
    assert ("<html" in html) is not htmx
    assert User.by_username("new_reader") is None
    assert "Field must be" not in html and "This field is required" not in html  # WTForms' words


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_signup_reports_every_field_at_once(web, users, htmx):
    bad = {"username": "a b", "email": "nope", "password": "short"}
    response = web.post("/signup", bad, htmx=htmx, page="/signup")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for field in ("username", "email", "password"):
        assert f'id="{field}-error"' in html
    # The account check too: a taken name and a taken address in one answer.
    users("taken_name", email="taken@example.com")
    taken = {**GOOD, "username": "Taken_Name", "email": "taken@example.com"}
    html = web.post("/signup", taken, htmx=htmx, page="/signup").get_data(as_text=True)
    assert "That username is taken." in html and "already exists" in html


def test_signup_without_csrf_is_refused(client):
    response = client.post("/signup", data=GOOD)
    assert response.status_code == 400
    assert "form expired" in response.get_data(as_text=True)
    assert User.by_username("new_reader") is None


def test_signup_with_csrf_header_only_is_refused_without_token(client):
    response = client.post("/signup", data=GOOD, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#flash"
    assert "<html" not in response.get_data(as_text=True)


@pytest.mark.parametrize("login", ["Reader", "READER@example.com"])
def test_login_with_username_or_email(auth, users, client, login):
    users("reader")
    response = auth.login(login)
    assert response.status_code == 303
    assert "Log out" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_wrong_password_and_unknown_account_get_the_same_message(web, users, htmx):
    users("reader")
    wrong = web.post("/login", {"login": "reader", "password": "wrong password!"}, htmx=htmx)
    unknown = web.post("/login", {"login": "nobody", "password": "wrong password!"}, htmx=htmx)
    for response in (wrong, unknown):
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert BAD_LOGIN in html
        assert ("<html" in html) is not htmx
    assert 'value="nobody"' in unknown.get_data(as_text=True)


def test_login_follows_local_next_only(auth, users):
    users("reader")
    assert auth.login(next="/account").headers["Location"] == "/account"
    auth.logout()
    assert auth.login(next="https://evil.example/").headers["Location"] == "/"
    auth.logout()
    assert auth.login(next="//evil.example/x").headers["Location"] == "/"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/account", "/account"),
        ("/books?q=x", "/books?q=x"),
        ("//evil.example", None),
        ("https://evil.example/", None),
        ("/\\evil.example", None),
        ("javascript:alert(1)", None),
        ("", None),
        (None, None),
    ],
)
def test_safe_next(target, expected):
    assert safe_next(target) == expected


def test_login_required_redirects_with_next(client):
    response = client.get("/account")
    assert response.status_code == 303
    assert response.headers["Location"] == "/login?next=/account"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'name="next" type="hidden" value="/account"' in page


def test_login_required_htmx_gets_hx_redirect(web):
    response = web.post(
        "/account/email",
        {"email-email": "x@example.com"},
        htmx=True,
        page="http://localhost/account",
    )
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login?next=/account"


def test_logout_is_post_only(auth, users, client):
    users("reader")
    auth.login()
    response = client.get("/logout")
    assert response.status_code == 405
    assert "Log out" in client.get("/").get_data(as_text=True)
    response = auth.logout()
    assert response.status_code == 303
    assert "Sign in" in client.get("/").get_data(as_text=True)


def test_logout_needs_csrf(auth, users, client):
    users("reader")
    auth.login()
    assert client.post("/logout").status_code == 400
    assert "Log out" in client.get("/").get_data(as_text=True)


def test_remember_me_sets_a_secure_long_cookie(auth, users, client):
    users("reader")
    auth.login(remember="y")
    cookie = client.get_cookie("remember_token")
    assert cookie is not None and cookie.http_only


def test_login_rate_limited_per_account(make_app, users):
    app = make_app(LOGIN_LIMIT_PER_ACCOUNT="3 per minute", LOGIN_LIMIT_PER_IP="100 per minute")
    with app.app_context():
        users("reader")
    from tests.conftest import Browserless

    web = Browserless(app.test_client())
    for _ in range(3):
        assert web.post("/login", {"login": "reader", "password": "wrong one!!"}).status_code == 422
    blocked = web.post("/login", {"login": "READER", "password": "wrong one!!"})
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)
    # Another account from the same address is still allowed.
    assert web.post("/login", {"login": "other", "password": "wrong one!!"}).status_code == 422


def test_login_rate_limited_per_ip(make_app):
    app = make_app(LOGIN_LIMIT_PER_IP="2 per minute")
    from tests.conftest import Browserless

    web = Browserless(app.test_client())
    for name in ("a1", "a2"):
        assert web.post("/login", {"login": name, "password": "x"}).status_code == 422
    assert web.post("/login", {"login": "a3", "password": "x"}).status_code == 429
    htmx = web.post("/login", {"login": "a4", "password": "x"}, htmx=True)
    assert htmx.status_code == 429
    assert htmx.headers["HX-Retarget"] == "#flash"


def test_signup_rate_limited_per_ip(make_app):
    """Only sign-ups that reach the account check count: typos in the form cost nothing."""
    app = make_app(SIGNUP_LIMIT_PER_IP="2 per minute")
    from tests.conftest import Browserless

    web = Browserless(app.test_client())
    for _ in range(3):  # badly formed: refused before any account is looked up, not counted
        assert web.post("/signup", {"username": "x"}).status_code == 422
    assert web.post("/signup", {**GOOD, "username": "first_one"}).status_code == 303
    web.client.post("/logout", data={"csrf_token": web.token()})
    taken = {**GOOD, "username": "first_one", "email": "other@example.com"}
    assert web.post("/signup", taken).status_code == 422  # reached the check: counted
    assert web.post("/signup", {**GOOD, "username": "second_one"}).status_code == 429
    assert web.post("/signup", {"username": "x"}).status_code == 429  # past the limit
