"""The test client as a browser uses the site: one context per request, forms with CSRF."""

from __future__ import annotations

import contextvars
import re

from flask import has_app_context
from flask.testing import FlaskClient

from tests.factories import UserFactory
from webapp.extensions import db

CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class IsolatedClient(FlaskClient):
    """Runs each request in a fresh context, as a server would.

    Tests hold an app context open for their own queries; without this, requests would share
    its ``g`` (the CSRF token, the logged-in user) across clients. Afterwards the test's
    session is rolled back so it sees what the request wrote.
    """

    # The session's raw CSRF secret and the form token read off a page for it.
    csrf: tuple[str, str] | None = None

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context() and db.session.registry.has():
            db.session.rollback()
        return response


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF field"
    return match.group(1)


class Browserless:
    """Form posts the way a browser sends them: plain, or as htmx with the CSRF header."""

    def __init__(self, client):
        self.client = client

    def _session_secret(self) -> str | None:
        with self.client.session_transaction() as session:
            return session.get("csrf_token")

    def token(self) -> str:
        """The session's CSRF token, read off a page like a browser would.

        A browser keeps using the token of the page it has; so does this, reading a page
        (``/login``) again only when the session's CSRF secret changed (a new session, logout).
        """
        cached = getattr(self.client, "csrf", None)
        if cached is not None and cached[0] == self._session_secret():
            return cached[1]
        token = csrf_from(self.client.get("/login").get_data(as_text=True))
        secret = self._session_secret()
        if secret is not None:
            self.client.csrf = (secret, token)
        return token

    def post(self, url: str, data: dict | None = None, *, htmx: bool = False, page: str = "/"):
        """POST ``data`` to ``url``; ``page`` is where the form sat (sent as HX-Current-URL)."""
        data = dict(data or {})
        token = self.token()
        headers = {}
        if htmx:
            headers = {"HX-Request": "true", "X-CSRFToken": token, "HX-Current-URL": page}
        else:
            data.setdefault("csrf_token", token)
        return self.client.post(url, data=data, headers=headers)

    def htmx_get(self, url: str):
        return self.client.get(url, headers={"HX-Request": "true"})


class AuthActions:
    def __init__(self, web: Browserless):
        self.web = web

    def login(self, login: str = "reader", password: str = UserFactory.password, **extra):
        return self.web.post("/login", {"login": login, "password": password, **extra})

    def logout(self):
        return self.web.post("/logout", page="/login")
