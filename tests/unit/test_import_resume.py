"""An import whose worker dies midway resumes exactly where the last committed chunk ended:
no row is placed twice, the counts equal a recount, and undo still reverses every row."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine

from tests.mailbox import run_jobs
from webapp.extensions import db
from webapp.models import LibraryImport, Read, Review, ShelfEntry, ShelfTag
from webapp.services import library_imports, recount
from webapp.services.exports import COLUMNS

ROWS = 7


class WorkerDied(Exception):
    """What the job meets when its process is killed or its connection drops mid-import."""


def export(rows: int) -> bytes:
    """A Goodreads export of ``rows`` books, each rated, reviewed, read on a date and tagged."""
    lines = [",".join(f'"{c}"' for c in COLUMNS)]
    for n in range(1, rows + 1):
        values = {
            "Title": f"Resumed {n}",
            "Author": "R. Writer",
            "My Rating": str(n % 5 + 1),
            "My Review": f"Review {n}.",
            "Date Read": f"2024/03/0{n % 9 + 1}",
            "Bookshelves": "favourites",
            "Exclusive Shelf": "read",
            "ISBN": '=""',
            "ISBN13": '=""',
        }
        lines.append(",".join('"{}"'.format(values.get(c, "").replace('"', '""')) for c in COLUMNS))
    return ("\n".join(lines) + "\n").encode()


def owned(reader) -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(m).where(m.user_id == reader.id))
        for m in (ShelfEntry, Read, Review, ShelfTag)
    )


@pytest.mark.parametrize(
    "statement, nth",
    [
        ("INSERT INTO reads", 3),  # inside the third chunk, its rows half placed
        ("UPDATE library_imports", 3),  # where a chunk's progress is saved
    ],
)
def test_a_restarted_import_places_each_row_once(app, users, monkeypatch, statement, nth):
    monkeypatch.setattr(library_imports, "CHUNK", 2)
    reader = users("resumer")
    job = library_imports.start(reader, "library.csv", export(ROWS), "keep_mine")
    seen = []

    def die(conn, cursor, sql, *args):
        if sql.lstrip().upper().startswith(statement.upper()):
            seen.append(sql)
            if len(seen) == nth:
                raise WorkerDied(f"killed at {statement} #{nth}")

    event.listen(Engine, "before_cursor_execute", die)  # the test's connection too
    try:
        run_jobs(app)
    finally:
        event.remove(Engine, "before_cursor_execute", die)
    assert len(seen) == nth  # it did die midway
    stopped = db.session.get(LibraryImport, job.id)
    assert stopped.state == "running" and 0 < stopped.done_rows < ROWS
    # The progress shown is exactly what is placed: one shelf entry a row.
    assert stopped.added == stopped.done_rows == owned(reader)[0]

    later = app.extensions["huey"]._get_timestamp() + timedelta(minutes=5)
    run_jobs(app, now=later)  # huey's retry, as after a restart
    done = db.session.get(LibraryImport, job.id)
    assert done.state == "done"
    kinds = Counter(o["kind"] for o in done.outcomes)
    assert [o["number"] for o in done.outcomes] == list(range(1, ROWS + 1))
    assert kinds == {"added": ROWS}
    assert (done.added, done.matched, done.unchanged, done.failed) == (ROWS, 0, 0, 0)
    assert done.done_rows == ROWS
    assert owned(reader) == (ROWS, ROWS, ROWS, ROWS)  # one entry, read, review, tag a book
    assert recount.check() == []

    library_imports.undo(reader, done)
    assert owned(reader) == (0, 0, 0, 0)  # undo knew of every row, placed before or after
    assert recount.check() == []
