"""One-line text that services take from readers and staff (titles, reasons, names, notes)."""

from __future__ import annotations

from webapp.errors import ValidationError


def one_line(
    value: str | None, field: str, limit: int, too_long: str, missing: str | None = None
) -> str | None:
    """``value`` with every run of whitespace (newlines too) made one space; None when that
    leaves nothing. Raises ValidationError(field): ``missing`` when it is required and empty,
    ``too_long`` past ``limit`` characters."""
    text = " ".join((value or "").split()) or None
    if text is None and missing:
        raise ValidationError(field, missing)
    if text and len(text) > limit:
        raise ValidationError(field, too_long)
    return text
