"""Visitors' review cards, rendered once per row: the 20 cards were a third of a cold book page.

A page is rendered cold when one of its versions moved (services/versions.py) — a review saved,
a vote — yet most of its 20 cards are as they were. A visitor's card is a function of the row
alone (``review_pages.ReviewRow``: a named tuple of every value the card shows, its
author's name, privacy and picture included), the day (dates on the page) and the code, which
does not change while the process runs: so the row itself is the key, and a changed value is
a different key, never a stale card. Signed-in readers' cards (their votes, follow and report
state, edit links) are always rendered. Markdown is not the cost: ``body_html`` is stored when
a review is saved.

**Signed-in readers** get cards from the same store, keyed also by their relation to the review
(their own, admin, marked helpful, follow state or a block, reported), heading level and swap
state: which reviews a reader sees is still decided per request by the page query, only the
drawing is shared. The two per-request strings in such a card — the reader's CSRF token and
the page's address (the Follow form's way back) — are rendered as unguessable per-process
markers and replaced on the way out, never found by value (a review's text could hold them).
``shared`` keeps blank forms the same way (the same for every reader but the token).

Per process, least recently used out first past ``CARD_CACHE_MB`` (0: off); off in debug,
where templates reload.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from datetime import UTC, datetime

from flask import Flask, current_app, request
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from webapp import permissions
from webapp.services.review_pages import ReviewRow


class Cards:
    """Rendered cards by (row, focus, day), bounded by the bytes they hold."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self._cards: OrderedDict[tuple, Markup] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Markup | None:
        with self._lock:
            found = self._cards.get(key)
            if found is not None:
                self._cards.move_to_end(key)
            return found

    def put(self, key: tuple, html: Markup) -> None:
        with self._lock:
            old = self._cards.pop(key, None)
            self.size += len(html) - (len(old) if old is not None else 0)
            self._cards[key] = html
            while self.size > self.max_bytes and self._cards:
                _, dropped = self._cards.popitem(last=False)
                self.size -= len(dropped)


CARD_TEMPLATE = "reviews/_card.html"


def _macro(context: Context):
    """``review_card`` as ``{% from CARD_TEMPLATE import review_card with context %}`` gives it,
    imported at most once per render and only on a miss: the import runs the card template and
    the two it imports, a tenth of a cold page."""
    macro = context.vars.get("_review_card")
    if macro is None:
        template = context.environment.get_template(CARD_TEMPLATE)
        macro = context.vars["_review_card"] = template.make_module(
            context.get_all(), True
        ).review_card
    return macro


def page_user(context: Context):
    """The signed-in reader (or the anonymous user) as the page's context holds it: the object
    itself, not Flask-Login's proxy, which costs a context lookup at every attribute read (a
    hundred a signed-in page, most of them here)."""
    user = context.get("current_user")
    return current_user._get_current_object() if user is None else user


@pass_context
def visitor_card(context: Context, review, focus: bool = False, level: int = 3) -> Markup:
    """A review card, from the cache for a row (see above)."""
    cards = current_app.extensions.get("review_cards")
    return _filled(context, _drawn(context, cards, review, focus, level))


@pass_context
def visitor_cards(context: Context, reviews, focus_first: bool = False) -> Markup:
    """A page's cards, each as ``visitor_card`` draws it (focus on the first when swapped in),
    in one call from the template, and a reader's markers filled in once in the page's cards:
    one escape and one pass over their few KB each, not 20."""
    cards = current_app.extensions.get("review_cards")
    drawn = [
        _drawn(context, cards, review, focus_first and n == 0, 3)
        for n, review in enumerate(reviews)
    ]
    return _filled(context, "".join(drawn))


def _drawn(context: Context, cards: Cards | None, review, focus, level: int) -> str:
    """A card's markup: a visitor's as shown, a signed-in reader's with the markers."""
    if cards is None or not isinstance(review, ReviewRow):
        return _macro(context)(review, level, focus)
    reader = context.vars.get("_card_reader")
    if reader is None:
        user = page_user(context)
        reader = context.vars["_card_reader"] = (
            _Reader(context, user) if user.is_authenticated else False
        )
    if reader:
        return _reader_card(context, cards, reader, review, level, focus)
    key = (review, bool(focus), level, datetime.now(UTC).date())
    html = cards.get(key)
    if html is None:
        html = _macro(context)(review, level, focus)
        cards.put(key, html)
    return html


def _filled(context: Context, text: str) -> Markup:
    """Cards as the page shows them: a reader's token and way back in place of the markers."""
    reader = context.vars.get("_card_reader")
    if reader:
        if TOKEN in text:
            text = text.replace(TOKEN, reader.token)
        if BACK in text:
            text = text.replace(BACK, reader.back)
    return Markup(text)  # noqa: S704 (the template's output, markers replaced by escaped text)


