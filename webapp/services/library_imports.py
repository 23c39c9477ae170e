"""An import's life: upload (checked at once), the worker placing the rows with live counts,
the report, the failed rows as CSV, and undo within 14 days."""

from __future__ import annotations

import csv
import functools
import io
from collections import Counter
from dataclasses import asdict
from datetime import timedelta

from flask import url_for
from sqlalchemy import delete, select, update

from webapp.errors import NotFound, ValidationError
from webapp.extensions import db
from webapp.models import (
    ImportChunk,
    LibraryImport,
    Read,
    Review,
    ShelfEntry,
    ShelfTag,
    User,
    utcnow,
)
from webapp.pagination import newest
from webapp.services import import_formats, imports, notices, reviews, versions
from webapp.tasks import enqueue

UNDO_DAYS = 14
CHUNK = 500  # rows placed in one transaction (services.imports.place_chunk)
KINDS = ("matched", "added", "unchanged", "failed")


def start(user: User, filename: str, data: bytes, choice: str) -> LibraryImport:
    """Check the file now (format, size, rows) and queue it. Raises ValidationError."""
    if choice not in imports.CHOICES:
        raise ValidationError("choice", "Choose what happens when the file and Colophon differ.")
    kind, header, rows = import_formats.read_csv(data)
    if not rows:
        raise ValidationError("file", "That file has a header but no books.")
    job = LibraryImport(
        user_id=user.id,
        kind=kind,
        choice=choice,
        filename=(filename or "library.csv")[:200],
        data=data,
        total=len(rows),
        header=header,
        outcomes=[],
    )
    db.session.add(job)
    db.session.commit()
    enqueue("run_import", job.id)
    return job


def get_own(user: User, import_id: int) -> LibraryImport:
    job = db.session.get(LibraryImport, import_id)
    if job is None or job.user_id != user.id:
        raise NotFound("No such import.")
    return job


def imports_of(user: User, limit: int = 20) -> list[LibraryImport]:
    return newest(LibraryImport, LibraryImport.user_id == user.id, limit=limit)


def run(import_id: int) -> None:
    """Place the rows not placed yet: a run that stopped midway (the worker died) resumes
    right after the last committed chunk, since every chunk saves its outcomes and moves the
    counts in its own transaction (``_record``). No row is placed twice."""
    job = db.session.get(LibraryImport, import_id)
    if job is None or job.state in ("done", "undone") or job.data is None:
        return
    user = db.session.get(User, job.user_id)
    _, rows = import_formats.parse(job.data)
    # Read once: every chunk commits, and touching ``job`` after a commit would load its file
    # again. The counts start from the saved outcomes (a run stopped under an older version
    # may have counted rows whose outcomes it never saved).
    placed, choice = _placed(job), job.choice
    counts = Counter(o["kind"] for o in placed)
    for kind in KINDS:
        setattr(job, kind, counts[kind])
    job.state, job.done_rows = "running", len(placed)
    db.session.commit()
    record = functools.partial(_record, import_id)
    rest = rows[len(placed) :]
    for start in range(0, len(rest), CHUNK):
        imports.place_chunk(user, rest[start : start + CHUNK], choice, record)
    _finish(import_id, user)


def _placed(job: LibraryImport) -> list[dict]:
    """Every row's saved outcome so far, in file order."""
    chunks = db.session.scalars(
        select(ImportChunk.outcomes)
        .where(ImportChunk.import_id == job.id)
        .order_by(ImportChunk.first_row)
    )
    return [*job.outcomes, *(outcome for chunk in chunks for outcome in chunk)]


