"""One page of a longer list, as services return it and templates page through it."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import select

from webapp.extensions import db


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def newest(model, *where, limit: int) -> list:
    """The ``limit`` newest rows of ``model`` that match ``where`` (ties: the later id first)."""
    query = (
        select(model).where(*where).order_by(model.created_at.desc(), model.id.desc()).limit(limit)
    )
    return list(db.session.scalars(query))
