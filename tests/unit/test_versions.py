"""Data versions (services/versions.py): writes outside the web routes, and what must not move.

Every POST route is walked in tests/web/test_versions.py.
"""

from __future__ import annotations

import pytest

from tests.factories import make_book, make_review
from webapp.extensions import db
from webapp.models import User
from webapp.services import lists, recount, reviews, staff, versions


@pytest.fixture
def dune(app, users):
    book = make_book("Dune", authors=("Frank Herbert",))
    return book, make_review(users("paul"), book, "4", title="Sandy", body="A long read.")


def test_a_staff_report_hides_at_once_and_moves_the_book(app, dune, users):
    from webapp.services import reports

    book, paul_review = dune
    before = versions.for_page("books.detail", {"book_id": book.id})
    reports.report_review(users("mod", role="moderator"), paul_review, "spam")
    assert versions.for_page("books.detail", {"book_id": book.id}) != before


def test_recount_repair_moves_the_books_it_corrects(app, dune):
    book, _ = dune
    db.session.execute(
        db.text("UPDATE books SET rating_count = 99 WHERE id = :id"), {"id": book.id}
    )
    db.session.commit()
    before = versions.for_page("books.detail", {"book_id": book.id})
    assert recount.repair([book.id])
    assert versions.for_page("books.detail", {"book_id": book.id}) != before


def test_an_ended_suspension_moves_every_page(app, dune, users):
    book, _ = dune
    boss = users("boss", role="admin")
    paul = db.session.scalar(db.select(User).where(User.username == "paul"))
    staff.suspend(boss, paul, 1, "Cooling off")
    paul.suspended_until = paul.suspended_until.replace(year=2000)
    db.session.commit()
    before = versions.for_page("books.detail", {"book_id": book.id})
    assert staff.end_expired_suspensions() == 1
    assert versions.for_page("books.detail", {"book_id": book.id}) != before


def test_a_review_moves_only_its_own_book_page(app, dune, users):
    book, _ = dune
    other = make_book("Emma", authors=("Jane Austen",))
    before = {b.id: versions.for_page("books.detail", {"book_id": b.id}) for b in (book, other)}
    reviews.save(users("chani"), book, stars="5", title="Desert power")
    assert versions.for_page("books.detail", {"book_id": book.id}) != before[book.id]
    assert versions.for_page("books.detail", {"book_id": other.id}) == before[other.id]


def test_a_sign_in_moves_only_the_readers_own_version_and_a_page_view_nothing(
    app, dune, client, auth, users
):
    book, _ = dune
    reader = users("reader")
    everything = db.text("SELECT kind, key, v FROM versions ORDER BY kind, key")
    before = db.session.execute(everything).all()
    auth.login("reader")
    after = db.session.execute(everything).all()
    assert [(kind, key) for kind, key, _ in set(after) - set(before)] == [("reader", reader.id)]
    client.get(f"/books/{book.id}-{book.slug}")
    client.get("/u/paul")
    assert db.session.execute(everything).all() == after


def test_a_rolled_back_change_moves_nothing(app, dune):
    book, paul_review = dune
    before = versions.for_page("books.detail", {"book_id": book.id})
    paul_review.title = "Changed, then thought better of"
    db.session.flush()
    db.session.rollback()
    db.session.commit()
    assert versions.for_page("books.detail", {"book_id": book.id}) == before


def test_adding_a_book_to_a_list_moves_that_book(app, dune, users):
    book, _ = dune
    emma = make_book("Emma", authors=("Jane Austen",))
    picks = lists.create(users("lister"), "Picks")
    lists.add(picks.user, picks, book)
    before = versions.for_page("books.detail", {"book_id": emma.id})
    lists.add(picks.user, picks, emma)
    assert versions.for_page("books.detail", {"book_id": emma.id}) != before


def test_a_rating_of_a_shelved_book_moves_the_shelvers_profile(app, dune, users):
    from webapp.services import shelves

    book, _ = dune
    shelves.set_status(users("ada"), book, "reading")
    before = versions.for_page("users.profile", {"username": "ada"})
    reviews.save(users("ben"), book, stars="3")
    assert versions.for_page("users.profile", {"username": "ada"}) != before
