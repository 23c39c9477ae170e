"""An import's life: upload (checked at once), the worker placing the rows with live counts,
the report, the failed rows as CSV, and undo within 14 days."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import asdict
from datetime import timedelta

from flask import url_for
from sqlalchemy import delete, select, update

from webapp.errors import NotFound, ValidationError
from webapp.extensions import db
from webapp.models import LibraryImport, Read, Review, ShelfEntry, ShelfTag, User, utcnow
from webapp.pagination import newest
from webapp.services import import_formats, imports, notices, reviews, versions
from webapp.tasks import enqueue

UNDO_DAYS = 14
CHUNK = 500  # rows placed in one transaction (services.imports.place_chunk)
OUTCOMES_EVERY = 4  # chunks between saves of the growing outcome list (the resume point)
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
    """Place the rows not placed yet (the worker may have stopped midway: it resumes)."""
    job = db.session.get(LibraryImport, import_id)
    if job is None or job.state in ("done", "undone") or job.data is None:
        return
    user = db.session.get(User, job.user_id)
    _, rows = import_formats.parse(job.data)
    # Read once: every chunk commits, and touching ``job`` after a commit would load its file
    # and outcomes again. Counts are recomputed from the saved outcomes, so a run that
    # resumes counts each row once (re-placing a row is harmless: placing is idempotent).
    outcomes, choice = list(job.outcomes), job.choice
    counts = Counter({kind: 0 for kind in KINDS}) + Counter(o["kind"] for o in outcomes)
    job.state = "running"
    db.session.commit()
    rest = rows[len(outcomes) :]
    for number, start in enumerate(range(0, len(rest), CHUNK), start=1):
        chunk = rest[start : start + CHUNK]
        for row, outcome in zip(chunk, imports.place_chunk(user, chunk, choice), strict=True):
            outcomes.append({**asdict(outcome), "raw": row.raw})
            counts[outcome.kind] += 1
        # Counts after every chunk (the progress page); the growing outcome list more rarely.
        _save_progress(import_id, outcomes, counts, number % OUTCOMES_EVERY == 0)
    _save_progress(import_id, outcomes, counts, True)
    job = db.session.get(LibraryImport, import_id)
    job.state, job.data, job.finished_at = "done", None, utcnow()
    message = (
        f"Your import of {job.filename} is done: {job.matched} matched, {job.added} added, "
        f"{job.unchanged} already here, {job.failed} failed."
    )
    link = url_for("imports.report", import_id=job.id)
    notices.notify(user.id, message, link, topic="imports")
    db.session.commit()


def _save_progress(import_id: int, outcomes: list, counts: Counter, with_outcomes: bool) -> None:
    """One UPDATE from values held in Python: a later row's rollback cannot undo it."""
    values = {kind: counts[kind] for kind in KINDS}
    if with_outcomes:
        values |= {"outcomes": list(outcomes), "done_rows": len(outcomes)}
    else:
        values["done_rows"] = len(outcomes)
    db.session.execute(update(LibraryImport).where(LibraryImport.id == import_id).values(**values))
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
