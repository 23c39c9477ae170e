"""Revision 0007 turns every Reading / Read / Did-not-finish shelf entry into a read, losing
nothing, and going back down leaves the shelves as they were. The data goes in at 0003, so the
batch table copies on the way (SQLite) are checked not to cascade-delete it either."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from tests.conftest import config_for
from webapp import create_app
from webapp.config import normalise_database_url
from webapp.extensions import db

SHELVED = [
    # (user, book, status, updated_at)
    (1, 1, "read", "2024-03-12 10:00:00"),
    (1, 2, "reading", "2025-01-02 09:30:00"),
    (1, 3, "did_not_finish", "2023-07-01 08:00:00"),
    (1, 4, "want_to_read", "2022-02-02 12:00:00"),
    (2, 1, "read", "2021-11-30 23:59:00"),
]


def _seed(conn) -> None:
    for n in (1, 2):
        conn.execute(
            text(
                "INSERT INTO users (id, username, username_key, email, password_hash,"
                " session_token, role, created_at) VALUES (:n, :u, :u, :e, 'x', 't', 'reader',"
                " '2020-01-01 00:00:00')"
            ),
            {"n": n, "u": f"reader{n}", "e": f"reader{n}@example.com"},
        )
    for n in range(1, 5):
        conn.execute(
            text(
                "INSERT INTO books (id, title, created_at, rating_count, rating_sum, review_count,"
                " stars_1, stars_2, stars_3, stars_4, stars_5, bayes_score)"
                " VALUES (:n, :t, '2020-01-01 00:00:00', 0, 0, 0, 0, 0, 0, 0, 0, 3.5)"
            ),
            {"n": n, "t": f"Book {n}"},
        )
    for user, book, status, at in SHELVED:
        conn.execute(
            text(
                "INSERT INTO shelf_entries (user_id, book_id, status, updated_at)"
                " VALUES (:u, :b, :s, :at)"
            ),
            {"u": user, "b": book, "s": status, "at": at},
        )


def test_shelves_become_reads_and_come_back(empty_database):
    app = create_app(config_for(normalise_database_url(empty_database)))
    with app.app_context():
        # Seeded before 0004_login_sessions too: its batch copy of users must not cascade.
        upgrade(revision="0003")
        with db.engine.begin() as conn:
            _seed(conn)
        upgrade(revision="0007")
        with db.engine.connect() as conn:
            reads = conn.execute(
                text(
                    "SELECT user_id, book_id, status, started_on, finished_on, created_at"
                    " FROM reads ORDER BY user_id, book_id"
                )
            ).all()
            entries = conn.execute(
                text("SELECT user_id, book_id, status, created_at, updated_at FROM shelf_entries")
            ).all()
            private = conn.execute(text("SELECT DISTINCT reading_private FROM users")).scalars()
            assert list(private) == [False]
        assert [(r.user_id, r.book_id, r.status) for r in reads] == [
            (1, 1, "finished"),
            (1, 2, "reading"),
            (1, 3, "dnf"),
            (2, 1, "finished"),
        ]
        # A shelf said *that* a book was read, never when: dates stay unknown.
        assert {(r.started_on, r.finished_on) for r in reads} == {(None, None)}
        assert {str(r.created_at)[:16] for r in reads} == {
            at[:16] for _, _, status, at in SHELVED if status != "want_to_read"
        }
        assert len(entries) == len(SHELVED)
        assert all(e.created_at == e.updated_at for e in entries)
        assert sorted((e.user_id, e.book_id, e.status) for e in entries) == sorted(
            (u, b, s) for u, b, s, _ in SHELVED
        )
        downgrade(revision="0006_follows_blocks")
        with db.engine.connect() as conn:
            back = conn.execute(text("SELECT user_id, book_id, status FROM shelf_entries")).all()
        assert sorted(tuple(row) for row in back) == sorted((u, b, s) for u, b, s, _ in SHELVED)
        db.engine.dispose()
