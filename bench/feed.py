"""The home feed at scale: a reader following the 200 most active readers.

    .venv/bin/python -m bench.feed --database-url URL [--follows 200 --runs 20]

Over data from ``bench.generate`` (1M ratings by default): the reader ``feed_bench`` (made once)
follows the ``--follows`` readers with the most ratings; then, signed in through the Flask test
client, the first feed page and a "Show more" page (htmx) are each requested ``--runs`` times.
Reports statements per request (must not depend on how many are followed or how much they
wrote), median and p90 milliseconds in-process, and on PostgreSQL the feed query's plan.
Nothing here asserts a time; tests/web/test_feed.py asserts the query count.
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import statistics
import time

from bench.run import csrf_from, make_app

READER = "feed_bench"


def prepare(app, follows: int) -> tuple[int, int]:
    """The bench reader and its follows (idempotent); returns (reader id, reviews in reach)."""
    from sqlalchemy import func, select

    from webapp.extensions import db
    from webapp.models import Follow, Review, User
    from webapp.services import accounts

    with app.app_context():
        reader = User.by_username(READER)
        if reader is None:
            reader = accounts.sign_up(READER, f"{READER}@example.com", "colophon bench reader")
        busiest = db.session.scalars(
            select(Review.user_id)
            .where(Review.user_id != reader.id)
            .group_by(Review.user_id)
            .order_by(func.count().desc(), Review.user_id)
            .limit(follows)
        ).all()
        have = set(
            db.session.scalars(select(Follow.followee_id).where(Follow.follower_id == reader.id))
        )
        db.session.add_all(
            Follow(follower_id=reader.id, followee_id=uid, status="active")
            for uid in busiest
            if uid not in have
        )
        db.session.commit()
        reach = db.session.scalar(select(func.count()).where(Review.user_id.in_(busiest)))
        reader_id = reader.id
        db.session.remove()
    return reader_id, reach


def timed(client, path: str, headers: dict, runs: int, statements: list) -> dict:
    times, counts = [], []
    client.get(path, headers=headers)  # warm
    for _ in range(runs):
        statements.clear()
        start = time.perf_counter()
        response = client.get(path, headers=headers)
        times.append((time.perf_counter() - start) * 1000)
        counts.append(len(statements))
        assert response.status_code == 200, response.status_code
    times.sort()
    return {
        "status": response.status_code,
        "queries": sorted(set(counts)),
        "median_ms": round(statistics.median(times), 1),
        "p90_ms": round(times[int(len(times) * 0.9) - 1], 1),
    }


def plan(app, reader_id: int) -> str | None:
    from webapp.extensions import db
    from webapp.models import User
    from webapp.services import feed

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return None
        reader = db.session.get(User, reader_id)
        captured = []
        from sqlalchemy import event

        def grab(conn, cursor, statement, parameters, *args):
            if "FROM reviews" in statement and not captured:
                captured.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", grab)
        feed.page(reader)
        event.remove(db.engine, "before_cursor_execute", grab)
        statement, parameters = captured[0]
        raw = db.engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
            lines = [row[0] for row in cur.fetchall()]
        finally:
            raw.close()
        db.session.remove()
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--follows", type=int, default=200)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    from sqlalchemy import event

    from webapp.extensions import db

    app = make_app(args.database_url, secrets.token_hex(32))
    reader_id, reach = prepare(app, args.follows)
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    client.post(
        "/login", data={"login": READER, "password": "colophon bench reader", "csrf_token": token}
    )
    with app.app_context():
        engine = db.engine
    statements: list = []
    listener = lambda conn, cursor, statement, *a: statements.append(statement)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    first = timed(client, "/", {}, args.runs, statements)
    html = client.get("/").get_data(as_text=True)
    more = re.search(r'href="(/feed\?after=[^"]+)"', html).group(1).replace("&amp;", "&")
    older = timed(client, more, {"HX-Request": "true"}, args.runs, statements)
    event.remove(engine, "before_cursor_execute", listener)
    report = {
        "follows": args.follows,
        "reviews_by_followed": reach,
        "feed_first_page": first,
        "feed_show_more_htmx": older,
    }
    print(json.dumps(report, indent=2))
    explained = plan(app, reader_id)
    if explained:
        print(explained)


if __name__ == "__main__":
    main()
