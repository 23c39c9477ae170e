"""Visitors' review cards, rendered once per row: the 20 cards were a third of a cold book page.

A page is rendered cold when one of its versions moved (services/versions.py) — a review saved,
a vote — yet most of its 20 cards are as they were. A visitor's card is a function of the row
alone (``review_pages.ReviewRow``: a frozen dataclass of every value the card shows, its
author's name, privacy and picture included), the day (dates on the page) and the code, which
does not change while the process runs: so the row itself is the key, and a changed value is
a different key, never a stale card. Signed-in readers' cards (their votes, follow and report
state, edit links) are always rendered. Markdown is not the cost: ``body_html`` is stored when
a review is saved.

Per process, least recently used out first past ``CARD_CACHE_MB`` (0: off); off in debug,
where templates reload.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import UTC, datetime

from flask import Flask, current_app
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

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


@pass_context
def visitor_card(context: Context, review, focus: bool = False) -> Markup:
    """A review card, from the cache for a visitor's row (see above)."""
    cards = current_app.extensions.get("review_cards")
    if cards is None or not isinstance(review, ReviewRow) or current_user.is_authenticated:
        return _macro(context)(review, focus=focus)
    key = (review, bool(focus), datetime.now(UTC).date())
    html = cards.get(key)
    if html is None:
        html = _macro(context)(review, focus=focus)
        cards.put(key, html)
    return html


def init_app(app: Flask) -> None:
    megabytes = app.config["CARD_CACHE_MB"]
    if megabytes and not app.debug and not app.config.get("TEMPLATES_AUTO_RELOAD"):
        app.extensions["review_cards"] = Cards(megabytes * 1024 * 1024)
    app.jinja_env.globals["visitor_card"] = visitor_card
