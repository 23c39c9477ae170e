"""A reader's library import: the uploaded file, its progress and every row's outcome."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.base import UTCDateTime, utcnow

IMPORT_STATES = ("queued", "running", "done", "undone")


class LibraryImport(db.Model):
    """The worker fills the counts as it goes; ``outcomes`` holds one dict per row (its raw
    columns, what happened, notes and what undo must reverse). ``data`` is dropped when done."""

    __tablename__ = "library_imports"
    __table_args__ = (Index("ix_library_imports_user", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))
    choice: Mapped[str] = mapped_column(String(12))
    filename: Mapped[str] = mapped_column(String(200))
    data: Mapped[bytes | None] = mapped_column(LargeBinary)
    state: Mapped[str] = mapped_column(String(8), default="queued")
    total: Mapped[int] = mapped_column(Integer, default=0)
    done_rows: Mapped[int] = mapped_column(Integer, default=0)
    matched: Mapped[int] = mapped_column(Integer, default=0)
    added: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    header: Mapped[list] = mapped_column(JSON, default=list)
    outcomes: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def percent(self) -> int:
        return 100 if not self.total else self.done_rows * 100 // self.total


class ImportChunk(db.Model):
    """The outcomes of the rows one transaction placed, saved in that same transaction: a run
    that stops midway resumes right after the last chunk committed, and a done import gathers
    them into ``LibraryImport.outcomes`` (one small row per chunk, not the growing list)."""

    __tablename__ = "library_import_chunks"

    import_id: Mapped[int] = mapped_column(
        ForeignKey("library_imports.id", ondelete="CASCADE"), primary_key=True
    )
    first_row: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    outcomes: Mapped[list] = mapped_column(JSON)


class AccountArchive(db.Model):
    """ "Download everything": the JSON the worker built, behind an unguessable token, until
    ``expires_at`` (the reader's own data, so it does not linger)."""

    __tablename__ = "account_archives"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    data: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
