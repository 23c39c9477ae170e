"""Library import at scale: a 10,000-row Goodreads export into an empty catalogue, then the
same file again (idempotent: nothing may change).

    .venv/bin/python -m bench.imports --database-url URL [--rows 10000] [--reset]

The schema comes from the migrations. The job body the worker runs
(``services.library_imports.run``) is timed in-process: wall time, and CPU time (this
process's, which on SQLite includes the database's work; on PostgreSQL the server backends'
CPU is read from /proc and shown beside it), so a run on a busy machine can still be read;
the queue is in memory and not consumed. Ends with ``recount --check`` (exit 1 on any
difference). Nothing asserts a time.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import secrets
import sys
import time
from pathlib import Path

from bench.run import make_app
from webapp.services.exports import COLUMNS

SHELVES = ["read", "read", "read", "to-read", "currently-reading", "dnf", "owned-unread"]


def isbn13(n: int) -> str:
    body = f"979{n:09d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def export_file(rows: int, seed: int = 1) -> bytes:
    rnd = random.Random(seed)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    for i in range(rows):
        shelf = rnd.choice(SHELVES)
        done = shelf in ("read", "dnf")
        writer.writerow(
            {
                "Book Id": str(i),
                "Title": f'Bench Book {i}, "Volume" {i % 7} (Bench Saga, #{i % 5 + 1})',
                "Author": f"Author {i % 3000}",
                "Additional Authors": f"Helper {i % 50}" if i % 4 == 0 else "",
                "ISBN": '=""',
                "ISBN13": f'="{isbn13(i)}"' if i % 10 else '=""',
                "My Rating": str(rnd.randint(1, 5)) if done else "0",
                "Publisher": "Bench Press",
                "Number of Pages": str(rnd.randint(90, 900)),
                "Original Publication Year": str(rnd.randint(1900, 2024)),
                "Date Read": f"2023/{rnd.randint(1, 12):02d}/{rnd.randint(1, 28):02d}"
                if done
                else "",
                "Date Added": "2022/01/15",
                "Bookshelves": ", ".join(
                    rnd.sample(["sci-fi", "classics", "book club", "favourites"], 2)
                ),
                "Exclusive Shelf": shelf,
                "My Review": "Good.<br/><br/>Very <i>good</i> indeed."
                if done and i % 3 == 0
                else "",
                "Spoiler": "false",
                "Read Count": str(rnd.randint(1, 3)) if done else "0",
                "Owned Copies": "0",
            }
        )
    return out.getvalue().encode()


def load() -> str:
    """The machine's load average, to read a wall time against (the machine is shared)."""
    try:
        return f"; load {os.getloadavg()[0]:.1f}"
    except OSError:
        return ""


def server_cpu() -> float | None:
    """CPU seconds used so far by the PostgreSQL backends serving this database, read from
    /proc (the server runs on this machine); None on SQLite or when /proc cannot tell."""
    from sqlalchemy import text

    from webapp.extensions import db

    if db.engine.dialect.name != "postgresql":
        return None
    pids = db.session.scalars(
        text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
    ).all()
    total = 0.0
    try:
        for pid in pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--reset", action="store_true", help="drop every table first")
    args = parser.parse_args()
    if args.reset and args.database_url.startswith("sqlite:///"):
        Path(args.database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    app = make_app(args.database_url, secrets.token_hex(32))
    app.config["TASK_QUEUE"] = "memory"
    from flask_migrate import upgrade
    from sqlalchemy import text

    from webapp import tasks
    from webapp.extensions import db
    from webapp.models import LibraryImport, User
    from webapp.services import accounts, library_imports, recount

    tasks.init_app(app)  # a memory queue: this process runs the job body itself
    data = export_file(args.rows)
    with app.test_request_context("/"):
        if args.reset and db.engine.dialect.name == "postgresql":
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade()
        name = f"importer{secrets.token_hex(3)}"
        user = accounts.sign_up(name, f"{name}@example.com", "colophon bench reader")
        print(f"file: {args.rows:,} rows, {len(data) / 1e6:.1f} MB, {db.engine.dialect.name}")
        for label in ("first import", "same file again"):
            job = library_imports.start(user, "bench.csv", data, "keep_mine")
            server = server_cpu()
            started, cpu = time.perf_counter(), time.process_time()
            library_imports.run(job.id)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            after = server_cpu()
            on_server = (
                "" if server is None or after is None else f" + {after - server:.1f} s server"
            )
            job = db.session.get(LibraryImport, job.id)
            print(
                f"{label}: {seconds:.1f} s ({args.rows / seconds:,.0f} rows/s, "
                f"{cpu:.1f} s CPU in this process{on_server}{load()}): "
                f"{job.matched} matched, {job.added} added, {job.unchanged} unchanged, "
                f"{job.failed} failed"
            )
            user = db.session.get(User, user.id)
        differences = recount.check()
        print(f"recount --check: {len(differences)} differences")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
