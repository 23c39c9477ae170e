""" "Download everything": a reader's data as one JSON file, built by the worker and offered
behind an unguessable link that expires."""

from __future__ import annotations

import json
import secrets
from datetime import timedelta

from flask import url_for
from sqlalchemy import select

from webapp.errors import NotFound
from webapp.extensions import db
from webapp.models import (
    AccountArchive,
    HelpfulVote,
    Notice,
    Read,
    Report,
    Review,
    ShelfEntry,
    User,
    utcnow,
)
from webapp.services import notices, tags
from webapp.tasks import enqueue

KEEP_FOR = timedelta(days=7)


def request_archive(user: User) -> AccountArchive:
    archive = AccountArchive(user_id=user.id, token=secrets.token_urlsafe(32))
    db.session.add(archive)
    db.session.commit()
    enqueue("build_archive", archive.id)
    return archive


def _rows(query, fields) -> list[dict]:
    return [
        {name: _plain(getattr(row, name)) for name in fields} for row in db.session.scalars(query)
    ]


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def contents(user: User) -> dict:
    """Everything of the reader's: profile, reviews and ratings, shelves, tags, reads, helpful
    votes given, reports filed and notices."""
    tagged = tags.names_by_book(user)
    shelves = [
        {
            "book_id": e.book_id,
            "title": e.book.title,
            "isbn13": e.book.isbn13,
            "status": e.status,
            "added_at": e.created_at.isoformat(),
            "tags": sorted(tagged.get(e.book_id, [])),
            "private_notes": e.private_notes,
            "owned_copies": e.owned_copies,
            "content_warnings": e.content_warnings,
        }
        for e in db.session.scalars(select(ShelfEntry).where(ShelfEntry.user_id == user.id))
    ]
    return {
        "profile": {
            "username": user.username,
            "email": user.email,
            "bio": user.bio,
            "created_at": user.created_at.isoformat(),
            "is_private": user.is_private,
        },
        "reviews": _rows(
            select(Review).where(Review.user_id == user.id),
            (
                "book_id",
                "rating",
                "title",
                "body",
                "spoiler",
                "created_at",
                "updated_at",
                "hidden_at",
            ),
        ),
        "shelves": shelves,
        "tags": sorted(tag.name for tag, _ in tags.tags_of(user)),
        "reads": _rows(
            select(Read).where(Read.user_id == user.id),
            ("book_id", "status", "started_on", "finished_on", "format", "progress_percent"),
        ),
        "helpful_votes": _rows(
            select(HelpfulVote).where(HelpfulVote.user_id == user.id), ("review_id", "created_at")
        ),
        "reports_filed": _rows(
            select(Report).where(Report.reporter_id == user.id),
            ("review_id", "target_user_id", "reason", "note", "created_at"),
        ),
        "notices": _rows(
            select(Notice).where(Notice.user_id == user.id), ("message", "link", "created_at")
        ),
    }


def build(archive_id: int) -> None:
    """Idempotent: an archive already built is left alone."""
    archive = db.session.get(AccountArchive, archive_id)
    if archive is None or archive.ready_at is not None:
        return
    user = db.session.get(User, archive.user_id)
    archive.data = json.dumps(contents(user), ensure_ascii=False, indent=1)
    archive.ready_at = utcnow()
    archive.expires_at = archive.ready_at + KEEP_FOR
    link = url_for("exports.archive", token=archive.token)
    notices.notify(user.id, "Your data archive is ready to download for 7 days.", link)
    db.session.commit()


def ready(user: User, token: str) -> AccountArchive:
    """The reader's own built archive; NotFound for anyone else's, unbuilt or expired."""
    archive = db.session.scalar(select(AccountArchive).where(AccountArchive.token == token))
    if (
        archive is None
        or archive.user_id != user.id
        or archive.ready_at is None
        or archive.expires_at <= utcnow()
    ):
        raise NotFound("That download has expired or is not yours.")
    return archive
