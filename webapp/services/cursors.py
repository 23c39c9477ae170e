"""Keyset cursors for "show more" links: ``<time or score>_<id>``, read back strictly.

A cursor comes back from the address bar, so it may be anything: a naive or out-of-range
time, ``nan``, an id past the integer range. Each of those once reached the database and
answered 500; now a malformed cursor reads as None and the list starts from the top.
"""

from __future__ import annotations

import math
import re
from datetime import datetime

from webapp.models.base import MAX_INT

_ID = re.compile(r"[0-9]{1,10}")


def time_key(when: datetime, row_id: int) -> str:
    """The cursor of a list in (time, id) order, as ``time_cursor`` reads it back."""
    return f"{when.isoformat()}_{row_id}"


def _split(cursor: str | None) -> tuple[str, int] | None:
    first, _, second = (cursor or "").rpartition("_")
    if not _ID.fullmatch(second) or int(second) > MAX_INT:
        return None
    return first, int(second)


def time_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    """(aware time, id), or None."""
    parts = _split(cursor)
    if parts is None:
        return None
    try:
        when = datetime.fromisoformat(parts[0])
    except ValueError:
        return None
    return (when, parts[1]) if when.tzinfo is not None else None


def score_cursor(cursor: str | None) -> tuple[float, int] | None:
    """(finite score, id), or None."""
    parts = _split(cursor)
    if parts is None:
        return None
    try:
        score = float(parts[0])
    except ValueError:
        return None
    return (score, parts[1]) if math.isfinite(score) else None
