"""One URL, two answers: the full page, or the fragment htmx asked for.

Views never branch on the request type themselves; they end with one of:

- ``render(page, fragment, **context)`` for a GET: the page, or for htmx the fragment;
- ``respond(url, fragment, message=..., **context)`` after a successful POST: a plain request
  gets the message flashed and a 303 to ``url``; htmx gets the fragment (or ``HX-Redirect`` to
  ``url`` when there is none);
- ``invalid(page, fragment, **context)`` when a form did not go through: 422 with the reader's
  text and the errors beside the fields (200 when a GET first shows the form).

Wrap the service call in ``forms.errors_to(form)`` so its ValidationError lands on the form, and
let a service's ``NotAllowed``/``NotFound`` propagate: the error handlers answer 403/404.

``oob=[template, ...]`` names parts htmx swaps out of band (each rendered with ``oob=True``, so its
root element carries ``hx-swap-oob``). The flash region always rides along out of band.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from flask import Response, flash, make_response, redirect, render_template, request, url_for
from werkzeug.urls import iri_to_uri

from webapp.web import safe_next


def is_partial() -> bool:
    """True for an htmx swap; false for boosted links and history restores (they need pages)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(
    page: str,
    fragment: str | None = None,
    *,
    oob: Sequence[str] = (),
    status: int = 200,
    **context,
) -> Response:
    """``page`` (which includes ``fragment``), or for htmx ``fragment`` plus the ``oob`` parts.

    A fragment sent alone is rendered with ``swapped=True`` (it may move focus to what is new).
    """
    if (fragment or oob) and is_partial():
        return make_response(_fragment(fragment, oob, context), status)
    return make_response(render_template(page, **context), status)


def respond(
    url: str,
    fragment: str | None = None,
    *,
    message: str | None = None,
    category: str = "success",
    quiet: bool = False,
    oob: Sequence[str] = (),
    **context,
) -> Response:
    """Success: flash ``message`` and 303 to ``url``; htmx gets ``fragment`` and the ``oob`` parts.

    With ``oob`` parts but no ``fragment``, htmx swaps nothing into the target: it goes away.

    ``quiet=True`` keeps the message out of sight on htmx answers whose fragment already shows
    the change (a toggled button): only screen readers hear it from the live region, and the
    plain request's reloaded page shows it.
    """
    partial = is_partial()
    swapping = partial and bool(fragment or oob)
    if message:
        # A quiet message still goes to the live region, for screen readers only.
        flash(message, "quiet" if quiet and swapping else category)
    if swapping:
        return make_response(_fragment(fragment, oob, context), 200)
    return redirect_to(url)


def invalid(
    page: str, fragment: str | None = None, *, oob: Sequence[str] = (), **context
) -> Response:
    """The form again, text kept and errors beside the fields: 422 after a POST, 200 on a GET.

    For routes that both show a form (GET) and take it (POST), this is their last line.
    """
    status = 422 if request.method == "POST" else 200
    return render(page, fragment, oob=oob, status=status, **context)


def error(page: str, fragment: str, status: int, **context) -> Response:
    """An error page (``status`` is also in its context), or for htmx the fragment put in the
    flash region: the request's own target may be a button or a row, no place for a message."""
    if not is_partial():
        return make_response(render_template(page, status=status, **context), status)
    response = make_response(render_template(fragment, status=status, **context), status)
    response.headers["HX-Retarget"] = "#flash"
    response.headers["HX-Reswap"] = "innerHTML"
    return response


def sign_in_first(login_endpoint: str) -> Response:
    """Send a signed-out reader to sign in, then back to the page they were on.

    htmx gets 401 with ``HX-Redirect`` (a login page swapped into a div would be wrong); a plain
    request a flash and a 303.
    """
    if is_partial():
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        back = current.path + (f"?{current.query}" if current.query else "")
        response = make_response("", 401)
        response.headers["HX-Redirect"] = url_for(login_endpoint, next=safe_next(back))
        return response
    flash("Please sign in to continue.", "info")
    target = request.full_path if request.method == "GET" else urlsplit(request.referrer or "").path
    return redirect(url_for(login_endpoint, next=safe_next(target.rstrip("?"))), code=303)


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


def _fragment(fragment: str | None, oob: Sequence[str], context: dict) -> str:
    parts = [render_template(fragment, swapped=True, **context)] if fragment else []
    parts += [render_template(name, **{**context, "oob": True}) for name in oob]
    parts.append(render_template("_partials/flash.html", oob=True))
    return "".join(parts)
