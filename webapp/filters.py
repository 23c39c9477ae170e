"""Jinja filters shared by every feature's templates."""

from __future__ import annotations

from markupsafe import Markup

from webapp import markdown as markdown_rules


def markdown(text: str | None) -> Markup:
    """``{{ book.description|markdown }}``: sanitised HTML, so it is safe to mark as such."""
    return Markup(markdown_rules.render(text))  # noqa: S704 (nh3-sanitised above)


def plain(text: str | None) -> str:
    """Markdown as plain text (for meta descriptions): rendered, then every tag removed."""
    return markdown_rules.plain(text)


def stars(value: float | None) -> str:
    """A mean rating to one decimal ("4.3"), or an empty string before the first rating."""
    return "" if value is None else f"{value:.1f}"


def long_date(value) -> str:
    """A date as "12 March 2024" (no leading zero, English month, whatever the locale)."""
    from webapp.services.reads import long_date as spell

    return spell(value)


FILTERS = {"markdown": markdown, "plain": plain, "stars": stars, "long_date": long_date}
