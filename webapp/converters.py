"""URL converters: what a route's ``<int:…>`` or ``<name>`` may match, so odd paths are 404s.

Werkzeug's ``int`` matches any run of Unicode digits (``١٢`` is 12) of any length; an id past
the integer range then reached the database and answered 500 (PostgreSQL: out of range;
SQLite: too large to bind). Here ``int`` is ASCII digits up to 2³¹−1, the range of an
``Integer`` column on both databases. Text segments (``<username>``, ``<path:…>``) never match
control characters such as NUL, which PostgreSQL cannot store or compare.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter, PathConverter, UnicodeConverter

from webapp.models.base import MAX_INT


class IdConverter(IntegerConverter):
    regex = r"[0-9]{1,10}"

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_INT, signed=False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits, min, max, signed)


class TextConverter(UnicodeConverter):
    def __init__(self, map, minlength=1, maxlength=None, length=None) -> None:
        super().__init__(map, minlength, maxlength, length)
        self.regex = self.regex.replace("[^/]", r"[^/\x00-\x1f\x7f]")


class CleanPathConverter(PathConverter):
    regex = r"[^/\x00-\x1f\x7f][^\x00-\x1f\x7f]*?"


def init_app(app: Flask) -> None:
    """Before any blueprint adds its rules: they are compiled with the converter they find."""
    app.url_map.converters.update(
        int=IdConverter, default=TextConverter, string=TextConverter, path=CleanPathConverter
    )
