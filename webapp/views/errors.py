"""Styled error pages; for htmx requests, a message swapped into the flash region instead.

A service's ``NotAllowed`` and ``NotFound`` become 403 and 404 here, so views need not catch them.
"""

from __future__ import annotations

import logging

from flask import Flask, g, make_response
from flask.globals import request_ctx
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError

from webapp import errors, htmx
from webapp.extensions import db, login_manager

log = logging.getLogger(__name__)

PLAIN = {"Content-Type": "text/plain; charset=utf-8"}

MESSAGES = {
    400: ("Bad request", "The request could not be understood."),
    403: ("Not allowed", "You do not have permission to do that."),
    404: ("Not found", "There is nothing at this address."),
    405: ("Method not allowed", "That address does not accept this kind of request."),
    413: ("Too large", "That was more than the site accepts in one go. Please send less."),
    429: ("Slow down", "Too many attempts in a short time. Please wait a little and try again."),
    500: ("Something went wrong", "An unexpected error happened on our side. It has been logged."),
    503: (
        "Back in a moment",
        "The site cannot reach its database just now. Please try again in a few seconds.",
    ),
}
# Errors that mean "the database is not there right now", not "this request is wrong".
UNAVAILABLE = (OperationalError, DisconnectionError, PoolTimeout)
RETRY_AFTER_SECONDS = 5


def rollback() -> None:
    """An error page must not run on a session a failed statement left unusable."""
    try:
        db.session.rollback()
    except Exception:  # the connection itself is gone; the next request gets a fresh one
        log.warning("Rollback failed before an error page", exc_info=True)


def error_response(status: int, detail: str | None = None):
    title, message = MESSAGES.get(status, ("Error", "Something went wrong."))
    return htmx.error(
        "errors/error.html", "errors/_error.html", status, title=title, message=detail or message
    )


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(CSRFError, csrf_error)
    app.register_error_handler(errors.NotAllowed, not_allowed)
    app.register_error_handler(errors.NotFound, gone)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, unexpected)


def csrf_error(error: CSRFError):
    return error_response(
        400, "Your form expired or was sent from elsewhere. Reload the page and try again."
    )


def not_allowed(error: errors.NotAllowed):
    return error_response(403)


def gone(error: errors.NotFound):
    # A service found its target gone meanwhile (deleted or merged by someone else).
    return error_response(404, str(error))


def http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    rollback()
    if request_ctx.url_adapter is None:
        # The Host is not one of TRUSTED_HOSTS: no URL can be built, so no page either.
        return make_response(f"{error.code} {error.name}: unknown host.\n", error.code, PLAIN)
    response = error_response(error.code)
    response.headers.update((k, v) for k, v in error.get_headers() if k == "Retry-After")
    if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def unexpected(error: Exception):
    rollback()
    if isinstance(error, UNAVAILABLE):
        return database_unavailable(error)
    # Logged with the stack trace; the browser only sees the styled page.
    log.exception("Unhandled error", exc_info=error)
    return error_response(InternalServerError.code)


def database_unavailable(error: Exception):
    """503 with Retry-After: the request was fine, the database did not answer."""
    log.warning("Database unavailable: %s", type(error).__name__, exc_info=error)
    # Rendered as for a visitor: asking the database who is signed in would fail again.
    g._login_user = login_manager.anonymous_user()
    response = error_response(503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
