"""Revision 0017: old cover links stay as the address to fetch from (never shown), are
picked up by the worker's sweep, and going back down loses none of them."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from tests.conftest import config_for
from webapp import create_app
from webapp.config import normalise_database_url
from webapp.extensions import db
from webapp.services import covers

LINKS = {
    1: "https://images.example.org/covers/1.jpg",
    2: "javascript:alert(1)",  # never a loadable cover: dropped
    3: None,
}


def test_old_cover_links_are_kept_for_the_worker_and_survive_a_downgrade(empty_database):
    app = create_app(config_for(normalise_database_url(empty_database), COVER_FETCH=True))
    with app.app_context():
        upgrade(revision="0016_search_titles")
        with db.engine.begin() as conn:
            for n, link in LINKS.items():
                conn.execute(
                    text(
                        "INSERT INTO books (id, title, cover_url, created_at, rating_count,"
                        " rating_sum, review_count, stars_1, stars_2, stars_3, stars_4, stars_5,"
                        " bayes_score) VALUES (:n, :t, :c, '2020-01-01 00:00:00',"
                        " 0, 0, 0, 0, 0, 0, 0, 0, 3.5)"
                    ),
                    {"n": n, "t": f"Book {n}", "c": link},
                )
        upgrade(revision="0017_media")
        with db.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT id, cover_url, cover_key, cover_checked_at FROM books ORDER BY id")
            ).all()
        assert [tuple(r) for r in rows] == [
            (1, LINKS[1], None, None),
            (2, None, None, None),
            (3, None, None, None),
        ]
        # The sweep (today's code, so today's schema) queues the one fetchable link (the
        # worker then fetches it: test_covers.py).
        upgrade()
        assert covers.queue_legacy_fetches() == 1
        assert app.extensions["huey"].pending_count() == 1
        db.session.remove()
        downgrade(revision="0016_search_titles")
        with db.engine.connect() as conn:
            back = conn.execute(text("SELECT id, cover_url FROM books ORDER BY id")).all()
        assert [tuple(r) for r in back] == [(1, LINKS[1]), (2, None), (3, None)]
        db.engine.dispose()
