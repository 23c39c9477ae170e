"""The benchmark data generator still loads a consistent data set on both databases.

Small sizes only: this keeps the harness working in CI; it measures no time.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from bench import generate, inproc, run
from webapp.extensions import db
from webapp.models import Book, Read, Review, ShelfEntry, User


def test_generated_data_is_consistent(empty_database):
    result = generate.generate(
        empty_database, books=200, readers=300, reviews=2000, seed=7, log=lambda *_: None
    )
    assert result["counts"]["reviews"] == 2000
    assert generate.verify(empty_database, sample=100) == []

    app = generate.make_app(empty_database)
    with app.app_context():
        counts = list(db.session.scalars(select(Book.review_count).order_by(Book.id)))
        assert max(counts) > 10 * (sum(counts) / len(counts))  # skewed, not uniform
        texted = db.session.scalar(select(func.count(Review.id)).where(Review.body.is_not(None)))
        assert 0.5 < texted / 2000 < 0.8  # roughly 30% are ratings without text
        reader = db.session.scalar(select(User).where(User.username_key == "reader1"))
        assert check_password_hash(reader.password_hash, generate.BENCH_PASSWORD)
        # One read for every Read / Reading / Did-not-finish shelf entry, as migration 0005 does.
        shelved = select(func.count()).select_from(ShelfEntry)
        shelved = shelved.where(ShelfEntry.status != "want_to_read")
        assert db.session.scalar(select(func.count(Read.id))) == db.session.scalar(shelved)
        assert result["counts"]["reads"] == db.session.scalar(shelved)
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


def test_in_process_bench_checks_what_it_measures(tmp_path):
    """Requests are compressed and closed; a wrong status or a bounced POST fails the scenario."""
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    generate.generate(url, books=20, readers=40, reviews=200, log=lambda *_: None)
    app = run.make_app(url, "bench-test-secret")
    info = run.targets(app)
    visitor = app.test_client()
    requests = run.scenario_requests(visitor, info)
    with inproc.quiet_stdout():
        page = inproc.call(visitor, requests["book"])
        assert page.headers["Content-Encoding"] == "br"
        with pytest.raises(inproc.BenchError, match="answered 200, not 304"):
            inproc.call(visitor, requests["book"] | {"expect": 304})
    username, book_id = info["writers"][0]
    reader = inproc.signed_in(app, username, generate.BENCH_PASSWORD)
    token = run.csrf_from(reader.get("/").get_data(as_text=True))
    save = requests["review_update"] | {"path": f"/books/{book_id}/review"}
    with inproc.quiet_stdout():
        inproc.call(reader, save | {"data": run.review_form(token, 1)})  # 303 to the book
        with pytest.raises(inproc.BenchError, match="answered 400"):
            inproc.call(reader, save | {"data": run.review_form("stale", 1)})
    assert run.parse_wrk("UNEXPECTED 3 200\n")["unexpected_status"] == 3
    assert run.parse_wrk("no check ran")["unexpected_status"] == -1
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
