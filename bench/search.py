"""Search at catalogue scale: the kinds of query readers type, against 100k books.

    .venv/bin/python -m bench.search --database-url URL [--books 100000 --runs 20]

Generates the catalogue with ``bench.generate`` when the database is empty (``--books`` books,
few readers and reviews: search reads the books only), then requests ``/books?q=…`` as a
visitor through the Flask test client for each kind of query, beside ``/books`` without a
query as the baseline of the same run. Reports statements per request, median and p90 ms, the
number of results and the ratio to the baseline. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
from urllib.parse import quote

from bench.feed import timed
from bench.run import make_app


def queries(app) -> dict[str, str]:
    """One query of each kind, taken from the generated books themselves."""
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models import Author, Book

    with app.app_context():
        book = db.session.scalar(select(Book).where(Book.isbn13.is_not(None)).order_by(Book.id))
        author = db.session.scalar(select(Author.name).order_by(Author.id).limit(1).offset(7))
        surname = author.split()[-1].lower()
        typo = surname[:2] + surname[3] + surname[2] + surname[4:]  # swap two letters
        if len(surname) > 6:
            typo = surname[:-2] + surname[-1]  # or drop one
        title_words = re.findall(r"\w+", book.title.lower())
        db.session.remove()
    return {
        "one common word": "the",
        "two common words": "of the",
        "a two-letter word": "it",
        "title words": " ".join(title_words[:2]),
        "author surname": surname,
        "author with a typo": typo,
        "full ISBN-13": book.isbn13,
        "partial number": "9780",
        "no match": "zzyzx",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--books", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    from sqlalchemy import event, func, select

    from bench.generate import generate
    from webapp.extensions import db
    from webapp.models import Book

    # The cost of searching, not of the page cache in front of it (a repeat would be a hit).
    os.environ["PAGE_CACHE"] = "off"
    app = make_app(args.database_url, secrets.token_hex(32))
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        have = db.session.scalar(select(func.count(Book.id)))
        db.session.remove()
        engine = db.engine
        engine.dispose()  # generate() writes through its own connection
    if not have:
        generate(args.database_url, books=args.books, readers=2_000, reviews=20_000, log=print)
    client = app.test_client()
    statements: list = []
    listener = lambda conn, cursor, statement, *a: statements.append(statement)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    baseline = timed(client, "/books", {}, args.runs, statements)
    report = {"books": have or args.books, "/books (baseline)": baseline}
    for kind, query in queries(app).items():
        path = f"/books?q={quote(query)}"
        result = timed(client, path, {}, args.runs, statements)
        html = client.get(path).get_data(as_text=True)
        found = re.search(r'id="result-count"[^>]*>([\d,]+) books? for', html)
        result["query"] = query
        result["results"] = int(found.group(1).replace(",", "")) if found else 0
        result["x_baseline"] = round(result["median_ms"] / baseline["median_ms"], 2)
        report[kind] = result
    event.remove(engine, "before_cursor_execute", listener)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
