"""Every template stays within the Content-Security-Policy: no inline script, handler or style."""

from __future__ import annotations

import re

import pytest

from webapp.config import ROOT

TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"""[\s"'/]on[a-z]+\s*=""", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"""[\s"'/]style\s*=""", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
HX_ON = re.compile(r"\bhx-on", re.IGNORECASE)  # evaluated code; allowEval is off anyway
INLINE_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.IGNORECASE)


def test_there_are_templates_to_scan():
    assert len(TEMPLATES) >= 10


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "templates")))
def test_template_has_no_inline_code_or_style(path):
    source = path.read_text(encoding="utf-8")
    for attributes in SCRIPT_TAG.findall(source):
        assert re.search(r"\bsrc\s*=", attributes), f"inline <script> in {path.name}"
    assert not EVENT_HANDLER.search(source), f"on*= handler in {path.name}"
    assert not STYLE_ATTRIBUTE.search(source), f"style= attribute in {path.name}"
    assert not STYLE_ELEMENT.search(source), f"<style> element in {path.name}"
    assert not INLINE_URL.search(source), f"javascript: URL in {path.name}"
    assert not HX_ON.search(source), f"hx-on attribute in {path.name}"


@pytest.mark.parametrize(
    "bad",
    [
        "<script>alert(1)</script>",
        '<button onclick="x()">',
        "<div\tonmouseover='x'>",
        '<p style="color:red">',
        "<style>p{}</style>",
        '<a href="javascript:void(0)">',
        '<form hx-on:submit="x()">',
    ],
)
def test_the_scan_catches_violations(bad):
    source = bad
    problems = [
        any(not re.search(r"\bsrc\s*=", a) for a in SCRIPT_TAG.findall(source)),
        bool(EVENT_HANDLER.search(source)),
        bool(STYLE_ATTRIBUTE.search(source)),
        bool(STYLE_ELEMENT.search(source)),
        bool(INLINE_URL.search(source)),
        bool(HX_ON.search(source)),
    ]
    assert any(problems)


def test_ordinary_attributes_are_not_mistaken_for_handlers():
    assert not EVENT_HANDLER.search('<form data-onload="y" hx-post="/a" hx-swap="outerHTML">')
    assert not EVENT_HANDLER.search('<input name="onboarding" autocomplete="one-time-code">')
