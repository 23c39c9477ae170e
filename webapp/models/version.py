"""Data versions: one row per cached resource (a book's page, a reader's profile, the catalogue).

Every change that alters what such a page shows replaces the row's ``v`` in the same
transaction (webapp/services/versions.py), so a page's ETag and its cached copy are checked
with one indexed read instead of rendering. A missing row reads as version 0.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db


class Version(db.Model):
    __tablename__ = "versions"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[int] = mapped_column(Integer, primary_key=True)
    v: Mapped[int] = mapped_column(BigInteger)