# Unguessable per process, so no stored text can pose as one; hex survives HTML escaping.
TOKEN = f"csrf-{secrets.token_hex(16)}"
BACK = f"back-{secrets.token_hex(16)}"
_MISSING = object()
# Context that makes a reader's card differ from its cached form: such cards render as before.
_BYPASS = ("focus_helpful", "report_open", "report_form")


class _Reader:
    """What every card of one page shares for its signed-in reader, read once a page (cards
    reach the context a page's include shares: ``reviews/_page.html`` passes no loop
    variables, so the stash in ``context.vars`` is seen by its next card)."""

    def __init__(self, context: Context, user):
        self.id = user.id
        self.admin = permissions.is_admin(user)
        self.voted = context.get("voted") or ()
        self.reported = context.get("reported_ids") or ()
        self.following = context.get("following", _MISSING)
        # A reader's card differs from its cached form: such pages render their cards as before.
        self.bypass = any(context.get(name) for name in _BYPASS)
        self.swapped = bool(context.get("swapped"))
        self.day = datetime.now(UTC).date()
        self.root = request.script_root
        self.token = str(escape(context.resolve("csrf_token")()))
        self._back = None
        self._context = context

    @property
    def back(self) -> str:
        if self._back is None:
            back = self._context.get("back_to") or request.full_path.rstrip("?")
            self._back = str(escape(back))
        return self._back

    def variant(self, review: ReviewRow) -> tuple:
        """What a card shows differently for this reader."""
        following = self.following
        return (
            review.user_id == self.id,
            self.admin,
            review.id in self.voted,
            "-" if following is _MISSING else following.get(review.user_id),
            review.id in self.reported,
        )


def _render_marked(context: Context, review: ReviewRow, level: int) -> str:
    """The card as ``_card.html`` draws it for this reader, with the markers for the token and
    the way back. Only what the key covers is passed: anything else the card might read is
    undefined here, which the tests comparing cached and direct pages would show."""
    template = context.environment.get_template("reviews/_card_marked.html")
    values = {
        name: context.get(name)
        for name in ("current_user", "request", "voted", "reported_ids", "swapped")
    }
    following = context.get("following", _MISSING)
    if following is not _MISSING:
        values["following"] = following
    return template.render(
        **values, review=review, level=level, back_to=BACK, csrf_token=lambda: TOKEN
    )


def _reader_card(
    context: Context, cards: Cards, reader: _Reader, review: ReviewRow, level: int, focus
) -> str:
    if focus or reader.bypass:
        return _macro(context)(review, level, focus)
    variant = reader.variant(review)
    key = ("reader", review, level, reader.swapped, variant, reader.root, reader.day)
    html = cards.get(key)
    if html is None:
        html = Markup(_render_marked(context, review, level))  # noqa: S704 (the template's)
        cards.put(key, html)
    return html  # its markers are filled in by ``_filled``


@pass_context
def shared(context: Context, name: str, *key, caller, when: bool = True) -> Markup:
    """``{% call shared(name, key…, when=…) %}…{% endcall %}``: a fragment the same for every
    signed-in reader but for their CSRF token — a blank form — drawn once per ``key``.

    Only for fragments without stored text (the token is found by its value, which text a
    reader wrote could contain); ``when`` false (a form sent back with errors) draws it afresh.
    """
    cards = current_app.extensions.get("review_cards")
    if cards is None or not when or not permissions.is_signed_in(page_user(context)):
        return Markup(caller())  # noqa: S704 (the template's own output)
    full_key = ("shared", name, *key, request.script_root)
    html = cards.get(full_key)
    token = context.resolve("csrf_token")()
    if html is None:
        html = Markup(str(caller()).replace(token, TOKEN))  # noqa: S704 (as above)
        cards.put(full_key, html)
    return Markup(str(html).replace(TOKEN, str(escape(token))))  # noqa: S704 (as above)


@pass_context
def kept(context: Context, name: str, *key, caller) -> Markup:
    """``{% call kept(name, key…) %}…{% endcall %}``: a fragment that shows nothing but its
    ``key`` (no text a reader wrote, no URL, no token) — the same for every reader and
    visitor — drawn once per key."""
    cards = current_app.extensions.get("review_cards")
    if cards is None:
        return Markup(caller())  # noqa: S704 (the template's own output)
    full_key = ("kept", name, *key)
    html = cards.get(full_key)
    if html is None:
        html = Markup(caller())  # noqa: S704 (as above)
        cards.put(full_key, html)
    return html


def init_app(app: Flask) -> None:
    megabytes = app.config["CARD_CACHE_MB"]
    if megabytes and not app.debug and not app.config.get("TEMPLATES_AUTO_RELOAD"):
        app.extensions["review_cards"] = Cards(megabytes * 1024 * 1024)
    app.jinja_env.globals.update(
        visitor_card=visitor_card, visitor_cards=visitor_cards, shared=shared, kept=kept
    )
