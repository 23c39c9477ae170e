"""The benchmark data generator still loads a consistent data set on both databases.

Small sizes only: this keeps the harness working in CI; it measures no time.
"""

from __future__ import annotations

import uuid

import psycopg
import pytest
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from bench import generate
from tests.conftest import TEST_DATABASE_URL, postgres_error, require
from webapp.extensions import db
from webapp.models import Book, Review, User


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def bench_database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bench.db'}"
        return
    error = postgres_error(TEST_DATABASE_URL)
    require(error is None, f"PostgreSQL at {TEST_DATABASE_URL} is unreachable: {error}")
    name = f"colophon_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(TEST_DATABASE_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{TEST_DATABASE_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(TEST_DATABASE_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_generated_data_is_consistent(bench_database):
    result = generate.generate(
        bench_database, books=200, readers=300, reviews=2000, seed=7, log=lambda *_: None
    )
    assert result["counts"]["reviews"] == 2000
    assert generate.verify(bench_database, sample=100) == []

    app = generate.make_app(bench_database)
    with app.app_context():
        counts = list(db.session.scalars(select(Book.review_count).order_by(Book.id)))
        assert max(counts) > 10 * (sum(counts) / len(counts))  # skewed, not uniform
        texted = db.session.scalar(select(func.count(Review.id)).where(Review.body.is_not(None)))
        assert 0.5 < texted / 2000 < 0.8  # roughly 30% are ratings without text
        reader = db.session.scalar(select(User).where(User.username_key == "reader1"))
        assert check_password_hash(reader.password_hash, generate.BENCH_PASSWORD)
        db.session.remove()
        db.engine.dispose()


def test_verify_reports_a_stale_aggregate(tmp_path):
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    generate.generate(url, books=20, readers=30, reviews=100, log=lambda *_: None)
    app = generate.make_app(url)
    with app.app_context():
        book = db.session.scalar(select(Book).order_by(Book.review_count.desc()))
        book.rating_count += 1
        db.session.commit()
        book_id = book.id
        db.session.remove()
        db.engine.dispose()
    problems = generate.verify(url, sample=5)
    assert any(f"book {book_id}:" in p for p in problems)
