"""Pure functions: ISBN parsing and reader Markdown sanitising."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from webapp import isbn, markdown
from webapp.errors import ValidationError


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("978-0-441-01359-3", "9780441013593"),
        ("0441013597", "9780441013593"),
        ("0-8044-2957-x", "9780804429573"),
        ("979 10 90636 07 1", "9791090636071"),
    ],
)
def test_to_isbn13(given, expected):
    assert isbn.to_isbn13(given) == expected


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("9780441013594", "ISBN-13 has a wrong check digit"),
        ("0441013598", "ISBN-10 has a wrong check digit"),
        ("9770441013590", "starts with 978 or 979"),
        ("12345", "10 or 13 digits"),
        ("", "10 or 13 digits"),
    ],
)
def test_to_isbn13_refuses_with_a_plain_message(given, message):
    with pytest.raises(ValidationError) as error:
        isbn.to_isbn13(given, field="isbn_field")
    assert error.value.field == "isbn_field" and message in error.value.message


def test_looks_like_isbn():
    assert isbn.looks_like_isbn("978-0-441-01359-3") and isbn.looks_like_isbn("080442957x")
    assert not isbn.looks_like_isbn("dune") and not isbn.looks_like_isbn("12345")


def test_markdown_renders_commonmark():
    html = markdown.render("# Big\n\n**bold** and *it*\n\n> quote\n\n- a\n- b")
    assert "<h3>Big</h3>" in html  # headings demoted below the page's h1/h2
    assert "<strong>bold</strong>" in html and "<em>it</em>" in html
    assert "<blockquote>" in html and "<li>a</li>" in html


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.seen: list[tuple[str, list]] = []

    def handle_starttag(self, tag, attrs):
        self.seen.append((tag, attrs))


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        "[x](javascript:alert(1))",
        "<iframe src='https://evil.example'></iframe>",
        '<div style="color:red" onclick="x()">hi</div>',
    ],
)
def test_markdown_removes_raw_html_and_scripts(source):
    """Raw HTML comes out as harmless text: no element or attribute survives but allowed ones."""
    tags = Tags()
    tags.feed(markdown.render(source))
    assert {tag for tag, _ in tags.seen} <= {"p", "a"}
    for _, attrs in tags.seen:
        assert all(name in ("href", "rel") for name, _ in attrs)
        assert not any((value or "").startswith("javascript") for _, value in attrs)


def test_markdown_links_get_rel_and_images_are_off():
    html = markdown.render("[site](https://example.com) ![pic](https://example.com/a.png)")
    assert '<a href="https://example.com" rel="nofollow ugc noopener">site</a>' in html
    assert "<img" not in html
    assert markdown.render(None) == "" and markdown.render("") == ""


def test_plain_filter_strips_markdown_for_meta_descriptions():
    from webapp.filters import plain

    text = "Spice & **sand**. <script>x</script>\n\n- one"
    assert plain(text) == "Spice & sand. <script>x</script> one"
