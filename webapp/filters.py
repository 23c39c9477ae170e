"""Jinja filters shared by every feature's templates."""

from __future__ import annotations

from datetime import UTC, datetime
from datetime import date as Day

from markupsafe import Markup

from webapp import markdown as markdown_rules
from webapp.languages import language_name


def markdown(text: str | None) -> Markup:
    """``{{ book.description|markdown }}``: sanitised HTML, so it is safe to mark as such."""
    return Markup(markdown_rules.render(text))  # noqa: S704 (nh3-sanitised above)


def plain(text: str | None) -> str:
    """Markdown as plain text (for meta descriptions): rendered, then every tag removed."""
    return markdown_rules.plain(text)


def stars(value: float | None) -> str:
    """A mean rating to one decimal ("4.3"), or an empty string before the first rating."""
    return "" if value is None else f"{value:.1f}"


def _utc(when: datetime) -> datetime:
    """Stored times are aware UTC; a naive one (from a bare SQLite read) is taken as UTC too."""
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


DATE_STYLES = {
    "long": lambda d: f"{d.day} {d:%B %Y}",  # 25 November 2026 (no %-d: not portable)
    "month": lambda d: f"{d:%B %Y}",  # November 2026
    "iso": lambda d: f"{d:%Y-%m-%d}",  # 2026-11-25
}


def date(when: datetime | Day | None, style: str = "long") -> str:
    """``{{ review.created_at|date }}`` → "25 November 2026" (no leading zero, English month,
    whatever the locale); styles "month" and "iso" too. A time is taken in UTC; a calendar
    day (a read's finish date) as it is; None is an empty string."""
    if when is None:
        return ""
    return DATE_STYLES[style](_utc(when) if isinstance(when, datetime) else when)


def datetime_(when: datetime) -> str:
    """``{{ report.created_at|datetime }}`` → "25 Nov 2026, 21:30 UTC", as staff pages show times
    (the zone said, so no one takes it for their own clock)."""
    when = _utc(when)
    return f"{when.day} {when:%b %Y, %H:%M} UTC"


def isotime(when: datetime) -> str:
    """A ``<time datetime>`` value the HTML checker accepts: whole seconds, UTC as "Z"."""
    return f"{_utc(when):%Y-%m-%dT%H:%M:%S}Z"


def plural(count: int, singular: str, plural: str | None = None, *, number: bool = True) -> str:
    """``{{ n|plural("rating") }}`` → "1 rating" / "3 ratings"; ``plural("entry", "entries")``
    for irregular words; ``number=False`` for the word alone (when the number has its own markup).
    """
    word = singular if count == 1 else (plural or singular + "s")
    return f"{count} {word}" if number else word


def bar_width(count: int, total: int) -> int:
    """A histogram bar's width: its share of ``total`` in steps of 5, for the ``bar-w-N``
    classes (classes, not ``style=`` attributes, so the strict CSP holds)."""
    return round(count * 20 / total) * 5 if total else 0


FILTERS = {
    "markdown": markdown,
    "plain": plain,
    "stars": stars,
    "date": date,
    "datetime": datetime_,
    "isotime": isotime,
    "plural": plural,
    "bar_width": bar_width,
    "language_name": language_name,
}
