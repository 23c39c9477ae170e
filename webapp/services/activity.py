"""Feed events: a read started or finished, a list made (the caller commits).

Only what a reader does by hand leaves an event. A read recorded by rating a book is shown by
the rating itself, and an import's hundreds of past reads would bury every follower's feed.
"""

from __future__ import annotations

from sqlalchemy import delete, select

from webapp.extensions import db
from webapp.models import BookList, FeedEvent, Read


def _read_event(read: Read, kind: str) -> None:
    db.session.flush()  # the read has its id
    exists = db.session.scalar(
        select(FeedEvent.id).where(FeedEvent.read_id == read.id, FeedEvent.kind == kind)
    )
    if exists is None:
        db.session.add(FeedEvent(user_id=read.user_id, kind=kind, read_id=read.id))


def read_changed(read: Read, was: str | None) -> None:
    """After a read was added (``was`` None) or its status changed from ``was``: a read that
    begins in progress was started, one that becomes finished was finished, and one no longer
    finished loses that event (the reader took it back)."""
    if was == read.status:
        return
    if read.status == "reading" and was is None:
        _read_event(read, "started")
    elif read.status == "finished":
        _read_event(read, "finished")
    if was == "finished":
        db.session.execute(
            delete(FeedEvent).where(FeedEvent.read_id == read.id, FeedEvent.kind == "finished")
        )


def list_made(book_list: BookList) -> None:
    db.session.flush()
    db.session.add(FeedEvent(user_id=book_list.user_id, kind="listed", list_id=book_list.id))
