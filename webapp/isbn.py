"""ISBN parsing: ISBN-10 or ISBN-13 in, a checked ISBN-13 out."""

from __future__ import annotations

import re
import unicodedata

from webapp.errors import ValidationError


def _isbn13_check(first12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return str((10 - total % 10) % 10)


def _isbn10_valid(isbn: str) -> bool:
    total = sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(isbn))
    return total % 11 == 0


def clean(text: str) -> str:
    """NFKC (fullwidth digits are digits), then drop hyphens, dashes and spaces; upper-case x."""
    return re.sub(r"[\s\-\u2010-\u2015]", "", unicodedata.normalize("NFKC", text or "")).upper()


def looks_like_isbn(text: str) -> bool:
    value = clean(text)
    return bool(re.fullmatch(r"[0-9]{13}|[0-9]{9}[0-9X]", value))


def to_isbn13(text: str, field: str = "isbn") -> str:
    """Validate and convert. Raises ValidationError(field) with a plain-language message."""
    value = clean(text)
    if any(ch.isdigit() and not ch.isascii() for ch in value):
        raise ValidationError(field, "Write the ISBN with the digits 0–9.")
    if re.fullmatch(r"[0-9]{9}[0-9X]", value):
        if not _isbn10_valid(value):
            raise ValidationError(field, "That ISBN-10 has a wrong check digit; check for typos.")
        first12 = "978" + value[:9]
        return first12 + _isbn13_check(first12)
    if re.fullmatch(r"[0-9]{13}", value):
        if not value.startswith(("978", "979")):
            raise ValidationError(field, "An ISBN-13 starts with 978 or 979.")
        if _isbn13_check(value[:12]) != value[12]:
            raise ValidationError(field, "That ISBN-13 has a wrong check digit; check for typos.")
        return value
    raise ValidationError(field, "An ISBN has 10 or 13 digits (hyphens and spaces are fine).")
