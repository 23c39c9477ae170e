"""`flask recount` names what it corrects; `flask recount --check` changes nothing and fails."""

from __future__ import annotations

from sqlalchemy import update

from tests.factories import make_book, make_review
from webapp.extensions import db
from webapp.models import Book, Review
from webapp.services import reviews


def test_recount_check_then_repair(app, users):
    book = make_book("Drifted")
    review = make_review(users(), book, "4", body="Words.")
    make_review(users(), book, "2")
    reviews.toggle_helpful(users(), review)
    book_id, review_id = book.id, review.id
    db.session.execute(update(Book).values(rating_sum=99, stars_5=2))
    db.session.execute(update(Review).where(Review.id == review_id).values(helpful_count=5))
    db.session.commit()
    runner = app.test_cli_runner()

    checked = runner.invoke(args=["recount", "--check"])
    assert checked.exit_code == 1
    lines = checked.output.splitlines()
    assert f"book {book_id} (Drifted): rating_sum 99 → 12" in lines
    assert f"book {book_id} (Drifted): stars_5 2 → 0" in lines
    assert f"review {review_id} (book {book_id}): helpful_count 5 → 1" in lines
    assert "3 kept number(s) differ from a recount." in checked.stderr
    db.session.expire_all()
    assert db.session.get(Book, book_id).rating_sum == 99  # --check changed nothing

    repaired = runner.invoke(args=["recount"])
    assert repaired.exit_code == 0
    assert f"book {book_id} (Drifted): rating_sum 99 → 12" in repaired.output
    assert "Corrected 3 kept number(s)." in repaired.output
    db.session.expire_all()
    assert (
        db.session.get(Book, book_id).rating_sum,
        db.session.get(Review, review_id).helpful_count,
    ) == (12, 1)

    clean = runner.invoke(args=["recount", "--check"])
    assert clean.exit_code == 0, clean.output
    assert "Every kept number equals its recount." in clean.output