def _record(import_id: int, rows: list, outcomes: list) -> None:
    """Save a transaction's outcomes and move the counts, inside that transaction (the
    increments apply to the stored row, so nothing held in Python can drift)."""
    saved = [{**asdict(o), "raw": row.raw} for row, o in zip(rows, outcomes, strict=True)]
    db.session.add(ImportChunk(import_id=import_id, first_row=rows[0].number, outcomes=saved))
    kinds = Counter(o.kind for o in outcomes)
    values = {kind: getattr(LibraryImport, kind) + kinds[kind] for kind in KINDS}
    db.session.execute(
        update(LibraryImport)
        .where(LibraryImport.id == import_id)
        .values(done_rows=LibraryImport.done_rows + len(outcomes), **values)
        .execution_options(synchronize_session=False)
    )


def _finish(import_id: int, user: User) -> None:
    """Gather the chunks into the import's outcome list, and tell the reader it is done."""
    job = db.session.get(LibraryImport, import_id)
    job.outcomes = _placed(job)
    db.session.execute(delete(ImportChunk).where(ImportChunk.import_id == import_id))
    job.state, job.data, job.finished_at = "done", None, utcnow()
    message = (
        f"Your import of {job.filename} is done: {job.matched} matched, {job.added} added, "
        f"{job.unchanged} already here, {job.failed} failed."
    )
    link = url_for("imports.report", import_id=job.id)
    notices.notify(user.id, message, link, topic="imports")
    db.session.commit()


def can_undo(job: LibraryImport) -> bool:
    return job.state == "done" and utcnow() - job.created_at < timedelta(days=UNDO_DAYS)


def undo(user: User, job: LibraryImport) -> None:
    """Reverse what the import created or changed for ``user``; books it added stay in the
    catalogue (other readers may have shelved them). Raises ValidationError past 14 days."""
    if not can_undo(job):
        raise ValidationError("undo", f"An import can be undone for {UNDO_DAYS} days only.")
    for outcome in reversed(job.outcomes):
        steps, book_id = outcome.get("undo") or {}, outcome.get("book_id")
        if not steps or book_id is None:
            continue
        _undo_review(user, book_id, steps)
        versions.touch(user=user.id, book=book_id)
        if steps.get("reads"):
            db.session.execute(
                delete(Read).where(Read.user_id == user.id, Read.id.in_(steps["reads"]))
            )
        if steps.get("tags"):
            db.session.execute(
                delete(ShelfTag).where(
                    ShelfTag.user_id == user.id,
                    ShelfTag.book_id == book_id,
                    ShelfTag.tag_id.in_(steps["tags"]),
                )
            )
        entry = db.session.get(ShelfEntry, (user.id, book_id))
        if entry is not None and steps.get("entry_created"):
            db.session.delete(entry)
        elif entry is not None:
            if steps.get("entry_was"):
                entry.status = steps["entry_was"]
            for name, value in (steps.get("private") or {}).items():
                setattr(entry, name, value)
        db.session.commit()
    job = db.session.get(LibraryImport, job.id)
    job.state, job.undone_at = "undone", utcnow()
    db.session.commit()


def _undo_review(user: User, book_id: int, steps: dict) -> None:
    if "review" not in steps:
        return
    review = db.session.scalar(
        select(Review).where(Review.user_id == user.id, Review.book_id == book_id)
    )
    if review is None:
        return
    before = steps["review"]
    if before is None:
        reviews.remove(user, review)
    else:
        stars = None if before["rating"] is None else before["rating"] / 2
        reviews.save(
            user,
            review.book,
            stars=stars,
            title=review.title,  # imports never change a title
            body=before["body"],
            spoiler=before["spoiler"],
        )


def problem_rows(job: LibraryImport) -> list[dict]:
    return [o for o in job.outcomes if o["kind"] == "failed" or o["notes"]]


def problems_csv(job: LibraryImport) -> str:
    """The failed and partly placed rows in the file's own columns, plus ``Problem``."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*job.header, "Problem"], extrasaction="ignore")
    writer.writeheader()
    for outcome in problem_rows(job):
        writer.writerow({**outcome["raw"], "Problem": " ".join(outcome["notes"])})
    return out.getvalue()
