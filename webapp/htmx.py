"""One URL, two answers: the full page, or the fragment htmx asked for."""

from __future__ import annotations

from flask import Response, make_response, redirect, render_template, request
from werkzeug.urls import iri_to_uri


def is_partial() -> bool:
    """True for an htmx swap; false for boosted links and history restores (they need pages)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(page: str, partial: str | None = None, status: int = 200, **context) -> Response:
    """Render ``partial`` for htmx swaps, else ``page`` (which includes the same partial).

    A fragment also carries the flash region out-of-band, so messages show without a reload.
    """
    if partial and is_partial():
        body = render_template(partial, **context) + render_template(
            "_partials/flash.html", oob=True
        )
    else:
        body = render_template(page, **context)
    return make_response(body, status)


def redirect_to(url: str, status: int = 303) -> Response:
    """Post/redirect/get for plain requests; htmx gets ``HX-Redirect`` (a 3xx would be swapped)."""
    url = iri_to_uri(url)  # a header holds only ASCII: percent-encode, e.g. a Cyrillic ``next``
    if is_partial():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, code=status)


def add_vary(response: Response) -> Response:
    """Caches must key on HX-Request: the same URL serves a page or a fragment."""
    response.vary.add("HX-Request")
    return response
