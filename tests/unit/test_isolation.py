"""The test harness itself: a test's commits stay in its transaction and vanish afterwards."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine, func, select, text

from tests.factories import make_book
from webapp.extensions import db
from webapp.models import Book, User


def committed_users(url: str) -> int:
    """Users as another connection sees them (only what is really committed)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM users")).scalar_one()
    finally:
        engine.dispose()


def test_a_commit_only_releases_a_savepoint(app, users, database_url):
    users("kept_inside")
    assert db.session.scalar(select(func.count(User.id))) == 1
    assert committed_users(database_url) == 0


def test_the_previous_test_left_nothing_behind(app, database_url):
    assert db.session.scalar(select(func.count(User.id))) == 0
    assert committed_users(database_url) == 0


def test_a_request_writes_where_the_test_reads_and_a_test_rollback_keeps_it(web, auth, users):
    users("reader")
    book = make_book("Dune")
    db.session.get(Book, book.id)  # the test's session holds a transaction during the request
    auth.login("reader")
    response = web.post(f"/books/{book.id}/review", {"rating": "4"})
    assert response.status_code == 303
    db.session.rollback()  # must not undo what the request committed
    assert db.session.get(Book, book.id).rating_count == 1


def test_rolled_back_block_undoes_its_writes(app, users, transaction):
    users("before")
    with transaction.rolled_back():
        users("inside")
        assert db.session.scalar(select(func.count(User.id))) == 2
    assert list(db.session.scalars(select(User.username))) == ["before"]


def test_another_thread_cannot_use_the_test_transaction(app):
    errors: list[BaseException] = []

    def query():
        with app.app_context():
            try:
                db.session.scalar(select(func.count(User.id)))
            except RuntimeError as exc:
                errors.append(exc)

    thread = threading.Thread(target=query)
    thread.start()
    thread.join(timeout=10)
    assert len(errors) == 1 and "pytest.mark.committed" in str(errors[0])


@pytest.mark.committed
def test_committed_tests_really_commit(app, users, database_url):
    users("on_disk")
    assert committed_users(database_url) == 1


def test_tables_are_empty_after_a_committed_test(app, database_url):
    assert committed_users(database_url) == 0


def test_savepoints_are_not_counted_as_queries(client, users, count_queries):
    users("counted")
    with count_queries() as statements:
        users("again")  # one INSERT; the harness wraps its commit in a savepoint
    assert len(statements) == 1 and statements[0].lstrip().upper().startswith("INSERT")
