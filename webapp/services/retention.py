"""Retention: the reader's uploaded files, import reports and data archives are kept only as
long as they are of use to them, then deleted by a periodic job (``jobs.clean_up``).

- An archive download lives until it expires (``archives.KEEP_FOR`` after it was built); one
  never built (its job lost) goes after the same time from the request.
- An import (its file, should it never have finished, and its report with every row's raw
  columns) is kept ``IMPORT_KEEP`` from the upload: past the undo window, long enough to fix
  and upload the problem rows again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_

from webapp.extensions import db
from webapp.models import AccountArchive, LibraryImport, utcnow
from webapp.services.archives import KEEP_FOR

IMPORT_KEEP = timedelta(days=30)


def clean_up(now: datetime | None = None) -> dict[str, int]:
    """Delete expired archives and imports past their retention; how many of each."""
    now = now or utcnow()
    archives = db.session.execute(
        delete(AccountArchive).where(
            or_(
                AccountArchive.expires_at <= now,
                and_(
                    AccountArchive.ready_at.is_(None),
                    AccountArchive.created_at <= now - KEEP_FOR,
                ),
            )
        )
    ).rowcount
    imports = db.session.execute(
        delete(LibraryImport).where(LibraryImport.created_at <= now - IMPORT_KEEP)
    ).rowcount
    db.session.commit()
    return {"archives": archives, "imports": imports}
