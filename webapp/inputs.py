"""What arrives from the browser, made safe to store and compare before any view sees it.

- Control characters other than tab and newlines (NUL above all: PostgreSQL cannot store
  it, and it answered 500) are dropped from every query and form value; nobody types them.
- Page numbers and ids from query strings or forms are ASCII digits within the integer
  range, or they are ignored (page 1, no id): never a database error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask import Request, current_app, request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.utils import cached_property

from webapp.models.base import MAX_INT

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
DIGITS = re.compile(r"[0-9]{1,10}")
MAX_PAGE = 100_000


def strip_controls(value: str) -> str:
    return CONTROL.sub("", value)


def _clean(values: ImmutableMultiDict) -> ImmutableMultiDict:
    return ImmutableMultiDict(
        (strip_controls(k), strip_controls(v)) for k, v in values.items(multi=True)
    )


class CleanInputs:
    """Mixed into the app's request class: control characters gone from ``args`` and ``form``."""

    @cached_property
    def args(self) -> ImmutableMultiDict:
        return _clean(super().args)

    def _load_form_data(self) -> None:
        super()._load_form_data()
        self.__dict__["form"] = _clean(self.__dict__["form"])


class BodyLimits:
    """A view may take a bigger body than MAX_CONTENT_LENGTH by saying so (``view.max_body``,
    the library import's 20 MB). Decided from the matched endpoint, before any hook (CSRF)
    parses the form."""

    @property
    def max_content_length(self) -> int | None:
        rule = getattr(self, "url_rule", None)
        if self._max_content_length is None and rule is not None and current_app:
            limit = getattr(current_app.view_functions.get(rule.endpoint), "max_body", None)
            if limit:
                return limit
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def clean_request_class(base: type[Request]) -> type[Request]:
    """``base`` (htmx-flask's request, say) with clean inputs; set after the extensions."""
    return type("CleanRequest", (CleanInputs, BodyLimits, base), {})


def as_id(value: str | None) -> int | None:
    """An id typed or sent as text: ASCII digits within the integer range, else None."""
    value = (value or "").strip()
    if not DIGITS.fullmatch(value) or not 0 < int(value) <= MAX_INT:
        return None
    return int(value)


def ids(values: Iterable[str]) -> list[int]:
    return [n for n in map(as_id, values) if n is not None]


def page_arg(name: str = "page") -> int:
    """``?page=`` as 1 … MAX_PAGE; anything else (huge, negative, ``٣``, ``1e9``) is page 1."""
    page = as_id(request.args.get(name))
    return page if page is not None and page <= MAX_PAGE else 1
