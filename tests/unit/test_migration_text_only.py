"""Revision 0018: reviews keep their ratings on the way up, a text-only review can then be
stored (and one with neither rating nor body cannot), and the way down refuses while a
text-only review exists rather than invent a rating for it."""

from __future__ import annotations

import pytest
from alembic import command
from flask_migrate import downgrade, upgrade
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.conftest import config_for
from webapp import create_app
from webapp.config import normalise_database_url
from webapp.extensions import db

BOOK = (
    "INSERT INTO books (id, title, created_at, rating_count, rating_sum, review_count, stars_1,"
    " stars_2, stars_3, stars_4, stars_5, bayes_score) VALUES (1, 'Kept', '2020-01-01 00:00:00',"
    " 2, 12, 1, 0, 0, 0, 1, 1, 3.58)"
)
USER = (
    "INSERT INTO users (id, username, username_key, username_fold, email, password_hash, role,"
    " created_at, is_private, reading_private, notify_moderation, notify_replies,"
    " notify_reports, notify_imports, digest) VALUES (:id, :name, :name, :name, :email, 'x',"
    " 'reader', '2020-01-01 00:00:00', false, false, true, true, true, true, false)"
)
REVIEW = (
    "INSERT INTO reviews (id, book_id, user_id, rating, title, body, body_html, spoiler,"
    " helpful_count, helpful_score, created_at, updated_at) VALUES (:id, 1, :user, :rating,"
    " NULL, :body, NULL, false, 0, 0, '2020-01-01 00:00:00', '2020-01-01 00:00:00')"
)


def rows(conn) -> list[tuple]:
    return [
        tuple(r) for r in conn.execute(text("SELECT id, rating, body FROM reviews ORDER BY id"))
    ]


def test_ratings_survive_up_and_down_and_text_only_reviews_block_the_way_down(empty_database):
    app = create_app(config_for(normalise_database_url(empty_database)))
    with app.app_context():
        upgrade(revision="0017_media")
        with db.engine.begin() as conn:
            conn.execute(text(BOOK))
            for n in (1, 2, 3):
                conn.execute(text(USER), {"id": n, "name": f"r{n}", "email": f"r{n}@e.org"})
            conn.execute(text(REVIEW), {"id": 1, "user": 1, "rating": 10, "body": "Words."})
            conn.execute(text(REVIEW), {"id": 2, "user": 2, "rating": 7, "body": None})
        upgrade(revision="0018_text_only_reviews")
        with db.engine.begin() as conn:
            assert rows(conn) == [(1, 10, "Words."), (2, 7, None)]
            conn.execute(text(REVIEW), {"id": 3, "user": 3, "rating": None, "body": "No stars."})
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            conn.execute(text("UPDATE reviews SET body = NULL WHERE id = 3"))
        # Alembic itself, not Flask-Migrate's wrapper (which logs the message and exits 1).
        config = app.extensions["migrate"].migrate.get_config()
        with pytest.raises(RuntimeError, match=r"1 review\(s\) have no rating"):
            command.downgrade(config, "0017_media")
        with db.engine.begin() as conn:
            assert rows(conn)[2] == (3, None, "No stars.")  # the refused downgrade lost nothing
            conn.execute(text("DELETE FROM reviews WHERE id = 3"))
        downgrade(revision="0017_media")
        with db.engine.begin() as conn:
            assert rows(conn) == [(1, 10, "Words."), (2, 7, None)]
        with pytest.raises(IntegrityError), db.engine.begin() as conn:  # NOT NULL again
            conn.execute(text(REVIEW), {"id": 4, "user": 3, "rating": None, "body": "x"})
        upgrade()
        db.engine.dispose()
