"""Reader-written Markdown to safe HTML: CommonMark (markdown-it-py), then nh3 sanitising."""

from __future__ import annotations

from html import unescape

import nh3
from markdown_it import MarkdownIt

# "html": False makes raw HTML literal text; nh3 is the second line of defence.
_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_md.disable("image")  # no remote images in reviews: privacy and layout

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}


def _demote_headings(html: str) -> str:
    # A review's headings sit under the page's h1/h2; keep the outline valid.
    for level in (1, 2):
        html = html.replace(f"<h{level}>", "<h3>").replace(f"</h{level}>", "</h3>")
    return html


def render(text: str | None) -> str:
    """Sanitised HTML for ``text``; links get rel="nofollow ugc noopener"."""
    if not text:
        return ""
    html = _demote_headings(_md.render(text))
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener",
    )


def to_text(html: str) -> str:
    """Rendered HTML as plain text on one line (meta descriptions): every tag removed."""
    return " ".join(unescape(nh3.clean(html, tags=set())).split())


def plain(text: str | None) -> str:
    """Markdown as plain text: rendered, then ``to_text``."""
    return to_text(render(text))
